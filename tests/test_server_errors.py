"""Every error status of the endpoint, each with the one canonical body."""

import pytest

from server_fixtures import app_client

MAX_BYTES = 2000


@pytest.fixture(scope="module")
def client():
    with app_client(MAX_REQUEST_BYTES=MAX_BYTES) as client:
        yield client


def canonical(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status
    assert error["title"] and error["detail"]
    return error


def test_malformed_query_gives_the_parser_message_and_position(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?s ?p }"})
    error = canonical(response, 400)
    assert error["line"] == 2 and isinstance(error["column"], int)
    assert "syntax error" in error["detail"]


def test_malformed_update_is_400(client):
    with app_client(OPEN_UPDATE=True) as update_client:
        response = update_client.post("/sparql", data={"update": "CLEAR XYZ"})
        assert canonical(response, 400)["line"] == 1


@pytest.mark.parametrize("params", [
    {"query": ["ASK {}", "SELECT * {}"]},
    {"query": "ASK {}", "format": ["json", "xml"]},
    {"query": "ASK {}", "default-graph-uri": "not an iri"},
    {"query": "ASK {}", "using-graph-uri": "http://example.org/g"},
    {"query": "SELECT * { SERVICE <http://example.org/> { ?s ?p ?o } }"},
])
def test_bad_requests(client, params):
    canonical(client.get("/sparql", query_string=params), 400)


def test_query_and_update_together_is_400(client):
    response = client.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"})
    canonical(response, 400)


@pytest.mark.parametrize("body, content_type", [
    (b"ASK {} \xff", "application/sparql-query"),
    ("ASK {}".encode("utf-16"), "application/sparql-query; charset=UTF-16"),
    (b"query=ASK%20%7B%7D%FF", "application/x-www-form-urlencoded"),
    (b"ASK {}", "application/sparql-query; charset=latin1"),
])
def test_non_utf8_is_400(client, body, content_type):
    assert "UTF-8" in canonical(client.post("/sparql", data=body, content_type=content_type), 400)["detail"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405_with_allow(client, method):
    response = client.open("/sparql", method=method, query_string={"query": "ASK {}"})
    canonical(response, 405)
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_update_by_get_is_405(client):
    response = client.get("/sparql", query_string={"update": "CLEAR ALL"})
    canonical(response, 405)
    assert response.headers["Allow"] == "POST"


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_unsupported_content_type_is_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/sparql", data=b"ASK {}", headers=headers)
    canonical(response, 415)


def test_too_large_body_is_413(client):
    query = "ASK {} #" + "x" * MAX_BYTES
    response = client.post("/sparql", data=query, content_type="application/sparql-query")
    canonical(response, 413)


def test_too_long_query_string_is_414(client):
    response = client.get("/sparql", query_string={"query": "ASK {} #" + "x" * MAX_BYTES})
    canonical(response, 414)


def test_update_on_read_only_endpoint_is_403(client):
    response = client.post("/sparql", data="CLEAR ALL", content_type="application/sparql-update")
    canonical(response, 403)


def test_unknown_route_is_404(client):
    canonical(client.get("/no/such/route"), 404)


def test_text_body_when_the_client_prefers_text(client):
    response = client.get("/sparql", query_string={"query": "SELECT"},
                          headers={"Accept": "text/plain, application/json;q=0.5"})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith("400 Bad Request: syntax error")


def test_timeout_is_503(client):
    with app_client(QUERY_TIMEOUT=0.5) as slow_client:
        query = "SELECT (COUNT(*) AS ?n) {" + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(14)) + "}"
        response = slow_client.get("/sparql", query_string={"query": query})
        assert "deadline" in canonical(response, 503)["detail"]
        assert response.headers["Retry-After"]


def test_size_limits_through_the_http_server_keep_the_canonical_body():
    import requests

    from server_fixtures import live_server

    with live_server(dataset_path="", query_timeout=5) as base:
        big = "ASK {} #" + "x" * (1024 * 1024)
        response = requests.post(base + "/sparql", data=big, timeout=30,
                                 headers={"Content-Type": "application/sparql-query"})
        assert response.status_code == 413 and response.json()["error"]["status"] == 413
        response = requests.get(base + "/sparql", params={"query": big}, timeout=30)
        assert response.status_code == 414 and response.json()["error"]["status"] == 414
        response = requests.get(base + "/sparql", params={"query": "ASK {} #" + "x" * 300_000},
                                timeout=30)
        assert response.status_code == 200


def test_too_many_parameters_is_400():
    body = "query=ASK%20%7B%7D" + "&x=" * 1500
    with app_client() as roomy_client:
        response = roomy_client.post("/sparql", data=body,
                                     content_type="application/x-www-form-urlencoded")
        assert "parameters" in canonical(response, 400)["detail"]
