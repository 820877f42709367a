"""The benchmark, in one command: build, start-up, memory, latency and HTTP throughput of
`kg serve`, side by side with peers on the same synthetic data.

Run:   .venv/bin/python benchmarks/run.py [--quick] [--sizes 1e4,1e5,1e6] [--seconds 5]
Needs: `pip install -e .[bench]` (rdflib-endpoint; the `oxigraph` package's server binary).
       Virtuoso (Debian's virtuoso-opensource) is used where `virtuoso-t` is on PATH.

For each size: generate (benchmarks/generate.py, seed 1), build with `kg build --store`
(kg.pipeline.build with the compiled rules and SHACL as SPARQL: parse, inference, validation
timed, peak RSS; owlrl + pyshacl too up to --owlrl-max),
start `kg serve --store` and measure the time to a healthy endpoint and the RSS and PSS of the
server and its workers, then run the query mix, every query anchored on one entity so that
none grows with the data:

  lookup     a person's record, their arrests anchored inside the OPTIONAL
  by-place   a person's events counted per place (GROUP BY over that person's events)
  dates      a person's events in a window of years (FILTER on cpo:earliestDate)
  3-hop      person <- ruling -> court -> name, OPTIONAL provision -> article
  text       the protesters of one rally whose name contains a string
  construct  CONSTRUCT of an event's neighbourhood (in and out)
  describe   DESCRIBE a person

Each query takes a parameter drawn (seeded) from the data, so repeated requests are not one
query: latencies measure evaluation, and our result cache (off for the comparison, then
measured on its own against Oxigraph on a mix that repeats) cannot flatter us. Latency
p50/p99: in-process (pyoxigraph on the same on-disk store, result serialized by pyoxigraph)
and through HTTP, one client. Throughput: requests per second at concurrency 1, 4, 8 and 16,
by client processes with keep-alive connections in which every thread walks the whole mix,
against kg serve, Oxigraph's server (the ceiling) and rdflib-endpoint (up to --rdflib-max: it
loads slowly). Every engine serves the same store: Oxigraph's server opens, read-only, the very
RocksDB directory `kg build --store` wrote (rdflib-endpoint reads the same quads into memory).
The machine is shared, so the peers are measured interleaved, in --rounds rounds (each round:
every concurrency, every peer in turn), and the reported figures are medians over rounds of
each round's ratio. Growth: each query's in-process p50 at the largest size over the smallest.

Prints a table and writes benchmarks/results/run-<time>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

PREFIXES = """PREFIX cpo: <https://w3id.org/civic-protest/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
ID = "https://w3id.org/civic-protest/id/"

QUERIES = {
    "lookup": """SELECT ?name ?arrest ?date WHERE {
  BIND(<%(person)s> AS ?person) ?person schema:name ?name .
  OPTIONAL { ?arrest cpo:arrestee ?person . OPTIONAL { ?arrest cpo:date ?date } } }""",
    "by-place": """SELECT ?place (COUNT(?event) AS ?n) WHERE {
  ?event cpo:arrestee|cpo:defendant|cpo:protester <%(person)s> ; cpo:place ?place }
  GROUP BY ?place ORDER BY DESC(?n) LIMIT 20""",
    "dates": """SELECT ?event ?day WHERE {
  ?event cpo:arrestee|cpo:defendant|cpo:protester <%(person)s> ; cpo:earliestDate ?day
  FILTER(?day >= "%(year)s-01-01"^^xsd:date && ?day < "%(next_year)s-01-01"^^xsd:date) }
  ORDER BY ?day LIMIT 50""",
    "3-hop": """SELECT ?ruling ?courtName ?article WHERE {
  ?ruling cpo:defendant <%(defendant)s> ; cpo:court ?court . ?court schema:name ?courtName .
  OPTIONAL { ?ruling cpo:underProvision ?law . ?law cpo:articleNumber ?article } }""",
    "text": """SELECT ?person ?name WHERE { <%(rally)s> cpo:protester ?person .
  ?person schema:name ?name FILTER(CONTAINS(LCASE(?name), "%(word)s")) } LIMIT 20""",
    "construct": """CONSTRUCT { <%(event)s> ?p ?o . ?s ?q <%(event)s> } WHERE {
  { <%(event)s> ?p ?o } UNION { ?s ?q <%(event)s> } }""",
    "describe": """DESCRIBE <%(person)s>""",
}
GRAPH_QUERIES = {"construct", "describe"}
CONCURRENCY = (1, 4, 8, 16)
WORDS = ("parvin", "lisani", "tabrizi", "aliyev", "karimi", "zafari")


