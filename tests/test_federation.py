"""Federation under control (kg.sparql.federation): a SERVICE to an endpoint on the allow-list
is answered by that endpoint (here a second SPARQL endpoint on loopback with a small extract
standing in for Wikidata, never the internet), with our User-Agent; a SERVICE off the list, or
SERVICE ?var, is refused with 400 before any connection."""

from __future__ import annotations


import pyoxigraph as ox
import pytest
from recording_endpoint import serve_store

from kg.dataset.examples import load_examples
from kg.sparql.federation import (
    USER_AGENT, ServiceFailed, ServiceRefused, WIKIDATA_QUERY_SERVICE, federate, service_calls,
)

WIKIDATA_EXTRACT = """
<http://www.wikidata.org/entity/Q80053> <http://www.wikidata.org/prop/direct/P1082> "1558693"^^<http://www.w3.org/2001/XMLSchema#decimal> .
<http://www.wikidata.org/entity/Q180103> <http://www.wikidata.org/prop/direct/P1082> "529374"^^<http://www.w3.org/2001/XMLSchema#decimal> .
<http://www.wikidata.org/entity/Q80053> <http://www.w3.org/2000/01/rdf-schema#label> "Tabriz"@en .
"""
OURS = """
@prefix cpo: <https://w3id.org/civic-protest/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix place: <https://w3id.org/civic-protest/id/place/> .
@prefix event: <https://w3id.org/civic-protest/id/event/> .
place:tabriz a cpo:City, cpo:Place ; schema:name "Tabriz" ; skos:exactMatch <http://www.wikidata.org/entity/Q80053> .
place:ardabil a cpo:City, cpo:Place ; schema:name "Ardabil" ; skos:exactMatch <http://www.wikidata.org/entity/Q180103> .
event:a1 a cpo:Arrest ; cpo:place place:tabriz .
event:a2 a cpo:Arrest ; cpo:place place:tabriz .
event:a3 a cpo:Arrest ; cpo:place place:ardabil .
"""


@pytest.fixture(scope="module")
def stand_in():
    """A second SPARQL endpoint on loopback; it records every request it gets."""
    store = ox.Store()
    store.load(WIKIDATA_EXTRACT.encode(), format=ox.RdfFormat.N_TRIPLES)
    server, url, seen = serve_store(store)
    yield url, seen
    server.shutdown()


@pytest.fixture(scope="module")
def ours():
    store = ox.Store()
    store.load(OURS.encode(), format=ox.RdfFormat.TURTLE)
    return store


def population_query(endpoint: str) -> str:
    example = next(e for e in load_examples() if e.name == "federated-population-of-arrest-cities")
    return example.query.replace(WIKIDATA_QUERY_SERVICE, endpoint)


def test_a_federated_example_against_the_loopback_stand_in(stand_in, ours):
    endpoint, seen = stand_in
    before = len(seen)
    text = federate(population_query(endpoint), allowlist=[endpoint])
    assert service_calls(text, allowlist=[]) == []        # no SERVICE left for pyoxigraph
    rows = {s["name"].value: (int(s["arrests"].value), s["population"].value) for s in ours.query(text)}
    assert rows == {"Tabriz": (2, "1558693"), "Ardabil": (1, "529374")}
    assert len(seen) == before + 1
    assert seen[-1]["user_agent"] == USER_AGENT
    assert "wdt:P1082" in seen[-1]["query"] or "P1082" in seen[-1]["query"]


def test_a_service_off_the_allow_list_is_refused_without_a_connection(stand_in):
    endpoint, seen = stand_in
    before = len(seen)
    with pytest.raises(ServiceRefused) as refused:
        federate(population_query(endpoint), allowlist=[WIKIDATA_QUERY_SERVICE])
    assert refused.value.status == 400 and "allow-list" in str(refused.value)
    with pytest.raises(ServiceRefused):
        federate(population_query(endpoint), allowlist=[])          # the default: empty
    assert len(seen) == before


def test_service_with_a_variable_is_refused(stand_in):
    endpoint, seen = stand_in
    before = len(seen)
    with pytest.raises(ServiceRefused):
        federate("SELECT * WHERE { ?s ?p ?e . SERVICE ?e { ?s ?p ?o } }", allowlist=[endpoint])
    with pytest.raises(ServiceRefused):
        federate("PREFIX x: <http://127.0.0.1/> SELECT * WHERE { SERVICE x:sparql { ?s ?p ?o } }",
                 allowlist=[endpoint])
    assert len(seen) == before


def test_a_failing_service_is_502_unless_silent():
    dead = "http://127.0.0.1:1/sparql"
    with pytest.raises(ServiceFailed) as failed:
        federate(f"SELECT * WHERE {{ SERVICE <{dead}> {{ ?s ?p ?o }} }}", allowlist=[dead], timeout=2)
    assert failed.value.status == 502
    text = federate(f"SELECT * WHERE {{ SERVICE SILENT <{dead}> {{ ?s ?p ?o }} }}", allowlist=[dead], timeout=2)
    assert "VALUES" in text


def test_service_keywords_in_strings_and_comments_are_not_services():
    text = 'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" } # SERVICE <http://y/>'
    assert service_calls(text, allowlist=[]) == []
    assert federate(text, allowlist=[]) == text


def test_the_federated_examples_are_titled_and_name_the_wikidata_query_service():
    examples = [e for e in load_examples() if e.name.startswith("federated-")]
    assert len(examples) >= 2
    for example in examples:
        assert example.query.startswith("# title:")
        assert WIKIDATA_QUERY_SERVICE in example.query
