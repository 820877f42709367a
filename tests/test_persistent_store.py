"""The persistent store: `kg build --store DIR` writes the built dataset (inferred graph
included) to disk, and a read-only server on DIR queries it there: no parsing, no inference,
no in-memory copy, and forked workers open their own handles."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from server_fixtures import app_client
from synthetic import generate

from kg.engine.ondisk import OnDiskStore
from kg.pipeline.build import build
from kg.pipeline.write import StoreHasWrites, is_built_store, writes_in_store

pytest.importorskip("reasonable")

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/civic-protest/graph/inferred> { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("persistent")
    generate(work / "data", 10_000, seed=3)
    result = build(output=work / "dataset.nq", store_dir=work / "store", data_dir=work / "data",
                   sources_dir=work / "data", reasoner="sparql")
    assert result.conforms, result.report.describe()
    return work, result


def test_the_build_writes_a_store_with_the_inferred_graph(built):
    work, result = built
    assert is_built_store(work / "store")
    store = ox.Store.read_only(str(work / "store"))
    assert len(store) == sum(result.triple_counts()[g] for g in ("ontology", "data", "inferred"))
    assert result.triple_counts()["inferred"] > 10_000


def test_a_read_only_server_queries_the_store_on_disk(built):
    work, result = built
    with app_client(STORE=str(work / "store"), DATASET_PATH="") as client:
        dataset = client.application.extensions["kg_engine"].dataset
        assert isinstance(dataset.store, OnDiskStore)  # no copy into memory
        for _ in range(3):  # answered by forked workers, each with its own handle
            response = client.get("/sparql", query_string={"query": COUNT},
                                  headers={"Accept": "application/sparql-results+json"})
            assert response.status_code == 200, response.data
            n = int(response.get_json()["results"]["bindings"][0]["n"]["value"])
            assert n == result.triple_counts()["inferred"]


def test_with_updates_the_store_is_served_from_memory(built, tmp_path):
    import shutil

    work, _ = built
    shutil.copytree(work / "store", tmp_path / "store")
    with app_client(STORE=str(tmp_path / "store"), DATASET_PATH="", OPEN_UPDATE=True) as client:
        dataset = client.application.extensions["kg_engine"].dataset
        assert not isinstance(dataset.store, OnDiskStore) and dataset.durable is not None
        response = client.post("/sparql", data={"update": INSERT})
        assert response.status_code in (200, 204), response.data


INSERT = ('INSERT DATA { GRAPH <https://w3id.org/civic-protest/graph/data> { '
          '<https://w3id.org/civic-protest/id/person/written-by-a-curator> a '
          '<https://w3id.org/civic-protest/ontology#Person> ; '
          '<https://schema.org/name> "Written by a curator" } }')


def test_a_rebuild_never_silently_replaces_a_store_that_received_writes(built, tmp_path):
    """A curator's acknowledged write lives in the store, not in data/: a rebuild over that
    store is refused unless asked for explicitly."""
    import shutil

    work, _ = built
    store = tmp_path / "store"
    shutil.copytree(work / "store", store)
    assert not writes_in_store(store)
    with app_client(STORE=str(store), DATASET_PATH="", OPEN_UPDATE=True) as client:
        assert client.post("/sparql", data={"update": INSERT}).status_code in (200, 204)
    assert writes_in_store(store)
    with pytest.raises(StoreHasWrites, match="--replace-store"):
        build(output=None, store_dir=store, data_dir=work / "data", sources_dir=work / "data",
              reasoner="reasonable")
    assert writes_in_store(store)  # untouched
    result = build(output=None, store_dir=store, data_dir=work / "data", sources_dir=work / "data",
                   reasoner="reasonable",
                   replace_store=True)
    assert result.conforms and not writes_in_store(store)
