"""Durability: an acknowledged write survives SIGKILL of the server (and its workers).

A writer streams updates at a server with an on-disk store (`--store DIR`: RocksDB plus the
write-ahead log); the server's process group is SIGKILLed at a random moment, 22 times.
After each restart every acknowledged write is present, and no write is present in part
(each inserts three triples and moves a counter; in-flight ones may be there or not).
"""

import os
import random
import signal
import subprocess
import sys
import threading
import time

import requests

from server_fixtures import SMALL_DATASET, free_port, wait_until_healthy

TOKEN = "durable-token"
GRAPH = "http://example.org/durability"
KILLS = 22


def start(store_dir):
    port = free_port()
    arguments = {"host": "127.0.0.1", "port": port, "store": str(store_dir),
                 "dataset_path": str(SMALL_DATASET), "update_token": f"writer={TOKEN}",
                 "workers": 1}
    code = f"from kg.server.run import serve; serve(**{arguments!r})"
    process = subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_until_healthy(base, process)
    return process, base


def kill(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def write(session, base, n):
    text = (f"DELETE {{ GRAPH <{GRAPH}> {{ <http://example.org/counter> <http://example.org/at> ?old }} }} "
            f"INSERT {{ GRAPH <{GRAPH}> {{ <http://example.org/counter> <http://example.org/at> {n} . "
            f"<http://example.org/w/{n}> <http://example.org/a> {n} ; <http://example.org/b> {n} ; "
            f"<http://example.org/c> {n} }} }} "
            f"WHERE {{ OPTIONAL {{ GRAPH <{GRAPH}> {{ <http://example.org/counter> <http://example.org/at> ?old }} }} }}")
    response = session.post(base + "/sparql", data=text.encode(), timeout=10, headers={
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"})
    return response.status_code == 200


def state(base):
    query = (f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    rows = requests.get(base + "/sparql", params={"query": query}, timeout=10, headers={
        "Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    writes, counters = {}, []
    for row in rows:
        s, p, o = row["s"]["value"], row["p"]["value"], int(row["o"]["value"])
        if s == "http://example.org/counter":
            counters.append(o)
        else:
            writes.setdefault(int(s.rsplit("/", 1)[1]), set()).add(p.rsplit("/", 1)[1])
    return writes, counters


def test_acknowledged_writes_survive_sigkill(tmp_path):
    started = time.monotonic()
    store_dir = tmp_path / "store"
    acknowledged, attempted = set(), 0
    rng = random.Random(7)
    for round_number in range(KILLS + 1):
        process, base = start(store_dir)
        try:
            writes, counters = state(base)
            assert acknowledged <= set(writes), sorted(acknowledged - set(writes))[:10]
            for n, parts in writes.items():
                assert parts == {"a", "b", "c"}, (n, parts)  # never in part
            assert set(writes) <= set(range(attempted)), "a write nobody sent"
            if writes:
                assert counters == [max(writes)], (counters, max(writes))
            else:
                assert counters == []
            if round_number == KILLS:
                break
            stop = threading.Event()

            def stream():
                nonlocal attempted
                with requests.Session() as session:
                    while not stop.is_set():
                        n = attempted
                        attempted += 1
                        try:
                            if write(session, base, n):
                                acknowledged.add(n)
                        except requests.RequestException:
                            return  # killed mid-request: not acknowledged

            writer = threading.Thread(target=stream)
            writer.start()
            time.sleep(rng.uniform(0.2, 0.7))
            kill(process)  # while a write is (most likely) in flight
            stop.set()
            writer.join(timeout=15)
        finally:
            if process.poll() is None:
                kill(process)
    assert len(acknowledged) >= KILLS, "too few writes to mean anything"
    assert time.monotonic() - started < 90
