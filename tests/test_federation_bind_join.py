"""The bind join of kg.sparql.federation: a SERVICE is sent with the bindings of the
rest of its group as VALUES, in chunks, never as an unbound pattern (which against the real
Wikidata Query Service would ask for every population Wikidata has); an unbound SERVICE is
capped. Against loopback stand-ins only (HTTP through `kg serve`, or in process), never the
internet."""

from __future__ import annotations

import json
import re
import time
from collections import Counter

import pyoxigraph as ox
import pytest

from kg.sparql.federation import (
    USER_AGENT, WIKIDATA_QUERY_SERVICE, ServiceFailed, ServiceTooLarge, federate, local_part,
    service_calls,
)
from recording_endpoint import serve_store
from test_federation_server import WIKIDATA_EXTRACT, ask, example, kg_serve, rows

WD = "http://www.wikidata.org/entity/"
OURS = """
@prefix cpo: <https://w3id.org/civic-protest/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix place: <https://w3id.org/civic-protest/id/place/> .
@prefix event: <https://w3id.org/civic-protest/id/event/> .
place:tabriz a cpo:City, cpo:Place ; schema:name "Tabriz" ;
    skos:exactMatch <http://www.wikidata.org/entity/Q80053>, <http://sws.geonames.org/113646/> .
place:ardabil a cpo:City, cpo:Place ; schema:name "Ardabil" ;
    skos:exactMatch <http://www.wikidata.org/entity/Q180103> .
place:tehran a cpo:City, cpo:Place ; schema:name "Tehran" ;
    skos:exactMatch <http://www.wikidata.org/entity/Q3616> .
place:tabriz-bazaar a cpo:Place ; schema:name "Tabriz bazaar" ; cpo:locatedIn place:tabriz .
event:a1 a cpo:Arrest ; cpo:place place:tabriz .
event:a2 a cpo:Arrest ; cpo:place place:tabriz-bazaar .
event:a3 a cpo:Arrest ; cpo:place place:ardabil .
"""
PREFIXES = """PREFIX cpo: <https://w3id.org/civic-protest/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
"""
VALUES_BLOCK = re.compile(r"VALUES\s*\(([^)]*)\)\s*\{(.*?)\}\s*\n", re.DOTALL)


def wikidata_store() -> ox.Store:
    store = ox.Store()
    store.load(("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ." + WIKIDATA_EXTRACT).encode(),
               format=ox.RdfFormat.TURTLE)
    return store


def our_store() -> ox.Store:
    store = ox.Store()
    store.load(OURS.encode(), format=ox.RdfFormat.TURTLE)
    return store


def sent_ids(query: str) -> list[str]:
    """The Wikidata ids in the VALUES block of a query the stand-in received."""
    match = VALUES_BLOCK.search(query)
    assert match, f"no VALUES block in {query!r}"
    return re.findall(r"<http://www\.wikidata\.org/entity/(Q\d+)>", match.group(2))


@pytest.fixture(scope="module")
def stand_ins():
    """A Wikidata stand-in (the small extract) and a big endpoint (10 001 triples)."""
    big = ox.Store()
    big.extend(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                       ox.Literal(str(i))) for i in range(10001))
    servers = [serve_store(wikidata_store()), serve_store(big)]
    yield [(url, seen) for _, url, seen in servers]
    for server, _, _ in servers:
        server.shutdown()


@pytest.fixture(scope="module")
def federating(stand_ins, tmp_path_factory):
    path = tmp_path_factory.mktemp("bind-join") / "ours.nq"
    path.write_bytes(ox.serialize(our_store(), format=ox.RdfFormat.N_QUADS))
    (wikidata, _), (big, _) = stand_ins
    with kg_serve(path, "--federate", wikidata, "--federate", big) as url:
        yield url


# --- through kg serve ---------------------------------------------------------------------

