"""Safe in public: deadlines that truly stop work, no fetching, read-only by default."""

import socket
import subprocess
import sys
import threading
import time

import pyoxigraph as ox
import pytest
import requests

from attacks.net import session_from
from kg.engine import DatasetStore, QueryJob, WorkerCrashed, WorkerPool
from kg.server.run import is_loopback
from server_fixtures import RUNAWAY_QUERY, app_client, live_server, write_flat_dataset

DEADLINE = 2.0
TOKEN = "s3cret-token"
SIMPLE_QUERY = "ASK { ?s ?p ?o }"
CARTESIAN = RUNAWAY_QUERY
CATASTROPHIC_REGEX = ('SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f '
                      'FILTER(REGEX(CONCAT(STR(?c), STR(?f), "!"), "^(a+)+$")) }')


@pytest.fixture(scope="module")
def big_dataset(tmp_path_factory):
    """5000 triples: a three-way cartesian product over them never ends."""
    return write_flat_dataset(tmp_path_factory.mktemp("safety") / "big.nq", 5000,
                              value=lambda i: "a" * (i % 50 + 1))


@pytest.fixture(scope="module")
def server(big_dataset):
    with live_server(dataset_path=str(big_dataset), query_timeout=DEADLINE, workers=2,
                     update_token=TOKEN) as base:
        yield base


def ask(base, query, **kwargs):
    return requests.get(base + "/sparql", params={"query": query}, timeout=30, **kwargs)


def run_while_probing(server, heavy_query):
    """Send `heavy_query`; meanwhile time simple queries of another client (another
    loopback address: one client alone may not hold every worker, kg.server.limits)."""
    outcome = {}

    def run_heavy():
        started = time.monotonic()
        outcome["response"] = requests.post(server + "/sparql", data=heavy_query, timeout=30,
                                            headers={"Content-Type": "application/sparql-query"})
        outcome["seconds"] = time.monotonic() - started

    heavy_thread = threading.Thread(target=run_heavy)
    heavy_thread.start()
    simple_times = []
    with session_from("127.0.0.2") as second_connection:
        while heavy_thread.is_alive():
            started = time.monotonic()
            response = second_connection.get(server + "/sparql", params={"query": SIMPLE_QUERY},
                                             timeout=5)
            simple_times.append(time.monotonic() - started)
            assert response.status_code == 200 and response.json()["boolean"] is True
            time.sleep(0.1)
    heavy_thread.join()
    return outcome["response"], outcome["seconds"], simple_times


@pytest.mark.parametrize("heavy", [CARTESIAN, CATASTROPHIC_REGEX], ids=["cartesian", "regex"])
def test_heavy_query_stopped_at_deadline_while_simple_queries_answer(server, heavy):
    response, seconds, simple_times = run_while_probing(server, heavy)
    assert response.status_code == 503
    assert "deadline" in response.json()["error"]["detail"]
    assert DEADLINE <= seconds < DEADLINE + 3
    assert len(simple_times) >= 5 and max(simple_times) < 1.0, simple_times
    # the killed worker was replaced: the server still answers
    assert ask(server, SIMPLE_QUERY).json()["boolean"] is True


def test_checking_a_hostile_query_never_stalls_the_server(server):
    """A 1 MiB query of a million tokens: checking it costs seconds of Python, in a worker."""
    hostile = "ASK { FILTER(1" + ")" * (1024 * 1024 - 20) + "}"
    response, _, simple_times = run_while_probing(server, hostile)
    assert response.status_code in (400, 503)
    assert max(simple_times) < 1.0, simple_times


@pytest.fixture
def loopback_listener():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.5)
    yield listener, f"http://127.0.0.1:{listener.getsockname()[1]}/"
    listener.close()


def assert_no_connection(listener):
    with pytest.raises(socket.timeout):
        connection, _ = listener.accept()
        connection.close()