# --- parameters drawn from the data ----------------------------------------------------

def parameters(cases: int, count: int, seed: int = 7) -> list[dict]:
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        i = rnd.randrange(cases)
        j = rnd.randrange(cases // 2) * 2  # even cases have a conviction
        year = rnd.randint(2004, 2023)
        out.append({"person": f"{ID}person/syn-{i}-0", "defendant": f"{ID}person/syn-{j}-0",
                    "event": f"{ID}event/syn-{i}-arrest", "rally": f"{ID}event/syn-{i}-rally",
                    "year": year, "next_year": year + 1, "word": rnd.choice(WORDS)})
    return out


def query_text(name: str, params: dict) -> str:
    return PREFIXES + QUERIES[name] % params


def accept_for(name: str) -> str:
    return "application/n-triples" if name in GRAPH_QUERIES else "application/sparql-results+json"


# --- measuring processes -----------------------------------------------------------------

def memory_of(pid: int) -> dict:
    """RSS and PSS (MiB) of a process and all its descendants."""
    pids = [pid]
    try:
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                                  text=True).stdout.split()
    except OSError:
        children = []
    for child in children:
        pids.extend(p for p in descendants(int(child)))
    rss = pss = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return {"processes": len(pids), "rss_mib": rss / 1024, "pss_mib": pss / 1024}


def descendants(pid: int) -> list[int]:
    out = [pid]
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                              text=True).stdout.split()
    for child in children:
        out.extend(descendants(int(child)))
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process, seconds: float, ok=lambda status: status == 200) -> float:
    started = time.perf_counter()
    parsed = urllib.parse.urlsplit(url)
    while time.perf_counter() - started < seconds:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited ({process.returncode})")
        try:
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=2)
            conn.request("GET", parsed.path + ("?" + parsed.query if parsed.query else ""))
            if ok(conn.getresponse().status):
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


class Server:
    """A peer under test: a process answering SPARQL GET at `path`."""

    def __init__(self, name, command, port, path, env=None, ready_path=None, ready_seconds=600):
        self.name, self.port, self.path = name, port, path
        self.process = subprocess.Popen(command, env={**os.environ, **(env or {})},
                                        start_new_session=True, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        probe = ready_path or (path + "?query=" + urllib.parse.quote("ASK {}"))
        self.startup_s = wait_for(f"http://127.0.0.1:{port}{probe}", self.process, ready_seconds)

    def memory(self) -> dict:
        return memory_of(self.process.pid)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)


# --- HTTP clients ---------------------------------------------------------------------------

def http_get(conn, path: str, name: str, text: str) -> int:
    conn.request("GET", path + "?query=" + urllib.parse.quote(text),
                 headers={"Accept": accept_for(name)})
    response = conn.getresponse()
    response.read()
    return response.status


