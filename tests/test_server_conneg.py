"""Content negotiation: Accept headers and `format` parameters -> Content-Type, parsed back."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.sparql.conneg import negotiate, parse_accept
from server_fixtures import SMALL_DATASET, app_client

DATA_GRAPH = "https://w3id.org/civic-protest/graph/data"
SELECT = f"SELECT ?s ?label WHERE {{ GRAPH <{DATA_GRAPH}> {{ ?s rdfs:label ?label }} }} ORDER BY ?s"
ASK = "ASK { ?s a cpo:Protest }"
CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{DATA_GRAPH}> {{ ?s ?p ?o }} }}"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SR = "{http://www.w3.org/2005/sparql-results#}"
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld",
                  "application/n-triples": "nt", "application/rdf+xml": "xml",
                  "application/trig": "trig", "application/n-quads": "nquads"}


@pytest.fixture(scope="module")
def client():
    with app_client() as client:
        yield client


def expected_data_graph() -> rdflib.Graph:
    dataset = rdflib.Dataset()
    dataset.parse(SMALL_DATASET, format="nquads")
    graph = rdflib.Graph()
    for triple in dataset.graph(rdflib.URIRef(DATA_GRAPH)):
        graph.add(triple)
    return graph


def get(client, query, accept=None, format=None):
    params = {"query": query, **({"format": format} if format else {})}
    return client.get("/sparql", query_string=params,
                      headers={"Accept": accept} if accept else {})


SELECT_CASES = [
    (None, None, "application/sparql-results+json"),
    ("*/*", None, "application/sparql-results+json"),
    ("application/sparql-results+json", None, "application/sparql-results+json"),
    ("application/sparql-results+xml", None, "application/sparql-results+xml"),
    ("text/csv", None, "text/csv"),
    ("text/tab-separated-values", None, "text/tab-separated-values"),
    ("application/json", None, "application/json"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", None, "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0, */*", None, "application/sparql-results+xml"),
    ("text/*", None, "text/csv"),
    ("application/sparql-results+json;q=0.1, text/tab-separated-values", None,
     "text/tab-separated-values"),
    ("text/csv, application/sparql-results+json", None, "text/csv"),
    (BROWSER, None, "application/xml"),
    ("application/sparql-results+json", "csv", "text/csv"),
    (None, "tsv", "text/tab-separated-values"),
    (None, "xml", "application/sparql-results+xml"),
    (None, "json", "application/sparql-results+json"),
    (None, "application/sparql-results+xml", "application/sparql-results+xml"),
]


def parse_select(media_type, body: bytes) -> list[tuple[str, str]]:
    if media_type.endswith("json"):
        data = json.loads(body)
        assert data["head"]["vars"] == ["s", "label"]
        return [(b["s"]["value"], b["label"]["value"]) for b in data["results"]["bindings"]]
    if media_type.endswith("xml"):
        root = ET.fromstring(body)
        return [tuple(r.find(f"{SR}binding[@name='{name}']")[0].text for name in ("s", "label"))
                for r in root.iter(f"{SR}result")]
    if media_type == "text/csv":
        rows = list(csv.reader(io.StringIO(body.decode())))
        assert rows[0] == ["s", "label"]
        return [tuple(row) for row in rows[1:]]
    lines = body.decode().splitlines()
    assert lines[0] == "?s\t?label"
    return [(s.strip("<>"), label.split('"')[1]) for s, label in (l.split("\t") for l in lines[1:])]


@pytest.mark.parametrize("accept, format, media_type", SELECT_CASES)
def test_select(client, accept, format, media_type):
    response = get(client, SELECT, accept, format)
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert parse_select(media_type, response.data) == [
        ("https://w3id.org/civic-protest/id/event/1", "Tabriz rally"),
        ("https://w3id.org/civic-protest/id/event/2", "Ardabil sentencing"),
    ]


@pytest.mark.parametrize("accept, format, media_type", [
    (None, None, "application/sparql-results+json"),
    ("application/sparql-results+xml", None, "application/sparql-results+xml"),
    ("text/csv;q=0.9, application/xml;q=0.5", None, "application/xml"),
    (None, "xml", "application/sparql-results+xml"),
])
def test_ask(client, accept, format, media_type):
    response = get(client, ASK, accept, format)
    assert response.status_code == 200 and response.mimetype == media_type
    if media_type.endswith("json"):
        assert json.loads(response.data)["boolean"] is True
    else:
        assert ET.fromstring(response.data).find(f"{SR}boolean").text == "true"


GRAPH_CASES = [
    (None, None, "text/turtle"),
    ("*/*", None, "text/turtle"),
    ("text/turtle", None, "text/turtle"),
    ("application/ld+json", None, "application/ld+json"),
    ("application/n-triples", None, "application/n-triples"),
    ("application/rdf+xml", None, "application/rdf+xml"),
    ("application/trig", None, "application/trig"),
    ("application/n-quads", None, "application/n-quads"),
    ("text/turtle;q=0.2, application/rdf+xml;q=0.8", None, "application/rdf+xml"),
    ("application/*", None, "application/ld+json"),
    (BROWSER, None, "text/turtle"),
    (None, "ttl", "text/turtle"),
    (None, "turtle", "text/turtle"),
    (None, "json-ld", "application/ld+json"),
    (None, "jsonld", "application/ld+json"),
    (None, "nt", "application/n-triples"),
    (None, "ntriples", "application/n-triples"),
    (None, "rdfxml", "application/rdf+xml"),
    (None, "xml", "application/rdf+xml"),
    (None, "trig", "application/trig"),
    (None, "nquads", "application/n-quads"),
    ("text/turtle", "application/n-triples", "application/n-triples"),
]


@pytest.mark.parametrize("accept, format, media_type", GRAPH_CASES)
def test_construct(client, accept, format, media_type):
    response = get(client, CONSTRUCT, accept, format)
    assert response.status_code == 200 and response.mimetype == media_type
    parsed = rdflib.Dataset() if media_type in ("application/trig", "application/n-quads") \
        else rdflib.Graph()
    parsed.parse(data=response.data, format=RDFLIB_FORMATS[media_type])
    graph = rdflib.Graph()
    for triple in parsed.triples((None, None, None)):
        graph.add(triple)
    assert isomorphic(graph, expected_data_graph())


def test_describe(client):
    response = get(client, "DESCRIBE <https://w3id.org/civic-protest/id/event/1>", "text/turtle")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    assert len(graph) >= 2


@pytest.mark.parametrize("query, accept, format", [
    (SELECT, "text/turtle", None),
    (SELECT, "application/sparql-results+json;q=0", None),
    (ASK, "text/csv", None),
    (CONSTRUCT, "text/csv", None),
    (CONSTRUCT, None, "csv"),
    (SELECT, None, "turtle"),
    (SELECT, None, "no-such-format"),
])
def test_not_acceptable(client, query, accept, format):
    response = get(client, query, accept, format)
    assert response.status_code == 406
    if response.mimetype == "application/json":
        assert response.get_json()["error"]["status"] == 406
    else:  # the client prefers a text type: the canonical body in text/plain
        assert response.mimetype == "text/plain"
        assert response.get_data(as_text=True).startswith("406 Not Acceptable: ")


@pytest.mark.parametrize("accept, media_type, rdflib_format", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    (None, "text/turtle", "turtle"),
])
def test_service_description(client, accept, media_type, rdflib_format):
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and response.mimetype == media_type
    graph = rdflib.Graph().parse(data=response.data, format=rdflib_format)
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = next(graph.subjects(rdflib.RDF.type, sd.Service))
    assert (service, sd.endpoint, None) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (service, sd.resultFormat, rdflib.URIRef("http://www.w3.org/ns/formats/Turtle")) in graph
    names = set(graph.objects(None, sd.name))
    assert rdflib.URIRef(DATA_GRAPH) in names


def test_browser_asking_for_the_endpoint_gets_the_query_page(client):
    response = client.get("/sparql", headers={"Accept": BROWSER})
    assert response.status_code == 303 and response.headers["Location"].endswith("/")


@pytest.mark.parametrize("header, offers, chosen", [
    ("text/csv;q=0.3, text/*;q=0.5", ["text/csv", "text/plain"], "text/plain"),
    ("*/*;q=0.1, text/csv", ["text/plain", "text/csv"], "text/csv"),
    ("text/csv;q=0", ["text/csv"], None),
    ("nonsense, text/csv", ["text/plain", "text/csv"], "text/csv"),
    ("text/csv;q=abc, text/plain;q=0.1", ["text/csv", "text/plain"], "text/plain"),
    ("", ["a/b", "c/d"], "a/b"),
])
def test_accept_parser(header, offers, chosen):
    assert negotiate(header, offers) == chosen


def test_accept_parser_reads_q_values():
    ranges = parse_accept("text/html;level=1;q=0.7, */*;q=0.1, application/json")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "html", 0.7), ("*", "*", 0.1), ("application", "json", 1.0)]
