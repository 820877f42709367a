"""What one client may hold of a live server (kg.server.front, kg.server.scheduler): several
queries at once, a bounded number of connections, requests that must arrive in time, results
within a byte cap, a fair turn at the workers; and downloads generated once.

One live server for the module (one process, so that /-/stats counts all of it), with small
caps; clients from distinct loopback addresses (127.0.0.x) are distinct clients to it."""

import json
import socket
import threading
import time

import pytest
import requests

from attacks.net import session_from
from kg.engine.jobs import QueryJob, QueryOutcome
from kg.server.cache import ResultCache
from server_fixtures import RUNAWAY_QUERY, live_server, write_flat_dataset

HEAVY = RUNAWAY_QUERY
ALL = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
CONNECTIONS, BYTE_CAP, DEADLINE = 4, 20000, 4.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = write_flat_dataset(tmp_path_factory.mktemp("limits") / "data.nq", 3000,
                              value=lambda i: f"value {i}")
    settings = {"CLIENT_MAX_CONNECTIONS": CONNECTIONS, "HEADER_SECONDS": 1.0, "BODY_SECONDS": 1.0,
                "RESULT_MAX_BYTES": BYTE_CAP, "ROW_LIMIT": 100000}
    with live_server(dataset_path=str(path), query_timeout=DEADLINE, workers=2, processes=1,
                     settings=settings) as base:
        yield base


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def raw(base: str, source: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port_of(base)), timeout=10,
                                    source_address=(source, 0))
    return sock


def read_all(sock: socket.socket) -> bytes:
    data = b""
    while True:
        piece = sock.recv(65536)
        if not piece:
            return data
        data += piece


def stats(base: str) -> dict:
    return requests.get(base + "/-/stats", timeout=10).json()


def until_running(base: str, queries: int) -> None:
    """Until the scheduler runs `queries` queries (a bounded wait, not a sleep)."""
    for _ in range(200):
        if stats(base)["scheduler"]["running"] >= queries:
            return
        time.sleep(0.01)
    raise AssertionError(f"the server never ran {queries} queries at once")


def test_four_parallel_queries_from_one_client_all_succeed(server):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://example.org/p1> ?c . ?d <http://example.org/p2> ?f }"
    statuses = []
    with session_from("127.0.0.20") as session:
        def one():
            statuses.append(session.get(server + "/sparql", params={"query": query},
                                        timeout=30).status_code)
        threads = [threading.Thread(target=one) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [200] * 4


def test_connections_over_the_per_address_cap_are_refused_while_another_address_is_served(server):
    busy = [raw(server, "127.0.0.21") for _ in range(CONNECTIONS)]
    for sock in busy:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n")  # headers still to come
    time.sleep(0.2)
    extra = raw(server, "127.0.0.21")
    answer = read_all(extra)
    assert answer.startswith(b"HTTP/1.1 429 ")
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]["status"] == 429
    with session_from("127.0.0.22") as other:
        assert other.get(server + "/-/health", timeout=10).status_code == 200
    for sock in busy:
        sock.close()


def test_idle_connections_of_an_address_make_room_for_its_new_one(server):
    with session_from("127.0.0.23") as first:
        kept = [raw(server, "127.0.0.23") for _ in range(CONNECTIONS)]  # idle, never used
        time.sleep(0.2)
        assert first.get(server + "/-/health", timeout=10).status_code == 200
        closed = sum(1 for sock in kept if _closed(sock))
        assert closed == 1
    for sock in kept:
        sock.close()


def _closed(sock: socket.socket) -> bool:
    sock.settimeout(1.0)
    try:
        return sock.recv(1) == b""
    except socket.timeout:
        return False


def test_a_trickling_request_is_cut_at_the_header_deadline(server):
    sock = raw(server, "127.0.0.24")
    sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
    answer = b""
    for _ in range(20):  # a header byte every 0.2 s would keep it open forever
        try:
            sock.sendall(b"X")
        except OSError:
            break
        sock.settimeout(0.2)
        try:
            piece = sock.recv(65536)
        except socket.timeout:
            continue
        answer += piece
        if not piece or answer.endswith(b"}"):
            break
    assert answer.startswith(b"HTTP/1.1 408 ")
    sock.close()


def test_a_request_with_both_framing_headers_is_answered_and_its_connection_closed(server):
    sock = raw(server, "127.0.0.25")
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                 b"Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nASK {}\n\r\n0\r\n\r\n")
    answer = read_all(sock)  # returns: the server closed the connection
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]["status"] == 400
    sock.close()


def test_a_result_over_the_byte_cap_is_cut_at_a_row_and_flagged(server):
    response = requests.get(server + "/sparql", params={"query": ALL}, timeout=30,
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.headers["X-KG-Truncated"] == "bytes"
    assert response.headers["X-KG-Byte-Limit"] == str(BYTE_CAP)
    assert len(response.content) <= BYTE_CAP
    rows = response.json()["results"]["bindings"]
    assert 0 < len(rows) < 3000


def test_a_client_with_runaways_cannot_keep_another_client_out(server):
    """Two runaways of one client hold both workers; a cheap query of another client stops
    one of them (503, not its deadline) and is answered."""
    results = {}

    def runaway(k):
        with session_from("127.0.0.26") as session:
            results[k] = session.get(server + "/sparql", params={"query": HEAVY}, timeout=30)
    threads = [threading.Thread(target=runaway, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    until_running(server, 2)
    with session_from("127.0.0.27") as other:
        cheap = other.get(server + "/sparql", params={"query": "ASK {}"}, timeout=30)
    for thread in threads:
        thread.join()
    assert cheap.status_code == 200
    stopped = [r for r in results.values() if "other clients" in r.text]
    assert len(stopped) >= 1 and all(r.status_code == 503 for r in results.values())


def test_a_request_whose_client_has_gone_is_dropped_before_it_runs(server):
    before = stats(server)["scheduler"]["dropped_gone"]
    holders = []

    def runaway():
        with session_from("127.0.0.28") as session:
            holders.append(session.get(server + "/sparql", params={"query": HEAVY}, timeout=30))
    threads = [threading.Thread(target=runaway) for _ in range(2)]
    for thread in threads:
        thread.start()
    until_running(server, 2)  # both workers busy
    sock = raw(server, "127.0.0.29")
    sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n")
    for _ in range(200):  # until it waits in the queue
        if stats(server)["scheduler"]["waiting"]:
            break
        time.sleep(0.01)
    sock.close()  # gone before a worker was free
    for thread in threads:
        thread.join()
    assert stats(server)["scheduler"]["dropped_gone"] == before + 1


def test_a_dump_is_generated_once_for_eight_parallel_first_downloads(server):
    before = stats(server)["dump_generations"]
    bodies = []

    def download(k):
        with session_from(f"127.0.1.{k + 1}") as session:
            response = session.get(server + "/dumps/civic-protest-inferred.nt.gz", timeout=60)
            bodies.append((response.status_code, response.content))
    threads = [threading.Thread(target=download, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in bodies] == [200] * 8
    assert len({body for _, body in bodies}) == 1
    assert stats(server)["dump_generations"] == before + 1


def test_the_result_cache_budget_counts_bytes():
    cache = ResultCache(max_bytes=1024 * 1024)
    body = "𝔸".encode() * 1000  # 4-byte characters
    job = QueryJob(text="SELECT ?x { BIND('" + "𝔸" * 1000 + "' AS ?x) }")
    cache.put(0, cache.key(job), QueryOutcome(body, rows=1))
    assert cache.stats()["bytes"] >= len(body) + len(cache.key(job).encode())
