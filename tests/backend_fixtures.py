"""Helpers for the backend tests (kg publish, kg serve --backend): processes on loopback and
comparing SPARQL JSON answers of two endpoints."""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from server_fixtures import free_port, wait_until_healthy

from kg.dataset.examples import load_examples

ROOT = Path(__file__).resolve().parents[1]


def wait_for_http(url: str, process, seconds: float = 60.0) -> None:
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextmanager
def process_group(args, **kwargs):
    """A subprocess in its own process group, killed with all its children at the end."""
    process = subprocess.Popen(args, start_new_session=True, **kwargs)
    try:
        yield process
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)


@contextmanager
def sparql_stub(tmp_path, auth: str | None = None):
    """tests/sparql_stub.py on a free loopback port: (base URL, path of its request log)."""
    port, log = free_port(), tmp_path / f"stub-{time.monotonic_ns()}.log"
    log.touch()
    args = [sys.executable, str(Path(__file__).parent / "sparql_stub.py"), str(port), str(log)]
    with process_group(args + ([auth] if auth else []), stderr=subprocess.DEVNULL) as process:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(base + "/sparql?query=ASK%7B%7D", process)
        yield base, log


def logged_requests(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line]


@contextmanager
def kg_serve(*args, env=None):
    """The real `kg serve ARGS` on a free loopback port; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "kg.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    with process_group(command, env=env, cwd=ROOT, stderr=subprocess.PIPE) as process:
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(base, process, seconds=120)
        yield base


def post_query(base: str, query: str, accept="application/sparql-results+json", **params):
    import requests
    return requests.post(base + "/sparql", data={"query": query, **params},
                         headers={"Accept": accept}, timeout=120)


def example_queries(names=None) -> dict[str, str]:
    """The example queries (not the federated ones), by name; raises if there are none, so a
    parametrized test can never pass by running nothing."""
    queries = {e.name: e.query for e in load_examples() if not e.name.startswith("federated")
               and (names is None or e.name.split("-")[0] in names)}
    if not queries:
        raise LookupError("no example query found (kg.dataset.examples)")
    return queries


def comparable(answer: dict, split_lists=False) -> collections.Counter | bool:
    """A SPARQL JSON answer as a multiset of rows, blank nodes left out. With `split_lists`,
    a literal is compared as the set of its ", "-separated parts (GROUP_CONCAT's order is
    not defined) and an empty string as unbound (GROUP_CONCAT over no value)."""
    if "boolean" in answer:
        return answer["boolean"]

    def cell(value):
        kind = "literal" if value["type"] == "typed-literal" else value["type"]
        text = value["value"]
        if split_lists and kind == "literal":
            text = tuple(sorted(text.split(", ")))
        return kind, text, value.get("datatype"), value.get("xml:lang")

    rows = []
    for binding in answer["results"]["bindings"]:
        rows.append(tuple(sorted(
            (name, cell(value)) for name, value in binding.items()
            if value["type"] != "bnode" and not (split_lists and value["value"] == ""))))
    return collections.Counter(rows)


def graph_counts(path) -> dict[str, int]:
    """Triples per named graph of an N-Quads file."""
    import pyoxigraph as ox
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g))
            for g in store.named_graphs()}
