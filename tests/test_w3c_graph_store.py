"""The W3C SPARQL 1.1 Graph Store HTTP Protocol suite (13 tests) against a live server.

Request paths start with /gsp: replaced by /store. Every write carries the update token
(the suite's requests have none; our writes need one). `$LOCATION$` is replaced by the
Location header of the response that declared it. Expected bodies are compared as graphs
(isomorphism). Before each test the graphs it names are deleted, so each starts afresh.
"""

import http.client
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import rdflib
from rdflib import RDF, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from kg.paths import W3C_SPARQL11_DIR
from server_fixtures import SMALL_DATASET, live_server

GSP_DIR = W3C_SPARQL11_DIR / "graph-store-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
TOKEN = "secret-gsp"
STATUS_CODES = {status.phrase.replace(" ", "").replace("-", ""): status.value
                for status in HTTPStatus}
RDF_PARSERS = {"text/turtle": "turtle", "application/n-triples": "nt",
               "application/rdf+xml": "xml", "application/ld+json": "json-ld"}


def header_list(graph, node):
    items = graph.value(node, HT.headers)
    return {str(graph.value(h, HT.fieldName)).lower(): str(graph.value(h, HT.fieldValue))
            for h in (Collection(graph, items) if items else [])}


def read_request(graph, request):
    body = graph.value(request, HT.body)
    response = graph.value(request, HT.resp)
    response_body = graph.value(response, HT.body)
    return {
        "method": str(graph.value(request, HT.methodName)),
        "path": str(graph.value(request, HT.absolutePath)).replace("/gsp", "/store", 1),
        "headers": header_list(graph, request),
        "body": str(graph.value(body, CNT.chars)) if body else None,
        "statuses": {STATUS_CODES[str(s).rsplit("#", 1)[-1]]
                     for s in graph.objects(response, MF.expectedStatus)},
        "location": str(graph.value(response, MF.expectedLocation) or "") or None,
        "response_headers": header_list(graph, response),
        "response_body": str(graph.value(response_body, CNT.chars)) if response_body else None,
    }


def load_tests():
    tests = []
    for name in ("manifest-direct.ttl", "manifest-indirect.ttl"):
        graph = rdflib.Graph().parse(GSP_DIR / name, format="turtle")
        manifest = next(graph.subjects(RDF.type, MF.Manifest))
        for test in Collection(graph, graph.value(manifest, MF.entries)):
            action = graph.value(test, MF.action)
            requests = [read_request(graph, r)
                        for r in Collection(graph, graph.value(action, HT.requests))]
            tests.append({"id": str(test).rsplit("#", 1)[-1], "requests": requests})
    return tests


TESTS = load_tests()


@pytest.fixture(scope="module")
def server():
    with live_server(update_token=f"w3c-suite={TOKEN}", dataset_path=str(SMALL_DATASET),
                     query_timeout=20) as base:
        yield urlsplit(base).netloc


def send(netloc, method, path, headers=None, body=None):
    connection = http.client.HTTPConnection(netloc, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), \
            response.read()
    finally:
        connection.close()


def start_afresh(netloc, test):
    """Delete the graphs the test names (an earlier test may have left them)."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for request in test["requests"]:
        path = request["path"]
        if "$LOCATION$" not in path and path != "/store":
            status, _, body = send(netloc, "DELETE", path, auth)
            assert status in (200, 204, 404), body


def test_manifest_has_13_tests():
    assert len(TESTS) == 13


@pytest.mark.parametrize("test", TESTS, ids=[t["id"] for t in TESTS])
def test_graph_store_protocol(server, test):
    start_afresh(server, test)
    variables = {}
    for request in test["requests"]:
        path, body = request["path"], request["body"]
        for name, value in variables.items():
            path = path.replace(name, quote(value, safe=""))
            body = body.replace(name, value) if body else body
        headers = dict(request["headers"])
        if request["method"] not in ("GET", "HEAD"):
            headers["Authorization"] = f"Bearer {TOKEN}"
        status, response_headers, response_body = send(
            server, request["method"], path, headers, body.encode() if body else None)
        assert status in request["statuses"], (request["method"], path, status, response_body)
        if request["location"]:
            assert response_headers.get("location"), response_headers
            variables[request["location"]] = response_headers["location"]
        for name, value in request["response_headers"].items():
            assert response_headers.get(name, "").replace(" ", "").lower() == \
                value.replace(" ", "").lower(), (name, response_headers)
        if request["response_body"] is not None:
            media_type = response_headers["content-type"].split(";")[0]
            got = rdflib.Graph().parse(data=response_body, format=RDF_PARSERS[media_type])
            expected = rdflib.Graph().parse(data=request["response_body"], format="turtle")
            assert isomorphic(got, expected), response_body.decode()


def test_post_to_the_store_then_get_by_its_location_directly(server):
    status, headers, _ = send(server, "POST", "/store", {
        "Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
        b"<http://example.org/a> <http://example.org/b> 'c' .")
    assert status == 201
    location = urlsplit(headers["location"])
    status, headers, body = send(server, "GET", location.path, {"Accept": "application/n-triples"})
    assert status == 200 and b"<http://example.org/a>" in body


def test_writes_need_the_token_reads_do_not(server):
    path = "/store?graph=" + quote("http://example.org/token-test", safe="")
    assert send(server, "PUT", path, {"Content-Type": "text/turtle"}, b"")[0] == 401
    assert send(server, "PUT", path, {"Content-Type": "text/turtle",
                                      "Authorization": "Bearer wrong"}, b"")[0] == 403
    assert send(server, "GET", path)[0] == 404


def test_json_ld_with_a_remote_context_is_refused_and_changes_nothing(server):
    path = "/store?graph=" + quote("http://example.org/jsonld-test", safe="")
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/ld+json"}
    remote = b'{"@context": "http://example.org/context.jsonld", "@id": "http://x", "name": "y"}'
    status, _, body = send(server, "PUT", path, auth, remote)
    assert status == 400, body
    assert send(server, "GET", path)[0] == 404
    local = b'{"@context": {"name": "http://schema.org/name"}, "@id": "http://x", "name": "y"}'
    assert send(server, "PUT", path, auth, local)[0] == 201
    status, _, body = send(server, "GET", path, {"Accept": "application/n-triples"})
    assert b'<http://x> <http://schema.org/name> "y"' in body


def test_rdf_xml_external_entities_are_not_fetched(server):
    path = "/store?graph=" + quote("http://example.org/xxe-test", safe="")
    xml = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           b'xmlns:x="http://x/"><rdf:Description rdf:about="http://a"><x:p>&e;</x:p>'
           b'</rdf:Description></rdf:RDF>')
    status, _, body = send(server, "PUT", path, {"Authorization": f"Bearer {TOKEN}",
                                                 "Content-Type": "application/rdf+xml"}, xml)
    assert status == 400 and b"root:" not in body
    assert send(server, "GET", path)[0] == 404