def test_population_example_sends_exactly_our_linked_arrest_cities(federating, stand_ins):
    endpoint, seen = stand_ins[0]
    before = len(seen)
    status, body = ask(federating, example("federated-population-of-arrest-cities", endpoint))
    assert status == 200, body
    assert [(r["name"], r["arrests"], r["population"]) for r in rows(body)] == [
        ("Tabriz", "2", "1558693"), ("Ardabil", "1", "529374")]
    requests = seen[before:]
    assert len(requests) == 1 and requests[0]["user_agent"] == USER_AGENT
    # the cities of our arrests, by their Wikidata ids only: not Tehran (no arrest), not GeoNames
    assert sorted(sent_ids(requests[0]["query"])) == ["Q180103", "Q80053"]
    assert "geonames" not in requests[0]["query"] and "wdt:P1082" in requests[0]["query"]


def test_coordinates_example_sends_exactly_our_linked_places(federating, stand_ins):
    endpoint, seen = stand_ins[0]
    before = len(seen)
    status, body = ask(federating, example("federated-coordinates-of-linked-places", endpoint))
    assert status == 200, body
    assert [(r["name"], r["coordinates"]) for r in rows(body)] == [
        ("Ardabil", "Point(48.2933 38.2498)"), ("Tabriz", "Point(46.2919 38.08)"),
        ("Tehran", "Point(51.389 35.6892)")]
    requests = seen[before:]
    assert len(requests) == 1
    assert sorted(sent_ids(requests[0]["query"])) == ["Q180103", "Q3616", "Q80053"]


def test_an_unbound_service_is_capped_with_a_clear_error(federating, stand_ins):
    big, seen = stand_ins[1]
    before = len(seen)
    status, body = ask(federating, f"SELECT * WHERE {{ SERVICE <{big}> {{ ?s ?p ?o }} }}")
    assert status == 400, body
    assert "unbound" in body["error"]["detail"] and "10000" in body["error"]["detail"]
    assert len(seen) == before + 1 and "LIMIT 10001" in seen[-1]["query"]
    status, body = ask(federating, f"SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE SILENT <{big}> {{ ?s ?p ?o }} }}")
    assert status == 200 and rows(body) == [{"n": "1"}]        # SILENT: the one empty solution


def test_the_examples_are_written_for_the_real_wikidata_query_service():
    for name, property_ in (("federated-population-of-arrest-cities", "P1082"),
                            ("federated-coordinates-of-linked-places", "P625")):
        query = example(name, WIKIDATA_QUERY_SERVICE)
        assert f"wdt:{property_}" in query
        assert "PREFIX wd: <http://www.wikidata.org/entity/>" in query
        assert "PREFIX wdt: <http://www.wikidata.org/prop/direct/>" in query
        assert "kg serve --federate https://query.wikidata.org/sparql" in query.splitlines()[1]
        part = local_part(query, service_calls(query, [WIKIDATA_QUERY_SERVICE])[0])
        assert part is not None and part.variables == ("wikidata",) and part.flat


# --- in process: chunks, caps, time, and the same answers as without federation --------------

class Remote:
    """The stand-in in process: answers like an endpoint over `store` and records each query."""

    def __init__(self, store: ox.Store, delay: float = 0.0):
        self.store, self.delay, self.queries, self.timeouts = store, delay, [], []

    def __call__(self, endpoint, query, timeout, user_agent):
        self.queries.append(query)
        self.timeouts.append(timeout)
        time.sleep(self.delay)
        return json.loads(self.store.query(query).serialize(format=ox.QueryResultsFormat.JSON))


def run(query: str, ours: ox.Store, remote: Remote, **options) -> Counter:
    text = federate(query, ["http://wikidata.test/sparql"], fetch=remote,
                    local=lambda q: ours.query(q), **options)
    assert service_calls(text, []) == []
    return solutions(ours.query(text))


def solutions(results) -> Counter:
    names = [v.value for v in results.variables]
    return Counter(tuple(str(s[n]) if s[n] is not None else None for n in names) for s in results)


def reference(query: str) -> Counter:
    """The answer SPARQL gives with the remote data in the same store and no SERVICE (the two
    data sets share no predicate, so each pattern matches only its own side)."""
    merged = our_store()
    merged.extend(wikidata_store())
    return solutions(merged.query(query.replace("SERVICE <http://wikidata.test/sparql>", "")
                                       .replace("SERVICE SILENT <http://wikidata.test/sparql>", "")))


