"""Where one cheap query's time goes, stage by stage, on the served path (p50 of many runs).

Run: .venv/bin/python benchmarks/profile_read_path.py STORE_DIR [--repeat 2000] [--query lookup]
(STORE_DIR: a store `kg build --store` wrote, e.g. benchmarks/run.py --work DIR's store-10000.)

Stages, each timed on its own in this process (p50, milliseconds), then the whole request
through HTTP against `kg serve` on loopback (one client, keep-alive) and against Oxigraph's
server on the same store, for scale:

  evaluation + pyoxigraph JSON   store.query + QuerySolutions.serialize (the floor)
  evaluation + Python JSON       store.query + kg.engine.results (per-row Python terms)
  guard + rewrites               the worker's prepare_query (tokenize, guard, conformance)
  worker round trip              pool.run_query minus what the worker does (pipe, wake-ups)
  HTTP server + client           HTTP p50 minus pool.run_query (kg.server.front, the lean
                                 /sparql path, the scheduler, the client's own work)

The stages overlap nothing: their sum is the HTTP p50 (up to noise). Figures of one process
on a shared machine: compare stages within one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import (PREFIXES, QUERIES, Server, VENV_BIN, accept_for, free_port,  # noqa: E402
                 http_get, kg_command)

ID = "https://w3id.org/civic-protest/id/"
PARAMS = {"person": f"{ID}person/syn-1-0", "defendant": f"{ID}person/syn-2-0",
          "event": f"{ID}event/syn-1-arrest", "rally": f"{ID}event/syn-1-rally",
          "year": 2010, "next_year": 2020, "word": "karimi"}


def p50(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def stages(store_dir: str, name: str, repeat: int) -> dict[str, float]:
    import pyoxigraph as ox

    from kg.engine.jobs import QueryJob
    from kg.engine.results import serialize_solutions
    from kg.server.app import create_app
    from kg.sparql.prepare import prepare_query
    from kg.server.sparql import QUERY_PREFIXES

    text = PREFIXES + QUERIES[name] % PARAMS
    store = ox.Store.read_only(store_dir)
    out = {}
    out["evaluation + pyoxigraph JSON"] = p50(lambda: store.query(
        text, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON), repeat)
    out["evaluation + Python JSON"] = p50(lambda: serialize_solutions(
        store.query(text, use_default_graph_as_union=True), "json", 10000), repeat)
    job = QueryJob(text=text, base_iri="http://127.0.0.1/sparql", row_limit=10000,
                   prefixes=QUERY_PREFIXES, accept="application/sparql-results+json")
    prepared = prepare_query(job, store)
    out["guard + rewrites"] = p50(lambda: prepare_query(job, store), repeat)

    app = create_app({"STORE": store_dir, "DATASET_PATH": "", "WORKERS": 1,
                      "CLIENT_MAX_REQUESTS": None, "CLIENT_MAX_QUERIES": None,
                      "RESULT_CACHE_BYTES": 0})
    pool = app.extensions["kg_engine"].pool
    in_worker = out["guard + rewrites"] + out["evaluation + Python JSON"]
    round_trip = p50(lambda: pool.run_query(job), repeat)
    out["worker round trip"] = round_trip - in_worker
    app.extensions["kg_engine"].close()
    del prepared, store
    out["_server_total"] = round_trip
    return out


def http_p50(port: int, path: str, name: str, repeat: int) -> float:
    import http.client

    text = PREFIXES + QUERIES[name] % PARAMS
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for _ in range(50):
        http_get(conn, path, name, text)
    value = p50(lambda: http_get(conn, path, name, text), repeat)
    conn.close()
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("store")
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--query", default="lookup", choices=sorted(QUERIES))
    parser.add_argument("--processes", type=int, default=1, help="kg serve server processes")
    args = parser.parse_args()
    assert accept_for(args.query) == "application/sparql-results+json", "a SELECT query, please"
    figures = stages(args.store, args.query, args.repeat)
    servers = {}
    try:
        port = free_port()
        servers["kg"] = Server("kg", kg_command(args.store, port, 1, 0, args.processes), port,
                               "/sparql", ready_path="/-/health")
        port = free_port()
        servers["oxigraph"] = Server("oxigraph", [str(VENV_BIN / "oxigraph"), "serve-read-only",
                                                  "--location", args.store, "--bind",
                                                  f"127.0.0.1:{port}", "--union-default-graph"],
                                     port, "/query")
        http = {name: http_p50(s.port, s.path, args.query, args.repeat) for name, s in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
    figures["HTTP server (front, lean path, scheduler) + client"] = http["kg"] - figures.pop("_server_total")
    print(f"{args.query}: p50 per stage (ms), {args.repeat} runs each")
    print()
    print("| stage | ms |")
    print("|---|---|")
    for stage, value in figures.items():
        print(f"| {stage} | {value:.3f} |")
    print(f"| **HTTP p50, kg** | **{http['kg']:.3f}** |")
    print(f"| HTTP p50, Oxigraph's server (same store) | {http['oxigraph']:.3f} |")
    floor = figures["evaluation + pyoxigraph JSON"]
    print(f"\nkg overhead over the in-process engine: {http['kg'] - floor:.3f} ms")


if __name__ == "__main__":
    main()
