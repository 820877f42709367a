"""The pool of forked query workers, deadlines, and the update path.

Measured (benchmarks/engine_choice.py, 1M triples): forking a worker takes 11 ms, and
SIGKILL at the deadline plus re-forking 49 ms; no reload happens.
"""

import threading
import time
from functools import partial

from kg.engine.errors import PoolBusy, QueryTimeout, WorkerCrashed
from kg.engine.jobs import QueryJob, QueryOutcome, UpdateJob
from kg.engine.delta import Delta
from kg.engine.store import DatasetStore, apply_delta
from kg.engine.worker import Worker, decode_reply, fork_worker, serve_queries, update_once


class WorkerPool:
    """`size` forked workers serving queries; updates run in one-shot forks.

    Workers forked before a write are retired after their in-flight query and replaced by
    fresh forks, so each query sees one whole dataset version (snapshot isolation).
    """

    def __init__(self, dataset: DatasetStore, size: int = 2, deadline: float = 30.0,
                 memory_budget: int | None = None, prepare_query=None, prepare_update=None,
                 finish_update=None, serve=serve_queries):
        """`prepare_query(job, store)` / `prepare_update(job, store)`: checks and rewrites
        run in the worker before evaluation (forked, so any callable will do).
        `finish_update(store, delta, job) -> delta`: the checks a write must pass, in its
        fork after evaluation. `serve(conn, store, prepare=...)`: a query worker's loop
        (kg.engine.worker.serve_queries; another answers queries some other way)."""
        self.dataset = dataset
        self.serve = serve
        self.memory_budget = memory_budget
        self.prepare_query, self.prepare_update = prepare_query, prepare_update
        self.finish_update = finish_update  # commit checks, in the update's fork
        self.size = max(1, int(size))
        self.deadline = float(deadline)
        self._idle: list[Worker] = []
        self._available = threading.Condition()
        self._update_lock = threading.Lock()
        self._closed = False
        self._free_listeners: list = []
        for _ in range(self.size):
            self._idle.append(self._fork())

    # --- queries ---------------------------------------------------------------------

    def run_query(self, job: QueryJob, deadline: float | None = None) -> QueryOutcome:
        seconds = self.deadline if deadline is None else deadline
        stop_at = time.monotonic() + seconds
        worker = self._checkout(stop_at)
        try:
            worker.conn.send(job)
            reply = self._await_reply(worker, stop_at, seconds, decode=decode_reply)
        except BaseException:
            self._replace(worker)
            raise
        self._checkin(worker)
        return self._unwrap(reply)

    def _await_reply(self, worker: Worker, stop_at: float, seconds: float, what: str = "query",
                     decode=None):
        try:
            if not worker.conn.poll(max(0.0, stop_at - time.monotonic())):
                worker.kill()
                raise QueryTimeout(seconds, what)
            return worker.conn.recv() if decode is None else decode(worker.conn.recv_bytes())
        except (EOFError, OSError) as error:
            ended = worker.reap()
            raise WorkerCrashed(f"the query worker died during evaluation ({ended})") from error

    @staticmethod
    def _unwrap(reply):
        status, payload = reply
        if status == "error":
            raise payload
        return payload

    # --- updates ---------------------------------------------------------------------

    def run_update(self, job: UpdateJob, deadline: float | None = None, evaluate=None) -> Delta:
        """Evaluate in a one-shot fork, then apply its delta to the store; one at a time.

        `evaluate(store, job) -> Delta`: other writes than SPARQL updates (Graph Store
        Protocol); the pool's `prepare_update` applies to SPARQL updates only.
        """
        seconds = self.deadline if deadline is None else deadline
        main = (update_once(job, self.prepare_update, finish=self.finish_update)
                if evaluate is None else update_once(job, None, evaluate, self.finish_update))
        with self._update_lock:
            child = fork_worker(self.dataset, main, self.memory_budget)
            reply = self._await_reply(child, time.monotonic() + seconds, seconds, "update")
            try:
                delta = self._unwrap(reply)
                apply_delta(self.dataset, delta)
            finally:
                # The answer waits neither for the fork to exit nor for fresh query workers
                # (0.1-0.2 s at 10^6 triples): a query meanwhile gets a worker of the new
                # version anyway (_checkout).
                threading.Thread(target=self._after_update, args=(child,), daemon=True).start()
        return delta

    def _after_update(self, child: Worker) -> None:
        child.reap()
        self._retire_stale_idle()

    # --- pool bookkeeping ------------------------------------------------------------

    def _fork(self) -> Worker:
        return fork_worker(self.dataset, partial(self.serve, prepare=self.prepare_query),
                           self.memory_budget)

    def _checkout(self, stop_at: float) -> Worker:
        with self._available:
            while not self._idle:
                remaining = stop_at - time.monotonic()
                if remaining <= 0 or self._closed:
                    raise PoolBusy("no query worker became free before the deadline")
                self._available.wait(remaining)
            worker = self._idle.pop()
        if worker.version != self.dataset.version or not worker.is_alive():
            worker.kill()
            worker = self._fork()
        return worker

    # --- for an event loop (kg.server.scheduler): never blocks on a free worker ---------

    def try_checkout(self) -> Worker | None:
        """An idle worker of the current dataset version, or None if none is idle."""
        with self._available:
            if not self._idle or self._closed:
                return None
            worker = self._idle.pop()
        if worker.version != self.dataset.version or not worker.is_alive():
            worker.kill()
            worker = self._fork()
        return worker

    def checkin(self, worker: Worker) -> None:
        """Give back a worker that answered."""
        self._checkin(worker)

    def replace(self, worker: Worker) -> None:
        """Kill a worker (a query stopped at its deadline, or whose client went) and fork
        its successor."""
        self._replace(worker)

    def add_free_listener(self, callback) -> None:
        """`callback()` whenever a worker becomes idle (from any thread)."""
        self._free_listeners.append(callback)

    def _checkin(self, worker: Worker) -> None:
        if worker.version != self.dataset.version:
            worker.kill()
            worker = self._fork()
        self._give_back(worker)

    def _replace(self, worker: Worker) -> None:
        """A worker was killed or died: make sure it is gone, and fork a successor."""
        worker.kill()
        if not self._closed:
            self._give_back(self._fork())

    def _give_back(self, worker: Worker) -> None:
        with self._available:
            if self._closed:
                worker.kill()
                return
            self._idle.append(worker)
            self._available.notify()
        for callback in self._free_listeners:
            callback()

    def _retire_stale_idle(self) -> None:
        with self._available:
            stale = [w for w in self._idle if w.version != self.dataset.version]
            self._idle = [w for w in self._idle if w.version == self.dataset.version]
        for worker in stale:
            worker.kill()
            self._give_back(self._fork())

    def worker_count(self) -> int:
        with self._available:
            return len(self._idle)

    def close(self) -> None:
        with self._available:
            self._closed = True
            idle, self._idle = self._idle, []
            self._available.notify_all()
        for worker in idle:
            worker.kill()
