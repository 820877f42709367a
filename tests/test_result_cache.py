"""The /sparql result cache (kg.server.cache): keyed by the dataset's version, so a repeated
query is answered without a worker, and any write makes every earlier answer unreachable."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from server_fixtures import app_client

from kg.engine import QueryJob
from kg.server.cache import ResultCache

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


@dataclass
class Outcome:
    body: bytes
    media_type: str = "text/plain"
    truncated: bool = False


def count_of(response) -> int:
    assert response.status_code == 200, response.data
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def test_hit_miss_and_version():
    cache = ResultCache(10_000)
    key = cache.key(QueryJob("ASK {}"))
    assert cache.get(1, key) is None
    cache.put(1, key, Outcome(b"yes"))
    assert cache.get(1, key).body == b"yes"
    assert cache.get(2, key) is None          # a write happened: the old answer is gone
    cache.put(1, key, Outcome(b"stale"))      # evaluated before that write: not kept
    assert cache.get(2, key) is None
    assert cache.stats()["hits"] == 1


def test_bounded_by_bytes_least_recently_used_first():
    cache = ResultCache(8 * 2000)
    keys = [cache.key(QueryJob(f"ASK {{ <x:{i}> ?p ?o }}")) for i in range(12)]
    cache.put(1, keys[0], Outcome(b"0" * 900))
    for i, key in enumerate(keys[1:], 1):
        assert cache.get(1, keys[0]) is not None  # kept warm: the others go first
        cache.put(1, key, Outcome(bytes([48 + i % 10]) * 900))
    assert cache.stats()["bytes"] <= cache.max_bytes
    assert cache.get(1, keys[0]) is not None
    assert cache.get(1, keys[1]) is None
    cache.put(1, cache.key(QueryJob("ASK {}")), Outcome(b"x" * 3000))  # over an eighth
    assert cache.get(1, cache.key(QueryJob("ASK {}"))) is None


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE <https://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * { \\u0053ERVICE <https://example.org/sparql> { ?s ?p ?o } }",
    "SELECT (RAND() AS ?r) {}",
    "SELECT (now() AS ?t) {}",
    "SELECT (UUID() AS ?u) (STRUUID() AS ?s) {}",
    "SELECT (BNODE() AS ?b) {}",
])
def test_uncacheable_queries_are_not_cached(query):
    """The remote data has no version; these functions must change at every evaluation."""
    assert ResultCache.key(QueryJob(query)) is None


def test_ordinary_queries_are_cached():
    assert ResultCache.key(QueryJob("SELECT ?random WHERE { ?random a <https://schema.org/Person> }")) is not None


def test_repeated_queries_skip_evaluation_and_writes_invalidate():
    with app_client(OPEN_UPDATE=True) as client:
        cache = lambda: client.application.extensions["kg_result_cache"]  # noqa: E731
        before = count_of(client.get("/sparql", query_string={"query": COUNT}, headers=JSON))
        misses = cache().stats()["misses"]
        pool = client.application.extensions["kg_engine"].pool
        run_query = pool.run_query
        pool.run_query = lambda *a, **k: (_ for _ in ()).throw(AssertionError("evaluated"))
        try:
            again = count_of(client.get("/sparql", query_string={"query": COUNT}, headers=JSON))
        finally:
            pool.run_query = run_query
        assert again == before and cache().stats()["hits"] >= 1
        assert cache().stats()["misses"] == misses

        # Another Accept is another answer, evaluated and cached on its own.
        csv = client.get("/sparql", query_string={"query": COUNT}, headers={"Accept": "text/csv"})
        assert csv.status_code == 200 and csv.data.decode().splitlines()[1].strip() == str(before)

        update = client.post("/sparql", data={"update": "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"})
        assert update.status_code == 200, update.data
        after = count_of(client.get("/sparql", query_string={"query": COUNT}, headers=JSON))
        assert after > before  # the new triple (and its change record) are seen at once
