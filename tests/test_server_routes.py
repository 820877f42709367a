"""Row cap, CORS, system routes, VoID, and updates seen by later queries."""

import csv
import io
import json

import pytest
import rdflib

from server_fixtures import app_client

TOKEN = "t0ken"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ALL_ROWS = "SELECT * WHERE { ?s ?p ?o }"  # the fixture has 6 quads


@pytest.fixture(scope="module")
def client():
    with app_client(ROW_LIMIT=4, UPDATE_TOKEN=TOKEN) as client:
        yield client


def test_select_truncated_at_the_row_limit_says_so(client):
    response = client.get("/sparql", query_string={"query": ALL_ROWS})
    assert response.headers["X-KG-Truncated"] == "true"
    assert response.headers["X-KG-Row-Limit"] == "4"
    data = response.get_json()
    assert len(data["results"]["bindings"]) == 4
    assert data["head"]["link"] == ["/-/limits#row-limit"]
    assert client.get(data["head"]["link"][0].split("#")[0]).get_json()["row_limit"] == 4


def test_csv_truncated_too(client):
    response = client.get("/sparql", query_string={"query": ALL_ROWS, "format": "csv"})
    assert response.headers["X-KG-Truncated"] == "true"
    assert len(list(csv.reader(io.StringIO(response.get_data(as_text=True))))) == 1 + 4


def test_construct_truncated_too(client):
    response = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }",
                                                   "format": "nt"})
    assert response.headers["X-KG-Truncated"] == "true"
    assert len(rdflib.Graph().parse(data=response.data, format="nt")) == 4


def test_no_truncation_header_under_the_limit(client):
    response = client.get("/sparql", query_string={"query": ALL_ROWS + " LIMIT 3"})
    assert "X-KG-Truncated" not in response.headers
    assert "link" not in response.get_json()["head"]


def test_cors_on_query_routes(client):
    response = client.get("/sparql", query_string={"query": "ASK {}"},
                          headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_system_routes(client):
    health = client.get("/-/health").get_json()
    assert health["status"] == "ok"
    assert set(client.get("/-/version").get_json()) >= {"kg", "pyoxigraph"}
    assert "https://w3id.org/civic-protest/graph/data" in client.get("/-/graphs").get_json()["graphs"]


def test_void(client):
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.mimetype == "text/turtle"
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dataset = rdflib.URIRef("http://localhost/.well-known/void#dataset")
    assert graph.value(dataset, void.triples).toPython() == 6
    assert str(graph.value(dataset, void.sparqlEndpoint)).endswith("/sparql")


def ask(client, query) -> bool:
    return client.get("/sparql", query_string={"query": query}).get_json()["boolean"]


def update(client, text):
    return client.post("/sparql", data=text, headers=AUTH, content_type="application/sparql-update")


def test_an_update_is_seen_by_every_later_query(client):
    inserted = "ASK { GRAPH <http://example.org/g> { <http://example.org/a> ?p ?o } }"
    assert not ask(client, inserted)
    version = client.get("/-/health").get_json()["dataset_version"]
    response = update(client, "INSERT DATA { GRAPH <http://example.org/g> { "
                              "<http://example.org/a> <http://example.org/b> 1 } }")
    assert response.status_code == 200 and response.get_json()["added"] == 1
    assert client.get("/-/health").get_json()["dataset_version"] == version + 1
    for _ in range(4):  # every worker answers from the new version
        assert ask(client, inserted)
    assert update(client, "DROP GRAPH <http://example.org/g>").get_json()["removed"] == 1
    for _ in range(4):
        assert not ask(client, inserted)


def test_a_failing_multi_operation_update_changes_nothing(client):
    before = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    response = update(client, "INSERT DATA { <http://example.org/x> <http://example.org/y> 2 } ; "
                              "CREATE GRAPH <https://w3id.org/civic-protest/graph/data>")
    assert response.status_code == 400
    assert not ask(client, "ASK { <http://example.org/x> ?p ?o }")
    after = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert json.loads(before.data) == json.loads(after.data)


def test_updates_see_the_protocol_dataset(client):
    # (not `?s a ?type` in the copy: a user graph typing nodes with our classes is
    # validated with the shapes before commit, kg.writes.commit)
    text = ("INSERT { GRAPH <http://example.org/copy> { ?s <http://example.org/type> ?type } } "
            "WHERE { ?s a ?type }")
    response = client.post("/sparql", data=text, headers=AUTH,
                           content_type="application/sparql-update",
                           query_string={"using-graph-uri": "https://w3id.org/civic-protest/graph/inferred"})
    assert response.status_code == 200 and response.get_json()["added"] == 1
    update(client, "DROP GRAPH <http://example.org/copy>")


def test_updates_persist_in_an_on_disk_store(tmp_path):
    directory = tmp_path / "store"
    insert = "INSERT DATA { <http://example.org/kept> <http://example.org/p> 1 }"
    kept = "ASK { <http://example.org/kept> ?p ?o }"
    with app_client(STORE=str(directory), OPEN_UPDATE=True) as first:
        assert ask(first, "ASK { ?s a cpo:Protest }")
        assert first.post("/sparql", data={"update": insert}).status_code == 200
    with app_client(STORE=str(directory)) as second:
        assert ask(second, kept)
        assert ask(second, "ASK { GRAPH <https://w3id.org/civic-protest/graph/data> { ?s ?p ?o } }")


def test_an_update_past_the_deadline_is_503_and_changes_nothing():
    with app_client(OPEN_UPDATE=True, QUERY_TIMEOUT=1) as client:
        slow = ("INSERT { <http://example.org/n> <http://example.org/c> ?n } WHERE { "
                "SELECT (COUNT(*) AS ?n) { " + " ".join(f"GRAPH ?g{i} {{ ?s{i} ?p{i} ?o{i} }}" for i in range(14))
                + " } }")  # updates see the store's default graph (empty here), hence GRAPH
        response = client.post("/sparql", data={"update": slow})
        assert response.status_code == 503
        assert "update was stopped" in response.get_json()["error"]["detail"]
        assert not ask(client, "ASK { <http://example.org/n> ?p ?o }")
        assert client.get("/-/health").get_json()["dataset_version"] == 0
