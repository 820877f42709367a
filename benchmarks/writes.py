"""Write latency through `/sparql`: a curator's one-triple INSERT DATA to the data graph, and
the same to a user graph, sequentially, against `kg serve` on the real data and on synthetic
data at 10^5 and 10^6 triples; this checkout ("after") beside another source tree ("before",
e.g. main before the incremental write path: `git archive main | tar -x -C /tmp/kg-before`),
each in its own server, in the same run.

Run: .venv/bin/python benchmarks/writes.py [--sizes real,1e5,1e6] [--writes 40]
                                           [--before /tmp/kg-before] [--before-writes 8,4,2]

Each write adds a different skos:altLabel to an existing person (valid: the build's shapes
accept it); the user-graph writes add a note to <urn:x-kg-bench:notes>; a few refused writes
(a second schema:name) and deletions are timed too. Latency is the client's wall time of the
POST, answer included. Then, in this process, the phases of one data-graph write (the delta
from the update, the checks of kg.writes.commit, the change record) on the same store, with
cProfile's top functions: where the time goes.

Prints the tables (markdown) and writes benchmarks/results/writes-<time>.json.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
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

import requests

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DATA = "https://w3id.org/civic-protest/graph/data"
NOTES = "urn:x-kg-bench:notes"
TOKEN = "bench-token"
PREFIXES = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX schema: <https://schema.org/> PREFIX cpo: <https://w3id.org/civic-protest/ontology#> ")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- datasets -------------------------------------------------------------------------------

def dataset(size: str, work: Path) -> Path:
    """The built dataset (N-Quads) of the real data, or of the generator's data of `size`."""
    if size == "real":
        subprocess.run([sys.executable, "-m", "kg.cli", "build"], cwd=ROOT, check=True,
                       capture_output=True)
        return ROOT / "build" / "dataset.nq"
    triples = int(float(size))
    out = work / f"data-{size}"
    built = out / "dataset.nq"
    if built.exists():
        return built
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--triples",
                    str(triples), "--seed", "1", "--out", str(out / "data")], check=True)
    code = ("from pathlib import Path; from kg.pipeline.build import build; "
            f"r = build(Path({str(built)!r}), data_dir=Path({str(out / 'data')!r}), "
            f"sources_dir=Path({str(out / 'data')!r})); "
            "print(r.reasoner, r.conforms, r.seconds)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True)
    log(f"built {size}: {done.stdout.strip()}")
    return built


# --- a server of one source tree ------------------------------------------------------------

class Server:
    def __init__(self, source: Path, dataset_path: Path, log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(source / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
        code = ("from kg.server.run import serve; "
                f"serve(host='127.0.0.1', port={self.port}, dataset_path={str(dataset_path)!r}, "
                f"update_token='bench={TOKEN}', query_timeout=3600)")
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=tempfile.gettempdir(),
                                        start_new_session=True, stdout=self.log, stderr=self.log)
        started = time.perf_counter()
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {log_path}")
            try:
                if requests.get(self.base + "/-/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.perf_counter() - started > 1800:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        self.startup = time.perf_counter() - started

    def query(self, text: str) -> list:
        answer = requests.get(self.base + "/sparql", params={"query": text}, timeout=600,
                              headers={"Accept": "application/sparql-results+json"})
        answer.raise_for_status()
        return answer.json()["results"]["bindings"]

    def update(self, text: str) -> tuple[float, int]:
        started = time.perf_counter()
        answer = requests.post(self.base + "/sparql", data=text.encode(), timeout=3600,
                               headers={"Authorization": f"Bearer {TOKEN}",
                                        "Content-Type": "application/sparql-update"})
        return time.perf_counter() - started, answer.status_code

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.log.close()


def persons(server: Server, count: int) -> list[str]:
    rows = server.query(f"{PREFIXES} SELECT ?p WHERE {{ GRAPH <{DATA}> {{ ?p a cpo:Person }} }} "
                        f"ORDER BY ?p LIMIT {count}")
    return [row["p"]["value"] for row in rows]


def percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    if not ordered:
        return {}

    def at(q):
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
    return {"n": len(ordered), "p50_ms": at(0.5) * 1000, "p95_ms": at(0.95) * 1000,
            "max_ms": ordered[-1] * 1000}


def measure(server: Server, writes: int, tag: str) -> dict:
    people = persons(server, max(writes, 1))
    results, statuses = {}, {}

    def series(name, texts):
        times = []
        for text in texts:
            seconds, status = server.update(text)
            statuses.setdefault(name, []).append(status)
            times.append(seconds)
        results[name] = percentiles(times)

    label = [f'"{tag} {n}"' for n in range(writes)]
    series("data insert", [f"{PREFIXES} INSERT DATA {{ GRAPH <{DATA}> {{ <{people[n % len(people)]}> "
                           f"skos:altLabel {label[n]} }} }}" for n in range(writes)])
    series("data delete", [f"{PREFIXES} DELETE DATA {{ GRAPH <{DATA}> {{ <{people[n % len(people)]}> "
                           f"skos:altLabel {label[n]} }} }}" for n in range(min(writes, 10))])
    series("data refused", [f"{PREFIXES} INSERT DATA {{ GRAPH <{DATA}> {{ <{people[n % len(people)]}> "
                            f'schema:name "second name {n}" }} }}' for n in range(min(writes, 5))])
    series("user graph insert", [f"INSERT DATA {{ GRAPH <{NOTES}> {{ <urn:x-kg-bench:n{n}> "
                                 f"<urn:x-kg-bench:says> {label[n]} }} }}" for n in range(writes)])
    expected = {"data insert": 200, "data delete": 200, "data refused": 422, "user graph insert": 200}
    for name, codes in statuses.items():
        wrong = [c for c in codes if c != expected[name]]
        if wrong:
            raise RuntimeError(f"{name}: answered {wrong[:5]} (expected {expected[name]})")
    return results


# --- in-process phases of one write ---------------------------------------------------------

def phases(dataset_path: Path, repeat: int) -> dict:
    """The phases of a data-graph write in this process (this checkout), on the same store."""
    import pyoxigraph as ox

    from kg.engine.evaluate import evaluate_update
    from kg.engine.jobs import UpdateJob
    from kg.pipeline.incremental import infer_change
    from kg.sparql.prepare import prepare_update
    from kg.writes import commit

    commit.preload()
    base = ox.Store()
    base.bulk_extend(ox.parse(path=str(dataset_path), format=ox.RdfFormat.N_QUADS))
    person = next(iter(base.query(
        f"{PREFIXES} SELECT ?p WHERE {{ GRAPH <{DATA}> {{ ?p a cpo:Person }} }} ORDER BY ?p LIMIT 1")))["p"]
    timings: dict = {}

    def timed(name, function, *args, **kwargs):
        started = time.perf_counter()
        value = function(*args, **kwargs)
        timings.setdefault(name, []).append(time.perf_counter() - started)
        return value

    profile = cProfile.Profile()
    for n in range(repeat):
        text = f'{PREFIXES} INSERT DATA {{ GRAPH <{DATA}> {{ {person} skos:altLabel "phase {n}" }} }}'
        job = timed("prepare (guard, plan)", prepare_update, UpdateJob(text), base)
        delta = timed("delta from the update", evaluate_update, base, job)
        profile.enable()
        plan = timed("plan: reasoner, rules", commit._incremental_plan, base, delta)
        reasoner, rules, added, removed = plan
        change = timed("closure + derived terms", infer_change, base, rules, added, removed,
                       commit.ASSERTED, commit.INFERRED, owlrl_datatypes=reasoner == "owlrl")
        timed("focus nodes + SHACL", commit._validate_change, base, reasoner,
              [*added, *removed, *change.added, *change.removed])
        profile.disable()
        timed("change record", commit.change_record, delta, "bench", "SPARQL Update",
              len(change.added), len(change.removed))
        base.remove(delta.added[0])  # undo, for the next round
        for triple in change.added:
            base.remove(ox.Quad(*triple, commit.INFERRED))
        for triple in change.removed:
            base.add(ox.Quad(*triple, commit.INFERRED))
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(18)
    return {"p50_ms": {name: statistics.median(t) * 1000 for name, t in timings.items()},
            "reasoner": reasoner, "profile": text.getvalue()}


def bulk(dataset_path: Path, counts, full: bool) -> dict:
    """finish_write of one INSERT DATA of `count` new persons (a type, a name, an alternative
    name each: three triples), incrementally and (`full`) recomputed: the cost per triple that
    sets commit.MAX_INCREMENTAL."""
    import pyoxigraph as ox

    from kg.engine.evaluate import evaluate_update
    from kg.engine.jobs import UpdateJob
    from kg.sparql.prepare import prepare_update
    from kg.writes import commit

    commit.preload()
    base = ox.Store()
    base.bulk_extend(ox.parse(path=str(dataset_path), format=ox.RdfFormat.N_QUADS))
    found = {}
    for count in counts:
        people = " ".join(f'<https://w3id.org/civic-protest/id/person/bench-{n}> a cpo:Person ; '
                          f'schema:name "Bench {n}" ; skos:altLabel "B. {n}" .' for n in range(count))
        text = f"{PREFIXES} INSERT DATA {{ GRAPH <{DATA}> {{ {people} }} }}"
        for mode in (("incremental", "full") if full else ("incremental",)):
            commit.INCREMENTAL = mode == "incremental"
            store = ox.Store()
            store.extend(base)
            started = time.perf_counter()
            commit.finish_write(store, evaluate_update(store, prepare_update(UpdateJob(text), store)))
            found[f"{count * 3} triples, {mode}"] = (time.perf_counter() - started) * 1000
    commit.INCREMENTAL = True
    return found


# --- report ---------------------------------------------------------------------------------

def table(runs: list[dict]) -> str:
    lines = ["| size | write | before p50 / p95 (ms) | after p50 / p95 (ms) | before / after (p50) |",
             "|---|---|---|---|---|"]
    for run in runs:
        for name, after in run["after"].items():
            before = run.get("before", {}).get(name)
            shown = f"{before['p50_ms']:.0f} / {before['p95_ms']:.0f} (n={before['n']})" if before else "-"
            ratio = f"{before['p50_ms'] / after['p50_ms']:.0f}x" if before else "-"
            lines.append(f"| {run['size']} ({run['quads']:,} quads) | {name} | {shown} | "
                         f"{after['p50_ms']:.0f} / {after['p95_ms']:.0f} (n={after['n']}) | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="real,1e5")
    parser.add_argument("--writes", type=int, default=40)
    parser.add_argument("--before", type=Path, help="a source tree to measure beside this one")
    parser.add_argument("--before-writes", default="8",
                        help="writes of each kind before, per size (comma-separated) or for all")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-bench-writes")
    parser.add_argument("--phases", type=int, default=20, help="in-process rounds per size")
    parser.add_argument("--bulk", default="30,300,3000", help="persons per bulk write (in process)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    runs = []
    sizes = args.sizes.split(",")
    before_writes = [int(n) for n in args.before_writes.split(",")]
    before_writes += before_writes[-1:] * (len(sizes) - len(before_writes))
    for size, writes_before in zip(sizes, before_writes):
        path = dataset(size, args.work)
        run = {"size": size, "quads": sum(1 for _ in path.open("rb"))}
        for name, source, writes in (("after", ROOT, args.writes), ("before", args.before, writes_before)):
            if source is None or writes == 0:
                continue
            copy = args.work / f"{size}-{name}.nq"
            shutil.copy(path, copy)  # each server writes its own copy's store in memory only
            log(f"{size}: starting the {name} server")
            server = Server(Path(source), copy, args.work / f"{size}-{name}.log")
            try:
                log(f"{size}: {name} server up in {server.startup:.1f} s; writing")
                run[name] = measure(server, writes, f"{name} {size}")
            finally:
                server.stop()
        log(f"{size}: phases in process")
        run["phases"] = phases(path, args.phases)
        run["bulk_ms"] = bulk(path, [int(c) for c in args.bulk.split(",") if c], full=size == "real")
        runs.append(run)
        print(f"\n### {size}: phases of one data-graph write, in process (p50 of {args.phases}, "
              f"reasoner {run['phases']['reasoner']})\n")
        print("| phase | ms |\n|---|---|")
        for phase, ms in run["phases"]["p50_ms"].items():
            print(f"| {phase} | {ms:.1f} |")
        print("\n```\n" + run["phases"]["profile"].strip() + "\n```")
        print("\n| one write of | ms |\n|---|---|")
        for name, ms in run["bulk_ms"].items():
            print(f"| {name} | {ms:.0f} |")
    print("\n" + table(runs))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"writes-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(runs, indent=1))
    log(f"written {out}")


if __name__ == "__main__":
    main()