def test_chunks_of_a_forced_small_size_give_the_same_answer():
    query = example("federated-coordinates-of-linked-places", "http://wikidata.test/sparql")
    remote = Remote(wikidata_store())
    assert run(query, our_store(), remote, chunk_size=2) == reference(query)
    assert [len(sent_ids(q)) for q in remote.queries] == [2, 1]
    assert sorted(i for q in remote.queries for i in sent_ids(q)) == ["Q180103", "Q3616", "Q80053"]
    remote = Remote(wikidata_store())
    assert run(query, our_store(), remote, chunk_size=1) == reference(query)
    assert len(remote.queries) == 3


@pytest.mark.parametrize("query", [
    # the examples' shape, with duplicates: counts must not change
    PREFIXES + """SELECT ?w (COUNT(*) AS ?n) WHERE { ?c skos:exactMatch ?w . ?a cpo:place ?c .
        SERVICE <http://wikidata.test/sparql> { ?w wdt:P1082 ?pop } } GROUP BY ?w""",
    # a FILTER reading a remote variable stays out of the local part
    PREFIXES + """SELECT * WHERE { ?c skos:exactMatch ?w . FILTER(?pop > 1000000)
        SERVICE <http://wikidata.test/sparql> { ?w wdt:P1082 ?pop } }""",
    # a shared variable bound only by OPTIONAL is not sent; the certainly bound one is
    PREFIXES + """SELECT * WHERE { ?c schema:name ?name OPTIONAL { ?c skos:exactMatch ?w }
        SERVICE <http://wikidata.test/sparql> { ?w wdt:P1082 ?pop } }""",
    # P leaves the shared variable unbound in some answers: sent as { VALUES ... { P } }
    PREFIXES + """SELECT * WHERE { ?c skos:exactMatch ?w .
        SERVICE <http://wikidata.test/sparql> { OPTIONAL { ?w wdt:P1082 ?pop } } }""",
    # a SERVICE after another, bound by the first one's answers
    PREFIXES + """SELECT * WHERE { ?c skos:exactMatch ?w .
        SERVICE <http://wikidata.test/sparql> { ?w wdt:P1082 ?pop }
        SERVICE <http://wikidata.test/sparql> { ?w wdt:P625 ?point } }""",
    # inside OPTIONAL, nothing before it in its group: bound by what the OPTIONAL extends
    PREFIXES + """SELECT * WHERE { ?c skos:exactMatch ?w .
        OPTIONAL { SERVICE <http://wikidata.test/sparql> { ?w wdt:P1082 ?pop } FILTER(?pop > 600000) } }""",
    PREFIXES + """SELECT * WHERE { ?c skos:exactMatch ?w .
        MINUS { SERVICE <http://wikidata.test/sparql> { ?w wdt:P1082 ?pop } FILTER(?pop > 600000) } }""",
    # ... but not when P may leave the variable unbound: sent unbound (capped)
    PREFIXES + """SELECT * WHERE { ?c skos:exactMatch ?w .
        OPTIONAL { SERVICE <http://wikidata.test/sparql> { OPTIONAL { ?w wdt:P1082 ?pop } } } }""",
    # inside GRAPH: not isolated, sent unbound (capped), same answer
    PREFIXES + """SELECT * WHERE { GRAPH ?g { ?c skos:exactMatch ?w .
        SERVICE <http://wikidata.test/sparql> { ?w wdt:P1082 ?pop } } }""",
    # a FILTER of the group after the SERVICE, reading only local variables, runs locally too
    PREFIXES + """SELECT * WHERE { ?c skos:exactMatch ?w ; schema:name ?name .
        SERVICE <http://wikidata.test/sparql> { ?w wdt:P1082 ?pop } FILTER(?name != "Tehran") }""",
    # a group with nothing of ours matching: nothing is sent
    PREFIXES + """SELECT * WHERE { ?c skos:exactMatch ?w ; schema:name "Nowhere" .
        SERVICE <http://wikidata.test/sparql> { ?w wdt:P1082 ?pop } }""",
])
def test_the_bind_join_gives_the_answer_sparql_defines(query):
    remote = Remote(wikidata_store())
    assert run(query, our_store(), remote, chunk_size=2) == reference(query)
    for sent in remote.queries:
        if VALUES_BLOCK.search(sent):
            assert set(sent_ids(sent)) <= {"Q80053", "Q180103", "Q3616"}
        else:
            assert "LIMIT 10001" in sent


