"""The W3C SPARQL 1.1 Protocol suite (34 tests) against a live `serve()` on loopback."""

import http.client
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import rdflib
from rdflib import RDF, RDFS, Namespace
from rdflib.collection import Collection

from kg.paths import W3C_SPARQL11_DIR
from server_fixtures import SMALL_DATASET, live_server

PROTOCOL_DIR = W3C_SPARQL11_DIR / "protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

TABULAR_TYPES = {"application/sparql-results+json", "application/sparql-results+xml",
                 "text/csv", "text/tab-separated-values"}
RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle", "application/n-triples": "nt"}
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


def load_manifest():
    graph = rdflib.Graph().parse(PROTOCOL_DIR / "manifest.ttl", format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = Collection(graph, graph.value(manifest, MF.entries))
    return [read_test(graph, test) for test in entries]


def read_test(graph, test):
    action = graph.value(test, MF.action)
    return {
        "id": str(test).rsplit("#", 1)[-1],
        "graphs": [(str(graph.value(data, RDFS.label)), Path(str(graph.value(data, UT.graph))[7:]))
                   for data in graph.objects(test, UT.graphData)],
        "requests": [read_request(graph, r)
                     for r in Collection(graph, graph.value(action, HT.requests))],
    }


def read_request(graph, request):
    body = graph.value(request, HT.body)
    headers_list = graph.value(request, HT.headers)
    headers = {str(graph.value(h, HT.fieldName)): str(graph.value(h, HT.fieldValue))
               for h in (Collection(graph, headers_list) if headers_list else [])}
    response = graph.value(request, HT.resp)
    boolean = graph.value(response, MF.expectedBoolean)
    encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8") if body else None
    return {
        "method": str(graph.value(request, HT.methodName)),
        "path": str(graph.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
        "headers": headers,
        "body": str(graph.value(body, CNT.chars)).encode(encoding) if body else None,
        "statuses": {str(s).rsplit("#StatusCode", 1)[-1] for s in graph.objects(response, MF.expectedStatus)},
        "format": str(graph.value(response, MF.expectedFormat) or "") or None,
        "boolean": None if boolean is None else boolean.toPython(),
    }


TESTS = load_manifest()
GRAPH_FILES = sorted({pair for test in TESTS for pair in test["graphs"]})


@pytest.fixture(scope="module")
def server():
    graphs = [(iri, str(PROTOCOL_DIR / name)) for iri, name in GRAPH_FILES]
    with live_server(open_update=True, named_graphs=graphs, dataset_path=str(SMALL_DATASET),
                     query_timeout=10) as base:
        yield urlsplit(base).netloc


def send(netloc, method, path, headers, body):
    connection = http.client.HTTPConnection(netloc, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def ensure_graph_data(netloc, graphs):
    """Load the test's graphs (again, as an earlier update test may have dropped them)."""
    for iri, name in graphs:
        data = (PROTOCOL_DIR / name).read_text()
        update = f"INSERT DATA {{ GRAPH <{iri}> {{ {data} }} }}".encode()
        status, _, body = send(netloc, "POST", "/sparql",
                               {"Content-Type": "application/sparql-update"}, update)
        assert status == 200, body


def boolean_of(content_type, body):
    if content_type in ("application/sparql-results+json", "application/json"):
        return json.loads(body)["boolean"]
    if content_type in ("application/sparql-results+xml", "application/xml"):
        return ET.fromstring(body).find(SPARQL_RESULTS + "boolean").text == "true"
    pytest.fail(f"no boolean result format: {content_type}")


def check_response(expected, status, content_type, body):
    assert f"{status // 100}xx" in expected["statuses"], (status, body[:500])
    media_type = content_type.split(";")[0].strip()
    if expected["format"] == "boolean":
        value = boolean_of(media_type, body)
        if expected["boolean"] is not None:
            assert value is expected["boolean"]
    elif expected["format"] == "tabular":
        assert media_type in TABULAR_TYPES
        if media_type == "application/sparql-results+json":
            assert json.loads(body)["results"]["bindings"][0]["value"]["value"] == "1"
    elif expected["format"] == "RDF":
        assert media_type in RDF_TYPES
        rdflib.Graph().parse(data=body, format=RDF_TYPES[media_type])


@pytest.mark.parametrize("test", TESTS, ids=[t["id"] for t in TESTS])
def test_protocol(server, test):
    ensure_graph_data(server, test["graphs"])
    for request in test["requests"]:
        status, content_type, body = send(server, request["method"], request["path"],
                                          request["headers"], request["body"])
        check_response(request, status, content_type, body)


def test_manifest_has_34_tests():
    assert len(TESTS) == 34