def client_worker(port, path, requests, seconds, threads, queue):
    """One client process: `threads` keep-alive connections for `seconds`; counts answers."""
    import threading

    stop_at = time.perf_counter() + seconds
    done, errors = [0], [0]
    lock = threading.Lock()

    def loop(offset):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = offset
        while time.perf_counter() < stop_at:
            name, text = requests[i % len(requests)]
            i += 1  # every thread walks the whole mix (it is laid out query type by type)
            try:
                status = http_get(conn, path, name, text)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            with lock:
                if status == 200:
                    done[0] += 1
                else:
                    errors[0] += 1
        conn.close()

    workers = [threading.Thread(target=loop, args=(k * 13 + os.getpid(),)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put((done[0], errors[0]))


def throughput(port, path, requests, concurrency, seconds) -> dict:
    processes = min(2, concurrency)
    queue = multiprocessing.Queue()
    per = [concurrency // processes + (1 if k < concurrency % processes else 0) for k in range(processes)]
    started = time.perf_counter()
    clients = [multiprocessing.Process(target=client_worker, args=(port, path, requests, seconds, n, queue))
               for n in per]
    for c in clients:
        c.start()
    results = [queue.get(timeout=seconds + 120) for _ in clients]
    for c in clients:
        c.join()
    elapsed = time.perf_counter() - started
    ok = sum(r[0] for r in results)
    return {"rps": ok / elapsed, "ok": ok, "errors": sum(r[1] for r in results)}


def http_latency(port, path, requests_by_query, repeat) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    out = {}
    for name, texts in requests_by_query.items():
        times = []
        for k in range(repeat):
            text = texts[k % len(texts)]
            started = time.perf_counter()
            status = http_get(conn, path, name, text)
            times.append(time.perf_counter() - started)
            if status != 200:
                out[name] = {"error": status}
                break
        else:
            out[name] = percentiles(times)
    conn.close()
    return out


def percentiles(times) -> dict:
    ordered = sorted(times)
    return {"p50_ms": 1000 * statistics.median(ordered),
            "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]}


# --- in-process -----------------------------------------------------------------------------

def in_process_latency(store_dir: str, requests_by_query, repeat) -> dict:
    """Per-query p50/p99 of pyoxigraph itself on the served store (opened read-only, as kg
    serve and Oxigraph's server open it), the result serialized by pyoxigraph."""
    import pyoxigraph as ox

    store = ox.Store.read_only(store_dir)
    out = {}
    for name, texts in requests_by_query.items():
        times = []
        for k in range(repeat):
            started = time.perf_counter()
            result = store.query(texts[k % len(texts)], use_default_graph_as_union=True)
            if name in GRAPH_QUERIES:
                ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)
            else:
                result.serialize(format=ox.QueryResultsFormat.JSON)
            times.append(time.perf_counter() - started)
        out[name] = percentiles(times)
    del store
    return out


def isolated(function: str, *args) -> dict:
    """Run `function(*args)` of this module in a fresh interpreter; its JSON result."""
    code = (f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import run; "
            f"print(json.dumps(run.{function}(*json.load(sys.stdin))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          input=json.dumps(args))
    if done.returncode != 0:
        raise RuntimeError(f"{function}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_fast(data_dir: str, output: str, store_dir: str) -> dict:
    import resource

    from kg.pipeline.build import build

    started = time.perf_counter()
    result = build(output=Path(output), store_dir=Path(store_dir), data_dir=Path(data_dir),
                   reasoner="sparql", sources_dir=Path(data_dir))  # the synthetic source is there
    wall = time.perf_counter() - started
    return {"seconds": result.seconds, "wall_s": wall, "conforms": result.conforms,
            "counts": result.triple_counts(),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "violations": [v.describe() for v in result.report.violations[:5]]}


def build_owlrl(data_dir: str) -> dict:
    from kg.pipeline.build import build

    result = build(output=None, data_dir=Path(data_dir), reasoner="owlrl", sources_dir=Path(data_dir))
    return {"seconds": result.seconds, "conforms": result.conforms}


# --- one size -------------------------------------------------------------------------------

def run_size(size: int, work: Path, args) -> dict:
    from generate import generate

    figures: dict = {"size": size}
    data_dir = work / f"data-{size}"
    nquads, store_dir = work / f"dataset-{size}.nq", work / f"store-{size}"
    built = work / f"built-{size}.json"  # the figures of the build of store_dir
    if args.reuse_build and built.exists() and store_dir.exists():
        figures.update(json.loads(built.read_text()))
        log(f"\n== {size:,} triples: the build of {store_dir} reused ({built})")
    else:
        started = time.perf_counter()
        gen = generate(data_dir, size, seed=1)
        figures["generate_s"] = time.perf_counter() - started
        figures["asserted_data_triples"], figures["cases"] = gen["triples"], gen["cases"]
        log(f"\n== {size:,} triples: generated {gen['triples']:,} in {figures['generate_s']:.1f} s")
        figures["build"] = isolated("build_fast", str(data_dir), str(nquads), str(store_dir))
        built.write_text(json.dumps({k: figures[k] for k in ("generate_s", "asserted_data_triples",
                                                              "cases", "build")}, indent=1))
    log(f"   build: {figures['build']['seconds']}  conforms={figures['build']['conforms']}")
    if not figures["build"]["conforms"]:
        raise SystemExit("the synthetic data does not conform:\n" + "\n".join(figures["build"]["violations"]))
    if size <= args.owlrl_max:
        figures["build_owlrl"] = isolated("build_owlrl", str(data_dir))
        log(f"   build (owlrl): {figures['build_owlrl']['seconds']}")
    if size > args.serve_max:
        return figures

    params = parameters(figures["cases"], 64)
    by_query = {name: [query_text(name, p) for p in params] for name in QUERIES}
    mix = [(name, text) for p in params for name, text in ((n, query_text(n, p)) for n in QUERIES)]
    figures["in_process"] = isolated("in_process_latency", str(store_dir), by_query, args.repeat)

    servers: dict = {}
    try:
        start_servers(size, work, store_dir, nquads, args, servers)
        for name, server in servers.items():
            figures.setdefault("startup_s", {})[name] = server.startup_s
            log(f"   {name}: start-up {server.startup_s:.2f} s, memory {server.memory()}")
            if name != "kg (cache on)" and not name.startswith("kg writes"):
                figures.setdefault("http", {})[name] = http_latency(
                    server.port, server.path, by_query, max(8, args.repeat // 4))
        repeating = mix[:len(QUERIES) * 4]  # 28 distinct queries, asked again and again
        throughput(servers["kg (cache on)"].port, "/sparql", repeating, 1, 1)  # fill the cache
        figures["rounds"] = interleaved_rounds(servers, mix, repeating, args)
        figures["memory"] = {name: server.memory() for name, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()
    return figures


def start_servers(size: int, work: Path, store_dir: Path, nquads: Path, args, servers: dict) -> dict:
    """kg (cache off), kg (cache on), Oxigraph's server on the same store directory,
    rdflib-endpoint on the same quads (up to --rdflib-max), into `servers` as each starts (so
    the caller stops those started if a later one fails)."""
    port = free_port()
    servers["kg"] = Server("kg", kg_command(store_dir, port, args.workers, 0, args.processes),
                           port, "/sparql", ready_path="/-/health")
    port = free_port()
    servers["oxigraph"] = Server("oxigraph", [str(VENV_BIN / "oxigraph"), "serve-read-only",
                                              "--location", str(store_dir), "--bind",
                                              f"127.0.0.1:{port}", "--union-default-graph"],
                                 port, "/query")
    if size <= args.rdflib_max and shutil.which("rdflib-endpoint", path=str(VENV_BIN)):
        union = work / f"union-{size}.nt"
        write_union(nquads, union)
        port = free_port()
        servers["rdflib-endpoint"] = Server(
            "rdflib-endpoint", [str(VENV_BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1",
                                "--port", str(port), str(union)], port, "/")
    port = free_port()
    servers["kg (cache on)"] = Server("kg (cache on)", kg_command(store_dir, port, args.workers,
                                                                  64 << 20, args.processes),
                                      port, "/sparql", ready_path="/-/health")
    if size <= args.writes_max:  # updates allowed: the writer keeps an in-memory copy
        for processes in (1, 2):
            copy = work / f"store-{size}-writes-{processes}"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(store_dir, copy)
            port = free_port()
            name = f"kg writes, {processes} process{'es' if processes > 1 else ''}"
            servers[name] = Server(name, kg_command(copy, port, args.workers, 0, processes, True),
                                   port, "/sparql", ready_path="/-/health")
    return servers


# Who is measured in each round: (label, server, which mix); the ratios are taken per round.
CONTENDERS = (("kg", "kg", "mix"), ("oxigraph", "oxigraph", "mix"),
              ("rdflib-endpoint", "rdflib-endpoint", "mix"),
              ("kg (cache on, repeating mix)", "kg (cache on)", "repeating"),
              ("oxigraph (repeating mix)", "oxigraph", "repeating"),
              ("kg writes, 1 process", "kg writes, 1 process", "mix"),
              ("kg writes, 2 processes", "kg writes, 2 processes", "mix"))
RATIOS = (("kg / oxigraph", "kg", "oxigraph"), ("kg / rdflib-endpoint", "kg", "rdflib-endpoint"),
          ("kg cache on / oxigraph, repeating mix", "kg (cache on, repeating mix)",
           "oxigraph (repeating mix)"),
          ("kg with writes, 2 processes / 1 process", "kg writes, 2 processes",
           "kg writes, 1 process"))


def interleaved_rounds(servers: dict, mix, repeating, args) -> list[dict]:
    """`args.rounds` rounds; in each, every concurrency, and at each concurrency every
    contender in turn (so a burst of load from other users hits all of them alike)."""
    rounds = []
    for number in range(args.rounds):
        this: dict = {}
        for concurrency in CONCURRENCY:
            for label, server_name, which in CONTENDERS:
                server = servers.get(server_name)
                if server is None:
                    continue
                seconds = args.seconds if server_name != "rdflib-endpoint" else max(1, args.seconds // 2)
                result = throughput(server.port, server.path,
                                    mix if which == "mix" else repeating, concurrency, seconds)
                this.setdefault(label, {})[concurrency] = result
                log(f"   round {number + 1} c={concurrency} {label}: {result['rps']:.0f} req/s "
                    f"({result['errors']} errors)")
        rounds.append(this)
    return rounds


def median_rps(rounds: list[dict], label: str, concurrency: int) -> float | None:
    values = [r[label][concurrency]["rps"] for r in rounds if label in r]
    return statistics.median(values) if values else None


def median_ratio(rounds: list[dict], ours: str, peer: str, concurrency: int) -> float | None:
    values = [r[ours][concurrency]["rps"] / max(r[peer][concurrency]["rps"], 1e-9)
              for r in rounds if ours in r and peer in r]
    return statistics.median(values) if values else None


def kg_command(store_dir, port, workers, cache_bytes, processes=None, writes=False) -> list[str]:
    processes = processes or os.cpu_count() or 1
    return [sys.executable, str(HERE / "serve_kg.py"), str(store_dir), str(port), str(workers),
            str(cache_bytes), str(processes)] + (["writes"] if writes else [])


def write_union(nquads: Path, output: Path) -> None:
    """The dataset as triples (the union of its graphs), for stores without a union default graph."""
    with nquads.open(encoding="utf-8") as src, output.open("w", encoding="utf-8") as out:
        for line in src:
            body = line.rstrip()
            if body.endswith(">") or body.endswith("."):
                triple, _, _ = body[:-1].rstrip().rpartition(" ")
                out.write(triple + " .\n")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the table ------------------------------------------------------------------------------

def table(results: list[dict]) -> str:
    lines = []
    for fig in results:
        size = fig["size"]
        b = fig["build"]["seconds"]
        lines.append(f"### {size:,} triples asked ({fig['asserted_data_triples']:,} data, "
                     f"{fig['build']['counts']['inferred']:,} inferred)")
        lines.append("")
        build = (f"build (kg.pipeline.build, sparql reasoner, wall {fig['build'].get('wall_s', float('nan')):.1f} s): "
                 + ", ".join(f"{step} {secs:.1f} s" for step, secs in b.items())
                 + (f"; peak RSS {fig['build']['peak_rss_mib']:.0f} MiB"
                    if fig["build"].get("peak_rss_mib") else "; peak RSS not recorded"))
        if "build_owlrl" in fig:
            o = fig["build_owlrl"]["seconds"]
            build += (f"; owlrl + pyshacl: parse {o['parse']:.1f} s, inference {o['inference']:.1f} s, "
                      f"validation {o['validation']:.1f} s")
        lines.append(build)
        if "http" not in fig:
            lines.append("")
            continue
        lines.append("")
        peers = list(fig["http"])
        lines.append("| | " + " | ".join(peers) + " |")
        lines.append("|---" * (len(peers) + 1) + "|")
        lines.append("| start-up (s) | " + " | ".join(f"{fig['startup_s'][p]:.2f}" for p in peers) + " |")
        lines.append("| RSS / PSS (MiB), all processes, after the load | " + " | ".join(
            f"{fig['memory'][p]['rss_mib']:.0f} / {fig['memory'][p]['pss_mib']:.0f}" for p in peers) + " |")
        rounds = fig["rounds"]
        labels = [label for label, _, _ in CONTENDERS if any(label in r for r in rounds)]
        lines.append("")
        lines.append(f"Throughput, req/s (median of {len(rounds)} interleaved rounds):")
        lines.append("")
        lines.append("| concurrency | " + " | ".join(labels) + " |")
        lines.append("|---" * (len(labels) + 1) + "|")
        for c in CONCURRENCY:
            lines.append(f"| {c} | " + " | ".join(
                f"{median_rps(rounds, label, c):.0f}" for label in labels) + " |")
        lines.append("")
        lines.append("Ratios (median over rounds of each round's ratio):")
        lines.append("")
        lines.append("| ratio | " + " | ".join(f"c={c}" for c in CONCURRENCY) + " |")
        lines.append("|---" * (len(CONCURRENCY) + 1) + "|")
        for title, ours, peer in RATIOS:
            cells = [median_ratio(rounds, ours, peer, c) for c in CONCURRENCY]
            if all(cell is None for cell in cells):
                continue
            lines.append(f"| {title} | " + " | ".join(
                "-" if cell is None else f"{cell:.2f}x" for cell in cells) + " |")
        lines.append("")
        lines.append("| query p50 / p99 (ms) | in-process | " + " | ".join(f"HTTP {p}" for p in peers)
                     + " | kg overhead p50 |")
        lines.append("|---" * (len(peers) + 3) + "|")
        for name in QUERIES:
            inp = fig["in_process"][name]
            cells = []
            for p in peers:
                h = fig["http"][p].get(name, {})
                cells.append(f"{h['p50_ms']:.1f} / {h['p99_ms']:.1f}" if "p50_ms" in h else f"error {h.get('error')}")
            over = fig["http"]["kg"].get(name, {}).get("p50_ms", float("nan")) - inp["p50_ms"]
            lines.append(f"| {name} | {inp['p50_ms']:.2f} / {inp['p99_ms']:.2f} | " + " | ".join(cells)
                         + f" | {over:.2f} |")
        lines.append("")
    served = [f for f in results if "in_process" in f]
    if len(served) >= 2:
        small, large = served[0], served[-1]
        grow = large["asserted_data_triples"] / small["asserted_data_triples"]
        lines.append(f"Growth of in-process p50 from {small['size']:,} to {large['size']:,} "
                     f"(data x{grow:.0f}): " + ", ".join(
                         f"{n} x{large['in_process'][n]['p50_ms'] / small['in_process'][n]['p50_ms']:.1f}"
                         for n in QUERIES))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="kg benchmark against peers (loopback only)")
    parser.add_argument("--quick", action="store_true", help="10^4 and 10^5 only, shorter runs")
    parser.add_argument("--sizes", default=None, help="comma-separated, e.g. 1e4,1e5,1e6")
    parser.add_argument("--seconds", type=int, default=None, help="per throughput measurement")
    parser.add_argument("--repeat", type=int, default=200, help="in-process runs per query")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved throughput rounds")
    parser.add_argument("--workers", type=int, default=2, help="kg serve worker processes (per server process)")
    parser.add_argument("--processes", type=int, default=None,
                        help="kg serve server processes (default: as kg serve, one per core)")
    parser.add_argument("--owlrl-max", type=float, default=1e4, help="largest size built with owlrl too")
    parser.add_argument("--rdflib-max", type=float, default=1e5, help="largest size served by rdflib-endpoint")
    parser.add_argument("--serve-max", type=float, default=1e6, help="largest size served and queried")
    parser.add_argument("--writes-max", type=float, default=1e5,
                        help="largest size also served with updates allowed, by 1 and 2 processes")
    parser.add_argument("--work", type=Path, default=None, help="working directory (default: a temporary one)")
    parser.add_argument("--reuse-build", action="store_true",
                        help="serve the store an earlier run built in --work (its built-SIZE.json) "
                        "instead of generating and building again")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in (args.sizes or ("1e4,1e5" if args.quick else "1e4,1e5,1e6")).split(",")]
    args.seconds = args.seconds or (3 if args.quick else 5)
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for size in sizes:
            results.append(run_size(size, work, args))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    text = table(results)
    print(text)
    out_dir = HERE / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"run-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"machine": {"cpus": os.cpu_count(), "load": os.getloadavg()},
                                "args": {k: str(v) for k, v in vars(args).items()},
                                "results": results}, indent=1))
    log(f"written: {path}")


if __name__ == "__main__":
    main()
