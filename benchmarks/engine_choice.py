"""Why the endpoint runs queries on pyoxigraph: load, query and fork figures, measured.

Run: .venv/bin/python benchmarks/engine_choice.py [triples]   (default 1,000,000)

Each engine is measured in its own fresh process (peak RSS is per process). Figures from
this machine (2 cores, 24 GiB, Python 3.11, pyoxigraph 0.5.13, rdflib 7.6), 1M triples:

                 load      GROUP BY count   peak RSS added
    pyoxigraph    5.6 s     0.32 s           648 MiB
    rdflib       64.6 s    14.7 s           1335 MiB

    pyoxigraph worker: fork 11 ms; SIGKILL at deadline + re-fork 49 ms; first query after 4 ms.

(Measured with other jobs sharing the 2 cores; an idle run of the same kind gave about
2 s against 21 s to load. The ratio, roughly 10x faster at half the memory, holds.)

The fork figures are what the worker design costs: forking a query worker from a server
that holds the 1M-triple store, and killing + re-forking it after a deadline.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERY = ("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")


def write_synthetic(path: Path, triples: int) -> None:
    """Triples shaped like ours: typed entities with labels, dates and links."""
    with path.open("w") as out:
        for i in range(triples // 4):
            s = f"<https://w3id.org/civic-protest/id/event/{i}>"
            out.write(f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                      f"<https://w3id.org/civic-protest/ontology#Protest> .\n")
            out.write(f'{s} <http://www.w3.org/2000/01/rdf-schema#label> "Event number {i}"@en .\n')
            out.write(f'{s} <https://schema.org/startDate> "2021-{i % 12 + 1:02d}-01"'
                      f"^^<http://www.w3.org/2001/XMLSchema#date> .\n")
            out.write(f"{s} <https://schema.org/location> "
                      f"<https://w3id.org/civic-protest/id/place/{i % 500}> .\n")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_pyoxigraph(path: str) -> dict:
    import pyoxigraph as ox

    from kg.engine import DatasetStore, QueryJob, WorkerPool

    baseline = peak_rss_mib()
    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
    load = time.perf_counter() - started
    started = time.perf_counter()
    rows = len(list(store.query(QUERY)))
    query = time.perf_counter() - started
    result = {"load_s": load, "query_s": query, "rows": rows, "rss_mib": peak_rss_mib() - baseline}
    started = time.perf_counter()
    pool = WorkerPool(DatasetStore(store), size=1, deadline=1.0)
    result["fork_worker_s"] = time.perf_counter() - started
    started = time.perf_counter()
    try:
        pool.run_query(QueryJob("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f }", "json"))
    except Exception:
        pass
    result["timeout_kill_refork_s"] = time.perf_counter() - started - 1.0
    started = time.perf_counter()
    pool.run_query(QueryJob("ASK { ?s ?p ?o }", "json"))
    result["query_after_refork_s"] = time.perf_counter() - started
    pool.close()
    return result


def measure_rdflib(path: str) -> dict:
    import rdflib

    baseline = peak_rss_mib()
    started = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(path, format="nt")
    load = time.perf_counter() - started
    started = time.perf_counter()
    rows = len(list(graph.query(QUERY)))
    query = time.perf_counter() - started
    return {"load_s": load, "query_s": query, "rows": rows, "rss_mib": peak_rss_mib() - baseline}


def run_isolated(engine: str, path: str) -> dict:
    code = (f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            f"import engine_choice as b; print(json.dumps(b.measure_{engine}({path!r})))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    triples = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.nt"
        write_synthetic(path, triples)
        print(f"{triples:,} triples, {path.stat().st_size / 2**20:.0f} MiB of N-Triples")
        for engine in ("pyoxigraph", "rdflib"):
            figures = run_isolated(engine, str(path))
            print(engine.ljust(11), "  ".join(
                f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