FETCHING_QUERIES = [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    r"SELECT * WHERE { \u0053ERVICE <{url}> { ?s ?p ?o } }",
    r"SELECT * WHERE { SERVIC\u0045 <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?endpoint { <{url}> } SERVICE ?endpoint { ?s ?p ?o } }",
    "select * where { service # a comment\n <{url}> { ?s ?p ?o } }",
    "SELECT * FROM <{url}> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX remote: <{url}> SELECT * FROM remote:data WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("template", FETCHING_QUERIES)
def test_queries_that_would_fetch_are_refused_without_connecting(server, loopback_listener, template):
    listener, url = loopback_listener
    response = ask(server, template.replace("{url}", url))
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400
    assert_no_connection(listener)


@pytest.mark.parametrize("update", ["LOAD <{url}>", "LOAD SILENT <{url}> INTO GRAPH <http://example.org/x>",
                                    r"\u004COAD <{url}>",
                                    "INSERT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }"])
def test_updates_that_would_fetch_are_refused_without_connecting(server, loopback_listener, update):
    listener, url = loopback_listener
    response = requests.post(server + "/sparql", data=update.replace("{url}", url), timeout=30,
                             headers={"Content-Type": "application/sparql-update",
                                      "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400, response.text
    assert_no_connection(listener)


def test_protocol_dataset_naming_a_url_is_never_fetched(server, loopback_listener):
    listener, url = loopback_listener
    response = requests.get(server + "/sparql", timeout=30, params={
        "query": "ASK { ?s ?p ?o }", "default-graph-uri": url, "named-graph-uri": url})
    assert response.status_code == 200 and response.json()["boolean"] is False
    assert_no_connection(listener)


def test_keywords_inside_strings_iris_and_comments_are_not_refused(server):
    query = ('SELECT ?service WHERE { BIND("SERVICE <http://x/>" AS ?service) '
             '# LOAD <http://x/>\n FILTER(?service != <http://example.org/SERVICE>) }')
    assert ask(server, query).status_code == 200


def test_deep_nesting_refused_before_parsing(server):
    query = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    response = requests.post(server + "/sparql", data=query, timeout=30,
                             headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400 and "nests" in response.json()["error"]["detail"]
    assert ask(server, SIMPLE_QUERY).status_code == 200


def test_a_crashing_worker_is_replaced():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://a"), ox.NamedNode("http://b"), ox.Literal("c")))
    pool = WorkerPool(DatasetStore(store), size=1, deadline=10)
    try:
        with pytest.raises(WorkerCrashed, match="SIGSEGV"):  # unguarded: the parser crashes
            pool.run_query(QueryJob("SELECT * WHERE " + "{" * 50000 + "}" * 50000, "json"))
        outcome = pool.run_query(QueryJob("ASK { ?s ?p ?o }", "json", union_default_graph=True))
        assert b"true" in outcome.body
    finally:
        pool.close()


def test_open_update_refuses_a_non_loopback_host():
    code = "from kg.server.run import serve; serve(host='0.0.0.0', port=0, open_update=True)"
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert finished.returncode != 0
    assert b"loopback" in finished.stderr


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                            ("0.0.0.0", False), ("192.0.2.1", False), ("::", False)])
def test_loopback_detection(host, loopback):
    assert is_loopback(host) is loopback


UPDATE = "INSERT DATA { GRAPH <http://example.org/new> { <http://example.org/a> <http://example.org/b> 1 } }"
CHECK = "ASK { GRAPH <http://example.org/new> { ?s ?p ?o } }"


def test_read_only_by_default():
    with app_client() as client:
        response = client.post("/sparql", data=UPDATE, content_type="application/sparql-update")
        assert response.status_code == 403
        assert response.get_json()["error"]["status"] == 403
        response = client.post("/sparql", data={"update": UPDATE})
        assert response.status_code == 403
        assert client.get("/sparql", query_string={"query": CHECK}).get_json()["boolean"] is False


@pytest.mark.parametrize("authorization, status", [(None, 401), ("Bearer wrong", 403),
                                                   ("Basic czNjcmV0", 401), (f"Bearer {TOKEN}", 200)])
def test_updates_need_the_token(authorization, status):
    with app_client(UPDATE_TOKEN=TOKEN) as client:
        headers = {"Authorization": authorization} if authorization else {}
        response = client.post("/sparql", data=UPDATE, headers=headers,
                               content_type="application/sparql-update")
        assert response.status_code == status
        if status == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        changed = client.get("/sparql", query_string={"query": CHECK}).get_json()["boolean"]
        assert changed is (status == 200)


def test_a_query_past_the_memory_budget_ends_its_worker_not_the_server(big_dataset):
    with app_client(DATASET_PATH=str(big_dataset), WORKER_MEMORY_BYTES=300 * 1024 ** 2,
                    QUERY_TIMEOUT=20) as client:
        hungry = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
        response = client.get("/sparql", query_string={"query": hungry})
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert "memory" in response.get_json()["error"]["detail"]
        assert client.get("/sparql", query_string={"query": SIMPLE_QUERY}).get_json()["boolean"]


def test_a_worker_killed_while_idle_is_replaced_before_use():
    import os
    import signal

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://a"), ox.NamedNode("http://b"), ox.Literal("c")))
    pool = WorkerPool(DatasetStore(store), size=1, deadline=10)
    try:
        os.kill(pool._idle[0].pid, signal.SIGKILL)
        time.sleep(0.2)
        assert b"true" in pool.run_query(QueryJob("ASK { ?s ?p ?o }", "json")).body
    finally:
        pool.close()


def test_a_query_in_flight_keeps_its_snapshot_and_its_worker_is_retired_after():
    from kg.engine import UpdateJob
    from kg.engine.worker import decode_reply

    store = ox.Store()
    pool = WorkerPool(DatasetStore(store), size=1, deadline=10)
    try:
        in_flight = pool._checkout(time.monotonic() + 5)  # a worker busy since before the write
        pool.run_update(UpdateJob("INSERT DATA { <http://a> <http://b> <http://c> }"))
        in_flight.conn.send(QueryJob("ASK { ?s ?p ?o }", "json"))
        reply = decode_reply(in_flight.conn.recv_bytes())  # the body behind a small header
        assert b"false" in reply[1].body  # the version it was forked with
        pool._checkin(in_flight)  # retired: replaced by a fork of the new version
        assert b"true" in pool.run_query(QueryJob("ASK { ?s ?p ?o }", "json")).body
        assert all(w.version == pool.dataset.version for w in pool._idle)
    finally:
        pool.close()
