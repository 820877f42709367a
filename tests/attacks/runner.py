"""Running attack cases against a live `kg serve` on loopback, with the checks around each.

Around every case: a trap listener that must receive no connection; a marker file whose
token must never appear in a response; a digest of the store (sha256 of the sorted quads
of all graphs) that must not change unless the case may write; a health query
(`SELECT (1 AS ?x) {}`, from another client address) that must answer within 1 s, sampled
throughout and once after each case.
"""

import hashlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests

from attacks.cases import Case, Context
from attacks.net import TrapListener, raw_request, session_from

ATTACKER, PROBE, AUDITOR, FLOODER = "127.0.0.2", "127.0.0.3", "127.0.0.5", "127.0.0.4"
AFTER_PROBE = "127.0.0.6"
HEALTH_QUERY = "SELECT (1 AS ?x) {}"
DIGEST_QUERY = "SELECT ?g ?s ?p ?o { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"
INTERNAL_DETAILS = ("Traceback (most recent", "site-packages", 'File "/', "/work/", "/home/",
                    "/usr/lib/python")


@dataclass
class Figures:
    inputs: int = 0
    crashes: int = 0
    outbound: int = 0
    marker_leaks: int = 0
    detail_leaks: int = 0
    store_changes: int = 0
    bad_5xx: int = 0
    no_answer: int = 0
    digest_failures: int = 0
    health_failures: int = 0
    web_failures: int = 0          # a web case answered with the wrong status, content or headers
    health_latencies: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    def p99(self) -> float:
        values = sorted(self.health_latencies)
        return values[min(len(values) - 1, int(0.99 * len(values)))] if values else float("nan")

    def report(self) -> str:
        return "\n".join([
            f"inputs tried:              {self.inputs}",
            f"crashes:                   {self.crashes}",
            f"outbound connections:      {self.outbound}",
            f"marker leaks:              {self.marker_leaks}",
            f"internal detail leaks:     {self.detail_leaks}",
            f"store changes:             {self.store_changes}"
            + (f" ({self.digest_failures} digests unavailable)" if self.digest_failures else ""),
            f"5xx other than 503:        {self.bad_5xx}",
            f"web checks failed:         {self.web_failures}",
            f"requests without answer:   {self.no_answer}",
            f"health probes > 1 s / bad: {self.health_failures} of {len(self.health_latencies)}",
            f"health query p99:          {self.p99() * 1000:.0f} ms "
            f"(max {max(self.health_latencies, default=0) * 1000:.0f} ms)",
            "statuses:                  " + ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items())),
        ] + [f"  problem: {p}" for p in self.problems[:40]])


def write_dataset(path: Path, triples: int = 3000) -> Path:
    """A dataset where a three-way cartesian product never ends and regexes have prey."""
    path.write_text("".join(
        f'<urn:s{i}> <urn:p{i % 7}> "{"a" * (i % 40 + 1)}" <urn:g:data> .\n' for i in range(triples)))
    return path