def test_a_blank_node_of_ours_is_never_sent():
    ours = our_store()
    ours.add(ox.Quad(ox.BlankNode(), ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch"),
                     ox.NamedNode(WD + "Q80053")))
    query = PREFIXES + """SELECT * WHERE { ?w skos:exactMatch ?x .
        SERVICE <http://wikidata.test/sparql> { ?w wdt:P1082 ?pop } }"""
    remote = Remote(wikidata_store())
    assert sum(run(query, ours, remote).values()) == 0
    assert remote.queries == [] or "_:" not in remote.queries[0]


def test_too_many_local_bindings_is_an_error_not_a_truncation():
    query = example("federated-coordinates-of-linked-places", "http://wikidata.test/sparql")
    remote = Remote(wikidata_store())
    with pytest.raises(ServiceTooLarge) as refused:
        run(query, our_store(), remote, max_bindings=2)
    assert refused.value.status == 400 and "more than 2 distinct values of ?wikidata" in str(refused.value)
    assert remote.queries == []


def test_too_many_remote_answers_is_an_error_and_silent_gives_the_empty_solution():
    query = example("federated-coordinates-of-linked-places", "http://wikidata.test/sparql")
    with pytest.raises(ServiceTooLarge):
        run(query, our_store(), Remote(wikidata_store()), max_rows=2)
    silent = query.replace("SERVICE <", "SERVICE SILENT <")
    answer = run(silent, our_store(), Remote(wikidata_store()), max_rows=2)
    assert sum(answer.values()) == 3 and all(row[-1] is None for row in answer)


def test_all_chunks_of_one_service_share_its_timeout():
    query = example("federated-coordinates-of-linked-places", "http://wikidata.test/sparql")
    remote = Remote(wikidata_store(), delay=0.3)
    with pytest.raises(ServiceFailed) as failed:
        run(query, our_store(), remote, chunk_size=1, timeout=0.5)
    assert failed.value.status == 502 and "ran out" in str(failed.value)
    assert len(remote.queries) == 2 and remote.timeouts[1] < remote.timeouts[0] <= 0.5


def test_a_service_inside_optional_is_bound_by_what_the_optional_extends():
    query = PREFIXES + """SELECT ?name ?pop WHERE { ?c schema:name ?name ; skos:exactMatch ?w .
        FILTER(?name != "Tehran")
        OPTIONAL { SERVICE <http://wikidata.test/sparql> { ?w wdt:P1082 ?pop } } }"""
    remote = Remote(wikidata_store())
    assert run(query, our_store(), remote) == reference(query)
    assert len(remote.queries) == 1
    assert sorted(sent_ids(remote.queries[0])) == ["Q180103", "Q80053"]


def test_filters_reading_remote_or_optional_variables_never_narrow_the_local_part():
    query = PREFIXES + """SELECT * WHERE { ?c skos:exactMatch ?w OPTIONAL { ?c schema:name ?name }
        FILTER(?pop > 1000000) FILTER(!BOUND(?name) || ?name != "x") FILTER(RAND() < 2)
        FILTER(?w != <http://x/>)
        SERVICE <http://wikidata.test/sparql> { ?w wdt:P1082 ?pop } }"""
    part = local_part(query, service_calls(query, ["http://wikidata.test/sparql"])[0])
    assert part.variables == ("w",)
    assert re.findall(r"FILTER\([^\n]*?\)(?= |\n)", part.query) == ["FILTER(true)"] * 4 + ["FILTER(?w != <http://x/>)"]
    assert "?pop" not in part.query and "RAND" not in part.query
