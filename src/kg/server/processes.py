"""`kg serve --processes N`: several server processes on one port.

One Python process cannot use more than one core for its HTTP server and Flask (the GIL), so a
read-only endpoint runs N server processes. The parent loads the dataset once (an on-disk
store is opened read-only in each process; an in-memory one is shared copy-on-write), binds
the listening socket once, creates the shared flood limiter (kg.server.shared_limits), and
forks the N servers; each accepts connections on the shared socket (an idle process takes
the next connection, so the load balances itself), forks its own query workers and keeps
its own result cache. Every safety property of one process holds in each: deadlines that
kill runaway workers (503), the row cap, the request size cap, the canonical errors; the
flood limits (429) count each client once across all processes.

With writes (--update-token / --open-update) and an on-disk store (--store DIR), one process
is the writer, owner of the store and its journal, and the others are readers that follow
it: they serve queries from the writer's newest checkpoint and relay writes to it
(kg.server.replicas). Without --store DIR, a server with writes runs one process. By default
(no --processes) a server with writes runs one process.

The parent only supervises: a server that dies is forked again; SIGTERM / SIGINT stop them
all; a server whose parent dies is killed by the kernel (PR_SET_PDEATHSIG), and its workers
notice within a second (kg.engine.worker).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import sys
import tempfile
import time

PR_SET_PDEATHSIG = 1
RESTART_PAUSE_SECONDS = 1.0


def default_processes(writes: bool) -> int:
    """One per core (at most 8) for read-only serving; one when updates are allowed."""
    return 1 if writes else max(1, min(8, os.cpu_count() or 1))


def serve_app(app, sockets, host: str, port: int, multiprocess: bool = False, relay=None,
              follower=None) -> None:
    """Serve `app` on `sockets` with kg.server.front until the process ends: /sparql
    queries on its lean path (kg.server.sparql_path) through the fair scheduler, the rest
    through its WSGI bridge. `relay`, `follower`: a reader's (kg.server.replicas)."""
    from kg.server.front import Front, FrontLimits, WsgiBridge
    from kg.server.scheduler import FairScheduler
    from kg.server.sparql_path import SparqlPath

    config = app.config
    limits = FrontLimits.from_config(config, config["WORKERS"])
    front = Front(limits)
    bridge = WsgiBridge(app, front, limits.threads, host, port, multiprocess)

    def ready(front: Front) -> None:
        scheduler = FairScheduler(app.extensions["kg_engine"].pool, front.loop,
                                  config["CLIENT_MAX_QUERIES"] or 1 << 20,
                                  config["CLIENT_QUEUE_SECONDS"], config["PREEMPT_SECONDS"],
                                  app.extensions["kg_limiter"])
        app.extensions["kg_scheduler"] = scheduler
        app.extensions["kg_front"] = front
        front.router = SparqlPath(app, scheduler, bridge, relay, follower)
        if follower is not None:
            follower.every(front.loop)
    front.serve(sockets, ready)


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    if family == socket.AF_INET:
        try:
            family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        except socket.gaierror as error:
            raise SystemExit(f"error: cannot resolve {host!r}: {error}") from None
    sock = socket.create_server((host.strip("[]"), port), family=family, backlog=1024)
    sock.setblocking(False)
    return sock


def serve_processes(config: dict, host: str, port: int, processes: int) -> None:
    """Run `processes` server processes for `config` (kg.server.config keys) on host:port."""
    from kg.writes.commit import preload
    from kg.server.app import create_app
    from kg.server.shared_limits import shared_limiter_from
    from kg.server.state import dataset_store_from

    from kg.server.config import DEFAULTS
    config = {**DEFAULTS, **config}
    writes = bool(config.get("UPDATE_TOKEN") or config.get("OPEN_UPDATE"))
    if writes and not isinstance(config.get("STORE"), (str, os.PathLike)):
        raise SystemExit("error: several server processes with updates need --store DIR (the "
                         "writer's store, which the other processes follow); or use --processes 1")
    limiter = shared_limiter_from(config)
    sock = listening_socket(host, port)
    parent = os.getpid()
    if writes:  # one writer, readers following it (kg.server.replicas)
        from kg.server.replicas import VersionBoard
        board, relay_dir = VersionBoard(), tempfile.mkdtemp(prefix="kg-writer-")
        relay_path = os.path.join(relay_dir, "writer.sock")
        relay_sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        relay_sock.bind(relay_path)
        relay_sock.listen(128)
        relay_sock.setblocking(False)
        roles = ["writer"] + ["reader"] * (processes - 1)
    else:
        dataset = dataset_store_from(config)  # loaded once, before any fork
        preload()
        roles = ["server"] * processes

    def run(role: str) -> None:
        if role == "server":
            app = create_app({**config, "PRELOADED_DATASET": dataset})
            app.extensions["kg_limiter"] = limiter  # counted across every process
            serve_app(app, [sock], host, port, multiprocess=True)
            return
        from kg.server import replicas
        if role == "writer":
            app = create_app(config)
            app.extensions["kg_limiter"] = limiter
            replicas.become_writer(app, board)
            serve_app(app, [sock, relay_sock], host, port, multiprocess=True)
            return
        dataset_ = replicas.reader_dataset(config["STORE"], board)
        app = create_app({**config, "PRELOADED_DATASET": dataset_})
        app.extensions["kg_limiter"] = limiter
        relay = replicas.Relay(relay_path, 2 * float(config["QUERY_TIMEOUT"]) + 30)
        serve_app(app, [sock], host, port, multiprocess=True, relay=relay,
                  follower=replicas.Follower(dataset_, config["STORE"], board))

    def start(role: str) -> int:
        pid = os.fork()
        if pid:
            return pid
        try:  # the child: one server process
            _die_with(parent)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            run(role)
        except BaseException as error:  # noqa: BLE001 - report, never return into the parent's loop
            print(f"kg: server process {os.getpid()} stopped: {error!r}", file=sys.stderr, flush=True)
        finally:
            os._exit(1)

    children = {start(role): (time.monotonic(), role) for role in roles}
    stopping = []

    def stop(signum, _frame):
        stopping.append(signum)
        for pid in list(children):
            _signal(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        ended = children.pop(pid, None)
        if ended is None or stopping:
            continue
        started, role = ended
        print(f"kg: server process {pid} ({role}) ended ({status}); starting another",
              file=sys.stderr, flush=True)
        if time.monotonic() - started < RESTART_PAUSE_SECONDS:
            time.sleep(RESTART_PAUSE_SECONDS)  # a crash at start-up: do not spin
        children[start(role)] = (time.monotonic(), role)
    sock.close()
    if writes:
        relay_sock.close()
        shutil.rmtree(relay_dir, ignore_errors=True)


def _die_with(parent: int) -> None:
    """The kernel kills this process when its parent (the supervisor) ends."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent ended before prctl
        os._exit(1)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