@contextmanager
def kg_server(dataset: Path, timeout: float = 2.0, extra=()):
    """`kg serve` (the real command line) on 127.0.0.1 with open updates; yields base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--dataset", str(dataset),
               "--open-update", "--timeout", str(timeout), "--row-limit", "1000000", *extra]
    process = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        stop_at = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError("kg serve exited at start")
            try:
                if requests.get(base + "/-/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > stop_at:
                raise RuntimeError("kg serve did not become healthy")
            time.sleep(0.2)
        yield base, process
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class Prober(threading.Thread):
    """Times the health query every `interval` seconds from its own client address."""

    def __init__(self, base: str, figures: Figures, interval: float = 0.1):
        super().__init__(daemon=True)
        self.base, self.figures, self.interval = base, figures, interval
        self.session = session_from(PROBE)
        self.stopping = threading.Event()

    def probe(self, session=None) -> float:
        """One timed health query (`session`: another client's, for probes from other
        threads: one client has at most one /sparql request in flight)."""
        started = time.monotonic()
        try:
            response = (session or self.session).get(self.base + "/sparql", params={"query": HEALTH_QUERY},
                                        headers={"Accept": "application/sparql-results+json"}, timeout=5)
            ok = response.status_code == 200 and '"1"' in response.text
        except requests.RequestException:
            ok = False
        seconds = time.monotonic() - started
        self.figures.health_latencies.append(seconds)
        if not ok or seconds > 1.0:
            self.figures.health_failures += 1
        return seconds

    def run(self):
        while not self.stopping.is_set():
            self.probe()
            self.stopping.wait(self.interval)


class Attack:
    """One live server, its trap listener and marker file; `run(cases)` gathers Figures."""

    def __init__(self, base: str, process, workdir: Path):
        self.base, self.process = base, process
        self.token = "kg-marker-" + secrets.token_hex(16)
        self.marker = workdir / "marker.txt"
        self.marker.write_text(f"<urn:leak> <urn:leak> \"{self.token}\" .\n{self.token}\n")
        self.trap = TrapListener()
        self.context = Context(self.trap.port, self.marker.as_uri())
        self.figures = Figures()
        self.attacker, self.auditor = session_from(ATTACKER), session_from(AUDITOR)
        self.after_session = session_from(AFTER_PROBE)
        self.prober = Prober(base, self.figures)

    def digest(self) -> str | None:
        """The store's digest, or None if the digest query itself could not finish (it has
        the server's deadline too: fuzzed updates may grow the store)."""
        for _ in range(3):
            response = self.auditor.get(self.base + "/sparql", params={"query": DIGEST_QUERY},
                                        headers={"Accept": "text/tab-separated-values"}, timeout=60)
            if response.ok:
                break
            time.sleep(1)
        else:
            return None
        rows = sorted(response.text.splitlines()[1:])
        return hashlib.sha256("\n".join(rows).encode()).hexdigest()

    def send(self, case: Case) -> tuple[int | None, bytes]:
        url = self.base + case.path + ("?" + urlencode(case.params) if case.params and case.method != "GET" else "")
        headers = {**({"Content-Type": case.content_type} if case.content_type else {}),
                   **case.headers}
        if case.raw_body_size:
            host, port = self.base.split("//")[1].split(":")
            target = case.path + ("?" + urlencode(case.params) if case.params else "")
            head = (f"{case.method} {target} HTTP/1.1\r\nHost: {host}\r\nContent-Type: "
                    f"{case.content_type}\r\nContent-Length: {case.raw_body_size}\r\n\r\n").encode()
            answer = raw_request(host, int(port), head, case.raw_body_size)
            if not answer.startswith(b"HTTP/1.1 "):
                return None, answer
            return int(answer[9:12]), answer
        try:
            if case.method == "GET":
                response = self.attacker.get(url, params=case.params, headers=headers, timeout=60)
            else:
                response = self.attacker.request(case.method, url, data=case.body, headers=headers, timeout=60)
        except requests.RequestException as error:
            return None, str(error).encode()
        raw_headers = "".join(f"{k}: {v}\n" for k, v in response.headers.items()).encode() + b"\n"
        return response.status_code, raw_headers + response.content

    def run(self, cases: list[Case], progress=None) -> Figures:
        figures = self.figures
        self.prober.start()
        baseline = self.digest()
        try:
            for number, case in enumerate(cases, 1):
                connections_before = self.trap.connections
                status, body = self.send(case)
                figures.inputs += 1
                label = f"{case.category}: {case.name}"
                figures.statuses[status] = figures.statuses.get(status, 0) + 1
                if self.process.poll() is not None:
                    figures.crashes += 1
                    figures.problems.append(f"server died after {label}")
                    break
                if status is None:
                    figures.no_answer += 1
                    figures.problems.append(f"no answer: {label}: {body[:120]!r}")
                elif status >= 500 and status != 503:
                    figures.bad_5xx += 1
                    figures.problems.append(f"{status}: {label}: {body[:200]!r}")
                for failure in web_check_failures(case, status, body):
                    figures.web_failures += 1
                    figures.problems.append(f"{failure}: {label}")
                if self.token.encode() in body:
                    figures.marker_leaks += 1
                    figures.problems.append(f"marker leaked: {label}")
                if any(detail.encode() in body for detail in INTERNAL_DETAILS):
                    figures.detail_leaks += 1
                    figures.problems.append(f"internal detail: {label}: {body[:300]!r}")
                after = self.prober.probe(self.after_session)  # right after the case
                if after > 1.0:
                    figures.problems.append(f"health query took {after:.2f} s after {label}")
                time.sleep(0.05)
                if self.trap.connections != connections_before:
                    figures.outbound += self.trap.connections - connections_before
                    figures.problems.append(f"outbound connection: {label}")
                current = self.digest()
                if current is None or baseline is None:
                    figures.problems.append(f"store digest unavailable after {label} "
                                            f"({len(figures.problems)})")
                    figures.digest_failures += 1
                elif current != baseline:
                    if not case.may_write:
                        figures.store_changes += 1
                        figures.problems.append(f"store changed: {label}")
                if current is not None:
                    baseline = current
                if progress:
                    progress(number, len(cases), case, status)
        finally:
            self.prober.stopping.set()
            self.prober.join(timeout=10)
            self.trap.close()
        return figures

    def flood(self, requests_count: int = 40, query: str = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"):
        """One client sends `requests_count` heavy queries at once: most get 429."""
        statuses = []

        def one():
            with session_from(FLOODER) as session:
                try:
                    response = session.get(self.base + "/sparql", params={"query": query}, timeout=60)
                    statuses.append((response.status_code, response.headers.get("Retry-After")))
                except requests.RequestException:
                    statuses.append((None, None))

        threads = [threading.Thread(target=one) for _ in range(requests_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.figures.inputs += requests_count
        for status, _ in statuses:
            self.figures.statuses[status] = self.figures.statuses.get(status, 0) + 1
            if status is None:
                self.figures.no_answer += 1
            elif status >= 500 and status != 503:
                self.figures.bad_5xx += 1
        return statuses


def web_check_failures(case: Case, status: int | None, answer: bytes) -> list[str]:
    """What a web case's answer (headers, a blank line's worth of separation, then the body)
    got wrong: its status, a forbidden pattern, a missing header."""
    failures = []
    if case.expect and status not in case.expect:
        failures.append(f"status {status}, expected {'/'.join(map(str, case.expect))}")
    if case.forbidden and re.search(case.forbidden.encode(), answer, re.IGNORECASE):
        failures.append("forbidden content")
    head = answer.split(b"\n\n", 1)[0].lower() if answer else b""
    failures += [f"no {name} header" for name in case.required_headers
                 if f"{name.lower()}:".encode() not in head]
    return failures


def run_suite(cases, timeout: float = 2.0, flood: bool = True, progress=None,
              dataset_triples: int = 3000):
    """Start `kg serve`, run the flood and the cases with the checks; return (Figures, flood).
    `cases`: a list, or a function of the Context (the trap's port, the marker's URI)."""
    with tempfile.TemporaryDirectory(prefix="kg-attacks-") as workdir:
        workdir = Path(workdir)
        dataset = write_dataset(workdir / "attack.nq", dataset_triples)
        with kg_server(dataset, timeout) as (base, process):
            attack = Attack(base, process, workdir)
            flood_statuses = []
            if flood:
                attack.prober.start()
                flood_statuses = attack.flood()
                attack.prober.stopping.set()
                attack.prober.join()
                attack.prober = Prober(base, attack.figures)
            if callable(cases):
                cases = cases(attack.context)
            figures = attack.run(cases, progress)
            if process.poll() is not None and not any("server died" in p for p in figures.problems):
                figures.crashes += 1
            return figures, flood_statuses
