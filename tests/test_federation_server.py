"""Federation through a live `kg serve --federate URL`: the federated example queries
run against a second SPARQL endpoint on loopback standing in for Wikidata (never the
internet); a SERVICE to an endpoint off the allow-list is refused with 400 and no connection
is ever made to it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

import pyoxigraph as ox
import pytest

from recording_endpoint import serve_store
from server_fixtures import free_port, wait_until_healthy
from kg.dataset.examples import load_examples
from kg.sparql.federation import USER_AGENT, WIKIDATA_QUERY_SERVICE

WIKIDATA_EXTRACT = """
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
wd:Q80053 rdfs:label "Tabriz"@en ; wdt:P1082 "1558693"^^xsd:decimal ;
    wdt:P625 "Point(46.2919 38.08)"^^geo:wktLiteral .
wd:Q180103 rdfs:label "Ardabil"@en ; wdt:P1082 "529374"^^xsd:decimal ;
    wdt:P625 "Point(48.2933 38.2498)"^^geo:wktLiteral .
wd:Q3616 rdfs:label "Tehran"@en ; wdt:P1082 "8693706"^^xsd:decimal ;
    wdt:P625 "Point(51.389 35.6892)"^^geo:wktLiteral .
"""
OURS = """
@prefix cpo: <https://w3id.org/civic-protest/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix place: <https://w3id.org/civic-protest/id/place/> .
@prefix event: <https://w3id.org/civic-protest/id/event/> .
place:tabriz a cpo:City, cpo:Place ; schema:name "Tabriz" ; skos:exactMatch <http://www.wikidata.org/entity/Q80053> .
place:ardabil a cpo:City, cpo:Place ; schema:name "Ardabil" ; skos:exactMatch <http://www.wikidata.org/entity/Q180103> .
place:tabriz-bazaar a cpo:Place ; schema:name "Tabriz bazaar" ; cpo:locatedIn place:tabriz .
event:a1 a cpo:Arrest ; cpo:place place:tabriz .
event:a2 a cpo:Arrest ; cpo:place place:tabriz-bazaar .
event:a3 a cpo:Arrest ; cpo:place place:ardabil .
"""


@pytest.fixture(scope="module")
def stand_in():
    """A second SPARQL endpoint on loopback with a small extract of Wikidata's cities; it
    records every request."""
    store = ox.Store()
    store.load(("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ." + WIKIDATA_EXTRACT).encode(),
               format=ox.RdfFormat.TURTLE)
    server, url, seen = serve_store(store)
    yield url, seen
    server.shutdown()


@contextmanager
def kg_serve(dataset, *arguments):
    """`kg serve` (the command line) on loopback, in its own process group."""
    port = free_port()
    command = [sys.executable, "-c", "import sys; from kg.cli import main; sys.exit(main())",
               "serve", "--host", "127.0.0.1", "--port", str(port), "--dataset", str(dataset),
               *arguments]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, seconds=60)
        yield base + "/sparql"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        process.stderr.close()


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    store = ox.Store()
    store.load(OURS.encode(), format=ox.RdfFormat.TURTLE)
    path = tmp_path_factory.mktemp("federation") / "ours.nq"
    path.write_bytes(ox.serialize(store, format=ox.RdfFormat.N_QUADS))
    return path


@pytest.fixture(scope="module")
def federating(ours, stand_in):
    endpoint, _ = stand_in
    with kg_serve(ours, "--federate", endpoint) as url:
        yield url


def ask(url, query):
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode({"query": query}).encode(), method="POST",
        headers={"Accept": "application/sparql-results+json",
                 "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def example(name, endpoint):
    query = next(e for e in load_examples() if e.name == name).query
    assert WIKIDATA_QUERY_SERVICE in query
    return query.replace(WIKIDATA_QUERY_SERVICE, endpoint)


def rows(body):
    return [{k: v["value"] for k, v in row.items()} for row in body["results"]["bindings"]]


def test_population_of_arrest_cities_through_kg_serve(federating, stand_in):
    endpoint, seen = stand_in
    before = len(seen)
    status, body = ask(federating, example("federated-population-of-arrest-cities", endpoint))
    assert status == 200, body
    assert [(r["name"], r["arrests"], r["population"]) for r in rows(body)] == [
        ("Tabriz", "2", "1558693"), ("Ardabil", "1", "529374")]
    assert len(seen) == before + 1 and seen[-1]["user_agent"] == USER_AGENT


def test_coordinates_of_linked_places_through_kg_serve(federating, stand_in):
    endpoint, _ = stand_in
    status, body = ask(federating, example("federated-coordinates-of-linked-places", endpoint))
    assert status == 200, body
    assert [(r["name"], r["coordinates"]) for r in rows(body)] == [
        ("Ardabil", "Point(48.2933 38.2498)"), ("Tabriz", "Point(46.2919 38.08)")]


@contextmanager
def listener():
    """A TCP listener on loopback that counts the connections it gets."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.1)
    accepted, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = sock.accept()
            except (socket.timeout, OSError):
                continue
            accepted.append(1)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", accepted
    finally:
        stop.set()
        thread.join(2)
        sock.close()


def test_service_off_the_allow_list_is_refused_without_a_connection(federating, stand_in):
    endpoint, seen = stand_in
    before = len(seen)
    with listener() as (other, accepted):
        queries = [
            example("federated-population-of-arrest-cities", other),
            f"SELECT * WHERE {{ SERVICE SILENT <{other}> {{ ?s ?p ?o }} }}",
            # the listed endpoint too, when written any other way than exactly as listed
            f"SELECT * WHERE {{ SERVICE <{endpoint}/> {{ ?s ?p ?o }} }}",
            f"BASE <{endpoint.rsplit('/', 1)[0]}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
            f"PREFIX x: <{endpoint.rsplit('/', 1)[0]}/> SELECT * WHERE {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ VALUES ?e {{ <{endpoint}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE <{other}> {{ ?s ?p ?o }} }}",
            # an allowed SERVICE does not let a second, unlisted one through
            f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} SERVICE <{other}> {{ ?s ?p ?o }} }}",
        ]
        for query in queries:
            status, body = ask(federating, query)
            assert status == 400, (query, body)
        time.sleep(0.3)
        assert accepted == []
    assert len(seen) == before


def test_without_federate_every_service_is_refused(ours, stand_in):
    endpoint, seen = stand_in
    before = len(seen)
    with kg_serve(ours) as url:
        status, body = ask(url, example("federated-population-of-arrest-cities", endpoint))
    assert status == 400 and "SERVICE" in json.dumps(body)
    assert len(seen) == before
