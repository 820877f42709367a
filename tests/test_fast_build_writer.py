"""The build writes the N-Quads file and the on-disk store while it infers and validates
(DatasetWriter, one bulk load streamed through a pipe): both hold exactly the built dataset,
blank nodes included, and a build that does not conform leaves neither behind."""

from __future__ import annotations

import shutil

import pyoxigraph as ox

from kg.paths import SHAPES_DIR
from kg.pipeline.build import build
from kg.pipeline.infer import DATA, INFERRED

EXAMPLES = SHAPES_DIR / "examples"
BLANK_LINKS = """SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?b ?p ?o } FILTER isBlank(?b)
                 FILTER NOT EXISTS { GRAPH <%s> { ?b ?q ?v } } }""" % (INFERRED.value, DATA.value)


def data_dir(tmp_path, *examples):
    (tmp_path / "data").mkdir()
    for name in ("common.ttl", *examples):
        shutil.copy(EXAMPLES / name, tmp_path / "data" / name)
    return tmp_path / "data"


def test_the_store_and_the_file_hold_the_built_dataset(tmp_path):
    data = data_dir(tmp_path, "SentenceShape-valid.ttl")
    result = build(output=tmp_path / "dataset.nq", store_dir=tmp_path / "store", data_dir=data,
                   sources_dir=None, reasoner="sparql")
    assert result.conforms, result.report.describe()
    built = set(result.store)
    from_file = ox.Store()
    from_file.load(path=str(tmp_path / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    on_disk = ox.Store.read_only(str(tmp_path / "store"))
    for store in (from_file, on_disk):
        assert len(store) == len(built)
        assert {q for q in store if not any(isinstance(t, ox.BlankNode) for t in q)} == \
            {q for q in built if not any(isinstance(t, ox.BlankNode) for t in q)}
        # the inferred triples about blank nodes are about the data's blank nodes
        assert next(iter(store.query(BLANK_LINKS)))["n"].value == "0"
    assert any(isinstance(q.subject, ox.BlankNode) for q in on_disk.quads_for_pattern(None, None, None, INFERRED))
    assert not (tmp_path / "store.partial").exists()
    assert not (tmp_path / "dataset.nq.partial").exists()


def test_a_build_that_does_not_conform_writes_nothing(tmp_path):
    data = data_dir(tmp_path, "ArrestShape-invalid.ttl")
    result = build(output=tmp_path / "dataset.nq", store_dir=tmp_path / "store", data_dir=data,
                   sources_dir=None, reasoner="sparql")
    assert not result.conforms
    assert not [p.name for p in tmp_path.iterdir() if p.name != "data"]


def without_blank_nodes(store) -> set:
    return {q for q in store if not any(isinstance(t, ox.BlankNode) for t in q)}


def test_a_build_in_the_on_disk_store_gives_the_same_dataset(tmp_path):
    # Large data builds in the new store itself (pyoxigraph's bulk loader, the compiled rules
    # and shapes run there): forced here on small data, compared with the in-memory build.
    data = data_dir(tmp_path, "SentenceShape-valid.ttl")
    in_memory = build(output=None, data_dir=data, sources_dir=None, reasoner="sparql")
    result = build(output=tmp_path / "dataset.nq", store_dir=tmp_path / "store", data_dir=data,
                   sources_dir=None, reasoner="sparql", on_disk=True)
    assert result.conforms, result.report.describe()
    from_file = ox.Store()
    from_file.load(path=str(tmp_path / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    on_disk = ox.Store.read_only(str(tmp_path / "store"))
    expected = set(in_memory.store)
    for store in (result.store, from_file, on_disk):
        assert len(store) == len(expected)
        assert without_blank_nodes(store) == without_blank_nodes(expected)
        assert next(iter(store.query(BLANK_LINKS)))["n"].value == "0"
    assert result.triple_counts() == in_memory.triple_counts()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "dataset.nq", "store"]


def test_an_on_disk_build_that_does_not_conform_keeps_its_work_apart(tmp_path):
    data = data_dir(tmp_path, "ArrestShape-invalid.ttl")
    result = build(output=tmp_path / "dataset.nq", store_dir=tmp_path / "store", data_dir=data,
                   sources_dir=None, reasoner="sparql", on_disk=True)
    assert not result.conforms
    # neither the store nor the file; the failed build's store stays beside, to be queried
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "store.building"]
    assert result.triple_counts()["data"] > 0
    del result
    shutil.rmtree(data)
    build(output=None, store_dir=tmp_path / "store", data_dir=data_dir(tmp_path, "SentenceShape-valid.ttl"),
          sources_dir=None, reasoner="sparql", on_disk=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "store"]
