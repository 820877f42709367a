"""The commit checks in-process (kg.writes.commit.finish_write), with both reasoners the
build can use: a conforming write gets its inferred triples and a PROV record; a breaking
one raises ValidationFailed with a readable report."""

import shutil

import pyoxigraph as ox
import pytest

from kg.paths import SHAPES_DIR
from kg.pipeline.build import build
from kg.sparql.graph_store import GraphWrite, evaluate_graph_write
from kg.writes import commit
from kg.writes.commit import CHANGES, DATA, INFERRED, ValidationFailed, finish_write

EXAMPLES = SHAPES_DIR / "examples"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    work = tmp_path_factory.mktemp("commit")
    (work / "data").mkdir()
    shutil.copy(EXAMPLES / "common.ttl", work / "data" / "common.ttl")
    assert build(work / "dataset.nq", data_dir=work / "data", sources_dir=None).conforms
    return work / "dataset.nq"


def store_of(path):
    store = ox.Store()
    store.extend(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    return store


@pytest.mark.parametrize("reasoner", ["owlrl", "reasonable", "sparql"])
def test_a_conforming_write_is_inferred_and_logged(dataset, reasoner, monkeypatch):
    monkeypatch.setattr(commit, "WRITE_REASONER", reasoner)
    store = store_of(dataset)
    write = GraphWrite("POST", DATA.value, (("text/turtle", (EXAMPLES / "PersonShape-valid.ttl")
                                              .read_bytes(), None),), agent="tester")
    delta = finish_write(store, evaluate_graph_write(store, write), "tester", "test")
    assert any(q.graph_name == INFERRED for q in delta.added)
    assert any(q.graph_name == CHANGES and q.object == ox.Literal("tester") for q in delta.added)


@pytest.mark.parametrize("reasoner", ["owlrl", "reasonable", "sparql"])
def test_a_breaking_write_raises_with_the_report(dataset, reasoner, monkeypatch):
    monkeypatch.setattr(commit, "WRITE_REASONER", reasoner)
    store = store_of(dataset)
    write = GraphWrite("POST", DATA.value, (("text/turtle", (EXAMPLES / "ArrestShape-invalid.ttl")
                                              .read_bytes(), None),))
    with pytest.raises(ValidationFailed) as raised:
        finish_write(store, evaluate_graph_write(store, write))
    assert raised.value.violations and all(v["message"] for v in raised.value.violations)
