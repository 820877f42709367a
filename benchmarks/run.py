"""The benchmark, in one command: build, start-up, memory, latency and HTTP throughput of
`kg serve`, side by side with peers on the same synthetic data.

Run:   .venv/bin/python benchmarks/run.py [--quick] [--sizes 1e4,1e5,1e6] [--seconds 5]
Needs: `pip install -e .[bench]` (rdflib-endpoint; the `oxigraph` package's server binary).
       Virtuoso (Debian's virtuoso-opensource) is used where `virtuoso-t` is on PATH.

For each size: generate (benchmarks/generate.py, seed 1), build with `kg build --reasoner
reasonable --store` (parse, inference, validation timed; owlrl too up to --owlrl-max), start
`kg serve --store` and measure the time to a healthy endpoint and the RSS and PSS of the
server and its workers, then run the query mix:

  lookup     a person's record, their arrests anchored inside the OPTIONAL
  by-place   arrests counted per place (whole-graph aggregation)
  dates      rallies in a two-month window (FILTER on cpo:earliestDate)
  3-hop      person <- ruling -> court -> name, OPTIONAL provision -> article
  text       persons whose name contains a string
  construct  CONSTRUCT of an event's neighbourhood (in and out)
  describe   DESCRIBE a person

Each query takes a parameter drawn (seeded) from the data, so repeated requests are not one
query: latencies measure evaluation, and our result cache (disabled for the comparison, then
measured on its own) cannot flatter us. Latency p50/p99: in-process (pyoxigraph on the same
store, result serialized to JSON) and through HTTP, one client. Throughput: requests per second
at concurrency 1, 4, 8 and 16 over the whole mix, by client processes with keep-alive
connections, against kg serve (WORKERS worker processes, waitress threads), Oxigraph's server
(the ceiling) and rdflib-endpoint (up to --rdflib-max: it loads slowly). Growth: each query's
in-process p50 at the largest size over the smallest, against the growth of the data, so no
anchored lookup grows with the data (pyoxigraph 0.5 has no Store.explain).

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
    "by-place": """SELECT ?place (COUNT(?arrest) AS ?n) WHERE {
  ?arrest a cpo:Arrest ; cpo:place ?place } GROUP BY ?place ORDER BY DESC(?n) LIMIT 20""",
    "dates": """SELECT ?rally ?day WHERE { ?rally a cpo:Rally ; cpo:earliestDate ?day
  FILTER(?day >= "%(year)s-03-01"^^xsd:date && ?day < "%(year)s-05-01"^^xsd:date) }
  ORDER BY ?day LIMIT 50""",
    "3-hop": """SELECT ?ruling ?courtName ?article WHERE {
  ?ruling cpo:defendant <%(defendant)s> ; cpo:court ?court . ?court schema:name ?courtName .
  OPTIONAL { ?ruling cpo:underProvision ?law . ?law cpo:articleNumber ?article } }""",
    "text": """SELECT ?person ?name WHERE { ?person a cpo:Person ; schema:name ?name
  FILTER(CONTAINS(LCASE(?name), "%(word)s")) } LIMIT 20""",
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
        out.append({"person": f"{ID}person/syn-{i}-0", "defendant": f"{ID}person/syn-{j}-0",
                    "event": f"{ID}event/syn-{i}-arrest", "year": rnd.randint(2004, 2023),
                    "word": rnd.choice(WORDS)})
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
            i += 7
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

def in_process_latency(nquads: Path, requests_by_query, repeat) -> dict:
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
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

    from kg.fast_build import fast_build

    result = fast_build(output=Path(output), store_dir=Path(store_dir), data_dir=Path(data_dir))
    return {"seconds": result.seconds, "conforms": result.conforms, "counts": result.counts,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "violations": [v.describe() for v in result.report.violations[:5]]}


def build_owlrl(data_dir: str) -> dict:
    from kg.pipeline.build import build

    result = build(output=None, data_dir=Path(data_dir))
    return {"seconds": result.seconds, "conforms": result.conforms}


# --- one size -------------------------------------------------------------------------------

def run_size(size: int, work: Path, args) -> dict:
    from generate import generate

    figures: dict = {"size": size}
    data_dir = work / f"data-{size}"
    started = time.perf_counter()
    gen = generate(data_dir, size, seed=1)
    figures["generate_s"] = time.perf_counter() - started
    figures["asserted_data_triples"] = gen["triples"]
    log(f"\n== {size:,} triples: generated {gen['triples']:,} in {figures['generate_s']:.1f} s")

    nquads, store_dir = work / f"dataset-{size}.nq", work / f"store-{size}"
    figures["build"] = isolated("build_fast", str(data_dir), str(nquads), str(store_dir))
    log(f"   build (reasonable): {figures['build']['seconds']}  conforms={figures['build']['conforms']}")
    if not figures["build"]["conforms"]:
        raise SystemExit("the synthetic data does not conform:\n" + "\n".join(figures["build"]["violations"]))
    if size <= args.owlrl_max:
        figures["build_owlrl"] = isolated("build_owlrl", str(data_dir))
        log(f"   build (owlrl): {figures['build_owlrl']['seconds']}")
    if size > args.serve_max:
        return figures

    params = parameters(gen["cases"], 64)
    by_query = {name: [query_text(name, p) for p in params] for name in QUERIES}
    mix = [(name, text) for p in params for name, text in ((n, query_text(n, p)) for n in QUERIES)]
    figures["in_process"] = isolated("in_process_latency", str(nquads), by_query, args.repeat)

    servers: dict = {}
    try:
        port = free_port()
        servers["kg"] = Server("kg", kg_command(store_dir, port, args.workers, 0, args.processes),
                               port, "/sparql", ready_path="/-/health")
        log(f"   kg serve --store: up in {servers['kg'].startup_s:.2f} s")
        oxi_dir = work / f"oxigraph-{size}"
        if not oxi_dir.exists():
            subprocess.run([str(VENV_BIN / "oxigraph"), "load", "--location", str(oxi_dir),
                            "--file", str(nquads)], check=True, capture_output=True)
        port = free_port()
        servers["oxigraph"] = Server("oxigraph", [str(VENV_BIN / "oxigraph"), "serve-read-only",
                                                  "--location", str(oxi_dir), "--bind",
                                                  f"127.0.0.1:{port}", "--union-default-graph"],
                                     port, "/query")
        if size <= args.rdflib_max and shutil.which("rdflib-endpoint", path=str(VENV_BIN)):
            union = work / f"union-{size}.nt"
            write_union(nquads, union)
            port = free_port()
            servers["rdflib-endpoint"] = Server(
                "rdflib-endpoint", [str(VENV_BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1",
                                    "--port", str(port), str(union)], port, "/")
        for name, server in servers.items():
            figures.setdefault("startup_s", {})[name] = server.startup_s
            figures.setdefault("memory", {})[name] = server.memory()
            log(f"   {name}: start-up {server.startup_s:.2f} s, memory {server.memory()}")
            figures.setdefault("http", {})[name] = http_latency(server.port, server.path, by_query,
                                                                 max(8, args.repeat // 4))
            for concurrency in CONCURRENCY:
                seconds = args.seconds if name != "rdflib-endpoint" else max(2, args.seconds // 2)
                result = throughput(server.port, server.path, mix, concurrency, seconds)
                figures.setdefault("throughput", {}).setdefault(name, {})[concurrency] = result
                log(f"   {name} c={concurrency}: {result['rps']:.0f} req/s ({result['errors']} errors)")
            figures["memory"][name] = server.memory()  # after the load: workers warmed
        # Our result cache, on its own: the same mix, repeated, cache on.
        servers["kg"].stop()
        port = free_port()
        cached = Server("kg-cached", kg_command(store_dir, port, args.workers, 64 << 20, args.processes),
                        port, "/sparql", ready_path="/-/health")
        servers["kg"] = cached
        few = mix[:len(QUERIES) * 4]
        throughput(port, "/sparql", few, 1, 1)  # fill
        figures.setdefault("throughput", {})["kg (cache hits)"] = {
            c: throughput(port, "/sparql", few, c, args.seconds) for c in (1, 16)}
    finally:
        for server in servers.values():
            server.stop()
    return figures


def kg_command(store_dir, port, workers, cache_bytes, processes=None) -> list[str]:
    return [sys.executable, str(HERE / "serve_kg.py"), str(store_dir), str(port), str(workers),
            str(cache_bytes)] + ([str(processes)] if processes else [])


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
        build = (f"build (reasonable + SPARQL SHACL): parse {b['parse']:.1f} s, inference "
                 f"{b['inference']:.1f} s, validation {b['validation']:.1f} s, total "
                 f"{b['parse'] + b['inference'] + b['validation']:.1f} s, peak RSS "
                 f"{fig['build']['peak_rss_mib']:.0f} MiB")
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
        lines.append("| RSS / PSS (MiB), all processes | " + " | ".join(
            f"{fig['memory'][p]['rss_mib']:.0f} / {fig['memory'][p]['pss_mib']:.0f}" for p in peers) + " |")
        for c in CONCURRENCY:
            row = [fig["throughput"][p][c]["rps"] for p in peers]
            lines.append(f"| mix req/s, concurrency {c} | " + " | ".join(f"{r:.0f}" for r in row) + " |")
        ours = fig["throughput"]["kg"]
        ratios = []
        for p in peers[1:]:
            ratios.append(f"{p}: " + ", ".join(
                f"c{c} {ours[c]['rps'] / max(fig['throughput'][p][c]['rps'], 1e-9):.2f}x" for c in CONCURRENCY))
        lines.append("")
        lines.append("kg / peer throughput: " + "; ".join(ratios))
        hits = fig["throughput"].get("kg (cache hits)")
        if hits:
            lines.append(f"kg with result-cache hits (repeated queries): c1 {hits[1]['rps']:.0f} req/s, "
                         f"c16 {hits[16]['rps']:.0f} req/s")
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
    parser.add_argument("--workers", type=int, default=2, help="kg serve worker processes (per server process)")
    parser.add_argument("--processes", type=int, default=None,
                        help="kg serve server processes (default: as kg serve, one per core)")
    parser.add_argument("--owlrl-max", type=float, default=1e4, help="largest size built with owlrl too")
    parser.add_argument("--rdflib-max", type=float, default=1e5, help="largest size served by rdflib-endpoint")
    parser.add_argument("--serve-max", type=float, default=1e6, help="largest size served and queried")
    parser.add_argument("--work", type=Path, default=None, help="working directory (default: a temporary one)")
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
