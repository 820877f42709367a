"""Isolation: readers running during writes only ever see whole writes.

Two balances always sum to 100; every write moves an amount from one to the other in two
operations of one request (after the first, the sum is off). Readers query the balances
by SPARQL and by the Graph Store Protocol all along: each answer has exactly one value per
balance, and they sum to 100. (Refusals for load, 429/503, are retried, not counted.)
"""

import random
import threading
import time

import rdflib
import requests

from server_fixtures import SMALL_DATASET, live_server

TOKEN = "isolation-token"
GRAPH = "http://example.org/accounts"
A, B, BALANCE = "http://example.org/a", "http://example.org/b", "http://example.org/balance"
SECONDS = 6


def transfer(amount: int) -> str:
    move = ("DELETE {{ GRAPH <{g}> {{ <{acct}> <{bal}> ?x }} }} "
            "INSERT {{ GRAPH <{g}> {{ <{acct}> <{bal}> ?y }} }} "
            "WHERE {{ GRAPH <{g}> {{ <{acct}> <{bal}> ?x }} BIND(?x {sign} {amount} AS ?y) }}")
    return (move.format(g=GRAPH, acct=A, bal=BALANCE, sign="-", amount=amount) + " ;\n"
            + move.format(g=GRAPH, acct=B, bal=BALANCE, sign="+", amount=amount))


def test_readers_only_see_whole_writes():
    with live_server(update_token=TOKEN, dataset_path=str(SMALL_DATASET), workers=3) as base:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        response = requests.put(base + "/store", params={"graph": GRAPH}, timeout=30,
                                data=f"<{A}> <{BALANCE}> 50 . <{B}> <{BALANCE}> 50 .",
                                headers={**auth, "Content-Type": "text/turtle"})
        assert response.status_code == 201, response.text
        stop = threading.Event()
        seen, bad, writes = [], [], []

        def read_by_sparql():
            query = f"SELECT ?s ?v WHERE {{ GRAPH <{GRAPH}> {{ ?s <{BALANCE}> ?v }} }}"
            with requests.Session() as session:
                while not stop.is_set():
                    r = session.get(base + "/sparql", params={"query": query}, timeout=30,
                                    headers={"Accept": "application/sparql-results+json"})
                    if r.status_code in (429, 503):
                        time.sleep(0.01)
                        continue
                    rows = r.json()["results"]["bindings"]
                    check(sorted((row["s"]["value"], int(row["v"]["value"])) for row in rows))

        def read_by_graph_store():
            with requests.Session() as session:
                while not stop.is_set():
                    r = session.get(base + "/store", params={"graph": GRAPH}, timeout=30,
                                    headers={"Accept": "application/n-triples"})
                    if r.status_code in (429, 503):
                        time.sleep(0.01)
                        continue
                    graph = rdflib.Graph().parse(data=r.text, format="nt")
                    check(sorted((str(s), int(o)) for s, _, o in graph))

        def check(balances):
            seen.append(balances)
            if [s for s, _ in balances] != [A, B] or sum(v for _, v in balances) != 100:
                bad.append(balances)

        readers = [threading.Thread(target=read_by_sparql),
                   threading.Thread(target=read_by_graph_store)]
        for reader in readers:
            reader.start()
        rng = random.Random(3)
        stop_at = time.monotonic() + SECONDS
        with requests.Session() as session:
            while time.monotonic() < stop_at:
                r = session.post(base + "/sparql", data=transfer(rng.randint(-9, 9)).encode(),
                                 headers={**auth, "Content-Type": "application/sparql-update"},
                                 timeout=30)
                if r.status_code in (429, 503):  # per-client limits: our readers are busy
                    time.sleep(0.01)
                    continue
                assert r.status_code == 200, r.text
                writes.append(r.json()["dataset_version"])
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
        assert not bad, bad[:5]
        assert len(writes) >= 10 and len(seen) >= 20, (len(writes), len(seen))
        assert len({tuple(s) for s in seen}) > 1  # the readers did see writes happen
