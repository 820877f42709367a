"""Fixtures for the endpoint's tests: a live server in a subprocess, and in-process apps.

The live server is `kg.server.run.serve` (kg.server.front) in its own process group, so its
forked workers go with it at teardown.
"""

import json
import os
import signal
import socket
import subprocess
import tempfile
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "server"
SMALL_DATASET = FIXTURES / "small.nq"


# A cartesian product of three patterns: over a few thousand triples it never ends before a deadline.
RUNAWAY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def write_flat_dataset(path: Path, count: int, value=lambda i: f"v{i}") -> Path:
    """`count` triples over 7 predicates in one named graph: data for limits, not for shapes."""
    path.write_text("".join(
        f'<http://example.org/s{i}> <http://example.org/p{i % 7}> "{value(i)}" '
        f"<http://example.org/g> .\n" for i in range(count)))
    return path

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(**serve_kwargs):
    """Run `serve(**serve_kwargs)` on 127.0.0.1 and a free port; yield the base URL."""
    port = free_port()
    arguments = {"host": "127.0.0.1", "port": port, **serve_kwargs}
    code = f"from kg.server.run import serve; serve(**{arguments!r})"
    # The server's stderr goes to a file: a pipe nobody reads would block the server once full,
    # and the file lets a failing test show what the server logged (server_log(base)).
    log = tempfile.NamedTemporaryFile(prefix="kg-serve-", suffix=".log", delete=False)
    process = subprocess.Popen([sys.executable, "-c", code], start_new_session=True, stderr=log)
    base = f"http://127.0.0.1:{port}"
    SERVER_LOGS[base] = Path(log.name)
    try:
        wait_until_healthy(base, process)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        log.close()


SERVER_LOGS: dict[str, Path] = {}


def server_log(base: str, tail: int = 4000) -> str:
    """The end of what the live server at `base` wrote to stderr."""
    path = SERVER_LOGS.get(base)
    return path.read_text(errors="replace")[-tail:] if path and path.exists() else ""


def wait_until_healthy(base: str, process, seconds: float = 30.0) -> None:
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {server_log(base)}")
        try:
            with urllib.request.urlopen(base + "/-/health", timeout=1) as response:
                if json.load(response)["status"] == "ok":
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not become healthy")


@contextmanager
def app_client(**config):
    """A test client on a real app (real store, real worker processes)."""
    from kg.server.app import close_app, create_app

    app = create_app({"DATASET_PATH": str(SMALL_DATASET), **config})
    try:
        yield app.test_client()
    finally:
        close_app(app)
