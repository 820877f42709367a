"""Forking worker processes from the server, and what they run once forked.

A fork happens only while holding the dataset's lock, so no store-internal lock is held
at fork time and the child's copy-on-write snapshot is a consistent version.
"""

import os
import pickle
import resource
import signal
import struct
import warnings
from dataclasses import dataclass
from multiprocessing import Pipe
from multiprocessing.connection import Connection

from kg.engine.errors import EngineError, EvaluationError, QueryTimeout, WorkerCrashed
from kg.engine.evaluate import evaluate_query, evaluate_update
from kg.engine.jobs import QueryOutcome
from kg.engine.store import DatasetStore

PARENT_CHECK_SECONDS = 1.0
# True in a query worker (serve_queries): its store is a snapshot no one writes to, so what
# is read of it once (its named graphs, kg.sparql.prepare) holds for every query.
SNAPSHOT_FIXED = False

# Python 3.12+ warns on fork() in a threaded process. Our children only touch the store
# (forked under its lock), their pipe and pure-Python code, never locks other threads hold.
warnings.filterwarnings("ignore", category=DeprecationWarning,
                        message=r".*use of fork\(\) may lead to deadlocks.*")


@dataclass
class Worker:
    pid: int
    conn: Connection
    version: int  # dataset version of the snapshot it holds

    def kill(self) -> str:
        """SIGKILL and reap; return how it ended."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.reap()

    def is_alive(self) -> bool:
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return pid == 0

    def reap(self) -> str:
        self.conn.close()
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return "already reaped"
        return describe_exit(status)


def describe_exit(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"killed by signal {name}"
    return f"exited with status {os.WEXITSTATUS(status)}"


def fork_worker(dataset: DatasetStore, main, memory_budget: int | None = None) -> Worker:
    """Fork a child that runs `main(conn, store)` on its snapshot, then exits.

    `memory_budget`: bytes the child may allocate beyond what it inherits; past it,
    allocation fails and the worker aborts (reported as a crash), not the machine.
    """
    parent_end, child_end = Pipe()
    with dataset.lock:
        version = dataset.version
        pid = os.fork()
        if pid == 0:  # child
            _become_worker(child_end)
            _limit_memory(memory_budget)
            try:
                main(child_end, dataset.store)
            finally:
                os._exit(0)
    child_end.close()
    return Worker(pid, parent_end, version)


def _become_worker(conn: Connection) -> None:
    # Ctrl-C and SIGTERM end a worker at once; the server's handlers are not ours.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Drop inherited descriptors (client sockets, other workers' pipes): a socket held
    # open here would keep the client's connection from closing.
    keep = conn.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, 65536)


def _limit_memory(budget: int | None) -> None:
    if not budget:
        return
    with open("/proc/self/statm") as statm:
        inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = inherited + budget
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def serve_queries(conn: Connection, store, prepare=None) -> None:
    """A pool worker's loop: a query job in, ("ok", outcome) or ("error", exception) out.

    `prepare(job, store) -> job` runs first, here in the killable worker under the
    deadline: checks on the query text (however costly) never hold the server's GIL.
    """
    global SNAPSHOT_FIXED
    SNAPSHOT_FIXED = True  # this process only reads its snapshot from here on
    evaluate = _prepared(evaluate_query, prepare)
    parent = os.getppid()
    while True:
        if not conn.poll(PARENT_CHECK_SECONDS):
            if os.getppid() != parent:
                return  # the server died: do not linger
            continue
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send_bytes(encode_reply(reply(evaluate, store, job)))


# A query's reply on the pipe: the final body bytes behind a small fixed header, not a
# pickled object (errors, rare, stay pickled): b"O", rows and truncated ("<QB"), the media
# type's length ("<H") and text, then the body, which the server sends as it is.
_OUTCOME_HEADER = struct.Struct("<cQBH")
_TRUNCATIONS = (False, True, "bytes")


def encode_reply(answer) -> bytes:
    status, payload = answer
    if status == "ok" and isinstance(payload, QueryOutcome):
        media_type = (payload.media_type or "").encode()
        return _OUTCOME_HEADER.pack(b"O", payload.rows, _TRUNCATIONS.index(payload.truncated),
                                    len(media_type)) + media_type + payload.body
    return b"P" + pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)


def decode_reply(data: bytes, view: bool = False):
    """The (status, payload) that `encode_reply` wrote (or that a loop of its own sent with
    Connection.send: a pickle, whose first byte is neither O nor P). `view`: the outcome's
    body is a memoryview of `data` (no copy of a large body), else bytes."""
    kind = bytes(data[:1])
    if kind == b"O":
        _, rows, truncated, length = _OUTCOME_HEADER.unpack_from(data)
        start = _OUTCOME_HEADER.size
        media_type = bytes(data[start:start + length]).decode() or None
        body = memoryview(data)[start + length:] if view else bytes(data[start + length:])
        return ("ok", QueryOutcome(body, rows=rows, truncated=_TRUNCATIONS[truncated],
                                   media_type=media_type))
    return pickle.loads(memoryview(data)[1:] if kind == b"P" else data)


def update_once(job, prepare=None, evaluate=evaluate_update, finish=None):
    """A one-shot child's main: (prepare and) evaluate one update, send back its delta.

    `finish(store, delta, job) -> delta` runs after it on the written snapshot (the commit
    checks of kg.writes.commit: inference, validation, the change record).
    """
    run = _prepared(evaluate, prepare)
    if finish is not None:
        evaluated = run
        run = lambda store, job: finish(store, evaluated(store, job), job)  # noqa: E731

    def main(conn: Connection, store) -> None:
        conn.send(reply(run, store, job))
    return main


def _prepared(evaluate, prepare):
    if prepare is None:
        return evaluate
    return lambda store, job: evaluate(store, prepare(job, store))


def reply(evaluate, store, job):
    """("ok", what `evaluate(store, job)` returns) or ("error", an EngineError): what a worker
    sends back, whatever went wrong."""
    try:
        return ("ok", evaluate(store, job))
    except EngineError as error:
        return ("error", error)
    except Exception as error:  # anything else still gets an answer, not a dead pipe
        return ("error", EvaluationError(f"{type(error).__name__}: {error}"))


def call_in_fork(dataset: DatasetStore, function, seconds: float, what: str,
                 memory_budget: int | None = None):
    """`function(store)` in a one-shot fork of this process, on a snapshot of `dataset`,
    killed at `seconds` (QueryTimeout) or past `memory_budget` (WorkerCrashed); its result
    must pickle. For work too costly for the server process (downloads, reconciliation)."""
    def main(conn: Connection, store) -> None:
        conn.send_bytes(encode_reply(reply(lambda s, _job: function(s), store, None)))

    child = fork_worker(dataset, main, memory_budget)
    try:
        if not child.conn.poll(seconds):
            child.kill()
            raise QueryTimeout(seconds, what)
        status, payload = decode_reply(child.conn.recv_bytes())
    except (EOFError, OSError) as error:
        raise WorkerCrashed(f"the {what}'s worker died ({child.reap()})") from error
    finally:
        child.reap()
    if status == "error":
        raise payload
    return payload
