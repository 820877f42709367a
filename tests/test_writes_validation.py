"""Writes are validated before commit: for each node shape, an update that breaks it is
answered 422 with the SHACL report and the store's digest is unchanged; a multi-operation
update whose last operation fails changes nothing; an upload that fails to parse in its
middle leaves nothing behind; an accepted write is recorded in the change log as PROV.

The live server serves a small conforming dataset built like the real one (ontology +
shapes/examples/common.ttl as the data graph, closed under the build's inference), so the
writes that still recompute everything (to the ontology, of schema triples) stay short.
"""

import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
import rdflib

from kg.pipeline.build import build
from kg.paths import SHAPES_DIR
from kg.namespaces import DATA_GRAPH
from server_fixtures import live_server

EXAMPLES = SHAPES_DIR / "examples"
SHAPES = sorted({m.group(1) for p in EXAMPLES.glob("*Shape-invalid.ttl")
                 if (m := re.match(r"^([A-Za-z]+Shape)-invalid$", p.stem))})
TOKEN = "s3cret-curator"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DATA_STORE = "/store?graph=" + quote(str(DATA_GRAPH), safe="")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("writes")
    data = work / "data"
    data.mkdir()
    shutil.copy(EXAMPLES / "common.ttl", data / "common.ttl")
    result = build(work / "dataset.nq", data_dir=data, sources_dir=None)
    assert result.conforms, result.report.describe()
    with live_server(update_token=f"alice={TOKEN}", dataset_path=str(work / "dataset.nq"),
                     query_timeout=60) as base:
        yield base


def digest(base):
    return requests.get(base + "/-/digest", timeout=30).json()["sha256"]


def as_insert_data(path: Path) -> str:
    triples = rdflib.Graph().parse(path, format="turtle").serialize(format="nt")
    return f"INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ {triples} }} }}"


def update(base, text):
    return requests.post(base + "/sparql", data=text.encode(), timeout=120,
                         headers={**AUTH, "Content-Type": "application/sparql-update"})


def test_every_node_shape_has_an_invalid_example():
    assert len(SHAPES) >= 30


@pytest.mark.parametrize("shape", SHAPES)
def test_an_update_breaking_a_shape_is_refused_and_changes_nothing(server, shape):
    before = digest(server)
    response = update(server, as_insert_data(EXAMPLES / f"{shape}-invalid.ttl"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["violations"], error
    for violation in error["violations"]:
        assert {"focus_node", "path", "message", "value", "shape", "severity"} <= set(violation)
    assert any(v["severity"] == "Violation" for v in error["violations"])
    assert digest(server) == before


def test_a_graph_store_upload_breaking_a_shape_is_refused(server):
    before = digest(server)
    response = requests.post(server + DATA_STORE, timeout=120,
                             data=(EXAMPLES / "PersonShape-invalid.ttl").read_bytes(),
                             headers={**AUTH, "Content-Type": "text/turtle"})
    assert response.status_code == 422
    assert any("PersonShape" in (v["shape"] or "") or "Person" in v["message"]
               for v in response.json()["error"]["violations"])
    assert digest(server) == before


def test_a_multi_operation_update_whose_last_operation_fails_changes_nothing(server):
    before = digest(server)
    valid = as_insert_data(EXAMPLES / "PersonShape-valid.ttl")
    invalid = as_insert_data(EXAMPLES / "ArrestShape-invalid.ttl")
    text = ("INSERT DATA { GRAPH <http://example.org/notes> { <http://example.org/n> "
            f"<http://example.org/says> 'first' }} }} ;\n{valid} ;\n{invalid}")
    assert update(server, text).status_code == 422
    assert digest(server) == before
    # and one whose last operation is an evaluation error (not a validation one)
    text = (f"{valid} ;\nINSERT DATA {{ GRAPH <http://example.org/notes> {{ <http://example.org/n> "
            "<http://example.org/says> 'second' } } ;\n"
            f"CREATE GRAPH <{DATA_GRAPH}>")
    assert update(server, text).status_code == 400
    assert digest(server) == before


def test_an_upload_failing_to_parse_in_its_middle_leaves_nothing(server):
    before = digest(server)
    lines = [f"<http://example.org/s{n}> <http://example.org/p> {n} ." for n in range(2000)]
    lines.insert(1000, "<http://example.org/broken> <http://example.org/p> \"unterminated .")
    for method in ("PUT", "POST"):
        response = requests.request(method, server + "/store?graph=http%3A%2F%2Fexample.org%2Fbig",
                                    data="\n".join(lines).encode(), timeout=60,
                                    headers={**AUTH, "Content-Type": "application/n-triples"})
        assert response.status_code == 400, response.text
        assert digest(server) == before
    # multipart: the first part is fine, the second is broken
    files = [("a", ("a.ttl", b"<http://example.org/a> <http://example.org/p> 1 .", "text/turtle")),
             ("b", ("b.ttl", b"<http://example.org/b> <http://example.org/p> ", "text/turtle"))]
    response = requests.post(server + "/store?graph=http%3A%2F%2Fexample.org%2Fbig", files=files,
                             headers=AUTH, timeout=60)
    assert response.status_code == 400
    assert digest(server) == before
    assert requests.get(server + "/store?graph=http%3A%2F%2Fexample.org%2Fbig").status_code == 404


def test_an_accepted_write_updates_inference_and_is_logged_as_prov(server):
    before = digest(server)
    response = update(server, as_insert_data(EXAMPLES / "PersonShape-valid.ttl"))
    assert response.status_code == 200, response.text
    assert response.json()["added"] > 0
    assert digest(server) != before
    person = next(rdflib.Graph().parse(EXAMPLES / "PersonShape-valid.ttl", format="turtle")
                  .subjects(rdflib.RDF.type, rdflib.URIRef(
                      "https://w3id.org/civic-protest/ontology#Person")))
    inferred = requests.get(server + "/sparql", timeout=30, params={"query": (
        f"ASK {{ GRAPH <https://w3id.org/civic-protest/graph/inferred> {{ <{person}> a ?c }} }}")},
        headers={"Accept": "application/sparql-results+json"}).json()["boolean"]
    assert inferred  # the closure was brought up to date (at least the superclasses)
    query = f"""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX ch: <https://w3id.org/civic-protest/changes#>
        SELECT ?who ?when ?added WHERE {{ GRAPH <https://w3id.org/civic-protest/graph/changes> {{
          ?change a prov:Activity ; prov:wasAssociatedWith/rdfs:label ?who ;
                  prov:startedAtTime ?when ; ch:triplesAdded ?added ;
                  ch:added [ rdf:subject <{person}> ; rdf:predicate rdf:type ] }} }}"""
    rows = requests.get(server + "/sparql", params={"query": query}, timeout=30, headers={
        "Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert len(rows) == 1 and rows[0]["who"]["value"] == "alice"
    assert int(rows[0]["added"]["value"]) == response.json()["added"]


def test_clients_cannot_write_the_managed_graphs(server):
    for graph in ("https://w3id.org/civic-protest/graph/changes",
                  "https://w3id.org/civic-protest/graph/inferred"):
        response = requests.put(server + "/store?graph=" + quote(graph, safe=""), timeout=30,
                                data=b"", headers={**AUTH, "Content-Type": "text/turtle"})
        assert response.status_code == 403
