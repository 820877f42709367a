"""Fair scheduling of queries over the worker pool, per client address (on the event loop).

- A client may have `client_queries` queries running at once (WDQS allows 5); past that, or
  when every worker is busy, its requests wait in its own queue. A free worker goes to the
  waiting client that has used the workers least lately (worker-seconds, halved every
  USAGE_HALF_LIFE seconds), so a newcomer or a client of cheap queries goes before a client
  whose queries run long, and a client with many requests never delays one with few.
- A request that waits longer than `queue_seconds` is answered 429 (the client was over its
  share) or 503 (the server was busy), with Retry-After.
- A request whose client has gone is dropped before it runs; a running one is stopped (its
  worker killed and replaced), so clients that leave stop costing anything at once.
- When a client waits for a worker and every worker runs queries of clients holding more
  workers than it does, the query of the greediest client that has run longest is stopped
  (503, Retry-After) once it has had its turn: `preempt_after` seconds, shorter when many
  clients wait (`preempt_after` x workers / waiting clients, at least MIN_TURN). A client
  with runaways cannot keep the others out until its deadlines.
- Each query still has its deadline (the pool's), at which its worker is killed (503).
"""

from __future__ import annotations

import asyncio
import math
import os
import signal
import struct
import threading
import time
from collections import OrderedDict, deque

from kg.engine.errors import QueryTimeout, WorkerCrashed
from kg.engine.worker import decode_reply


USAGE_HALF_LIFE = 10.0
MIN_TURN = 0.02  # seconds a query runs at least before another client's may stop it


class Usage:
    """Worker-seconds per client, decayed exponentially (so old use is forgiven)."""

    def __init__(self, half_life: float = USAGE_HALF_LIFE):
        self.rate = math.log(2) / half_life
        self._used: dict[str, tuple[float, float]] = {}  # client: (seconds, when)

    def of(self, client: str, now: float) -> float:
        used, when = self._used.get(client, (0.0, now))
        return used * math.exp(-self.rate * (now - when))

    def add(self, client: str, seconds: float, now: float) -> None:
        self._used[client] = (self.of(client, now) + seconds, now)
        if len(self._used) > 10000:  # forget those whose use has all but decayed
            self._used = {c: v for c, v in self._used.items() if self.of(c, now) > 0.001}


class Turned(Exception):
    """Refused or stopped by the scheduler: (status, detail, retry-after seconds)."""

    def __init__(self, status: int, detail: str, retry_after: int = 1):
        super().__init__(detail)
        self.status, self.detail, self.retry_after = status, detail, retry_after


class Message:
    """A worker's reply read from its pipe as it arrives, without blocking the event loop
    (multiprocessing.Connection's framing: a 4-byte big-endian length, or -1 and 8 bytes)."""

    def __init__(self):
        self.buffer = bytearray()
        self.size: int | None = None
        self.start = 0

    def feed(self, fd: int) -> bool:
        """Read what is there; True once the whole message is in (raises EOFError)."""
        while True:
            try:
                data = os.read(fd, 1 << 20)
            except BlockingIOError:
                return False
            if not data:
                raise EOFError("the worker closed its pipe")
            self.buffer += data
            if self.size is None and len(self.buffer) >= 4:
                size = struct.unpack("!i", self.buffer[:4])[0]
                if size >= 0:
                    self.size, self.start = size, 4
                elif len(self.buffer) >= 12:
                    self.size, self.start = struct.unpack("!Q", self.buffer[4:12])[0], 12
            if self.size is not None and len(self.buffer) >= self.start + self.size:
                return True

    def payload(self) -> memoryview:
        return memoryview(self.buffer)[self.start:self.start + self.size]


class Ticket:
    __slots__ = ("client", "job", "future", "queued_at", "started_at", "worker", "timer", "done",
                 "message", "on_gone")

    def __init__(self, client: str, job, future):
        self.client, self.job, self.future = client, job, future
        self.queued_at = time.monotonic()
        self.started_at = None
        self.worker = None
        self.timer = None
        self.done = False
        self.message = None
        self.on_gone = None


class FairScheduler:
    def __init__(self, pool, loop, client_queries: int = 5, queue_seconds: float = 5.0,
                 preempt_after: float = 0.5, limiter=None):
        """`limiter`: kg.server.limits.ClientLimiter or its shared twin, which counts a
        client's running queries across server processes (begin_query / end_query)."""
        self.pool, self.loop, self.limiter = pool, loop, limiter
        self.client_queries = max(1, int(client_queries))
        self.queue_seconds, self.preempt_after = queue_seconds, preempt_after
        self.queues: OrderedDict[str, deque[Ticket]] = OrderedDict()
        self.running: dict[str, set[Ticket]] = {}
        self.usage = Usage()
        self.stats = {"dropped_gone": 0, "stopped_gone": 0, "preempted": 0, "refused": 0}
        self._loop_thread = threading.get_ident()  # created on the event loop's thread
        pool.add_free_listener(self._worker_free)
        self._sweeper = loop.call_later(0.05, self._sweep)

    def _worker_free(self) -> None:
        if threading.get_ident() == self._loop_thread:
            self.loop.call_soon(self._dispatch)  # no wake-up of the loop through its pipe
        else:
            self.loop.call_soon_threadsafe(self._dispatch)

    def snapshot(self) -> dict:
        """Counts for /-/stats (read from another thread: a consistent enough picture)."""
        return {"waiting": sum(len(q) for q in list(self.queues.values())),
                "running": sum(len(r) for r in list(self.running.values())), **self.stats}

    # --- submitting ----------------------------------------------------------------------

    async def run(self, client: str, job, on_gone: list | None = None):
        """The worker's outcome for `job`; raises the engine's error, or Turned.
        `on_gone`: a list of callbacks the connection calls when the client goes."""
        status, payload = await self._reply(client, job, on_gone)
        if status == "error":
            raise payload
        return payload

    def run_blocking(self, client: str, job):
        """`run` for a thread other than the event loop's (the Flask app's routes)."""
        return asyncio.run_coroutine_threadsafe(self.run(client, job), self.loop).result()

    async def _reply(self, client: str, job, on_gone: list | None):
        ticket = Ticket(client, job, self.loop.create_future())
        queue = self.queues.setdefault(client, deque())
        if len(queue) >= 4 * self.client_queries:
            self.stats["refused"] += 1
            raise Turned(429, f"more than {self.client_queries} queries of this client run "
                              f"and {len(queue)} wait already; retry later")
        queue.append(ticket)
        if on_gone is not None:  # taken off again when the ticket is done (keep-alive
            ticket.on_gone = (on_gone, lambda: self.cancel(ticket))  # connections live long)
            on_gone.append(ticket.on_gone[1])
        self._dispatch()
        return await ticket.future

    def cancel(self, ticket: Ticket) -> None:
        """The client went: drop its request, or stop its query."""
        if ticket.done:
            return
        if ticket.worker is None:
            queue = self.queues.get(ticket.client)
            if queue is not None and ticket in queue:
                queue.remove(ticket)
                if not queue:
                    del self.queues[ticket.client]
            self.stats["dropped_gone"] += 1
            self._finish(ticket, error=Turned(499, "the client has gone"))
            return
        self.stats["stopped_gone"] += 1
        self._stop(ticket, Turned(499, "the client has gone"))

    # --- dispatching ---------------------------------------------------------------------

    def _holding(self, client: str) -> int:
        return len(self.running.get(client, ()))

    def _dispatch(self) -> None:
        blocked: set[str] = set()  # at their cap in another server process
        while self.queues:
            now = time.monotonic()
            eligible = [c for c in self.queues if c not in blocked
                        and self._holding(c) < self.client_queries]
            if not eligible:
                return
            client = min(eligible, key=lambda c: (self._holding(c), self.usage.of(c, now)))
            if self.limiter is not None and not self.limiter.begin_query(client):
                blocked.add(client)
                continue
            worker = self.pool.try_checkout()
            if worker is None:
                if self.limiter is not None:
                    self.limiter.end_query(client)
                self._maybe_preempt()
                return
            queue = self.queues[client]
            ticket = queue.popleft()
            if not queue:
                del self.queues[client]
            self._start(ticket, worker)

    def _start(self, ticket: Ticket, worker) -> None:
        ticket.worker, ticket.started_at = worker, time.monotonic()
        self.running.setdefault(ticket.client, set()).add(ticket)
        try:
            worker.conn.send(ticket.job)
        except (OSError, ValueError):
            self._stop(ticket, WorkerCrashed("the query worker could not take the query"))
            return
        os.set_blocking(worker.conn.fileno(), False)  # read as it comes (Message)
        self.loop.add_reader(worker.conn.fileno(), self._readable, ticket)
        seconds = self.pool.deadline
        ticket.timer = self.loop.call_later(
            seconds, lambda: self._stop(ticket, QueryTimeout(seconds, "query"), reply=True))

    def _readable(self, ticket: Ticket) -> None:
        worker = ticket.worker
        if ticket.message is None:
            ticket.message = Message()
        try:
            if not ticket.message.feed(worker.conn.fileno()):
                return  # more to come
            self.loop.remove_reader(worker.conn.fileno())
            reply = decode_reply(ticket.message.payload(), view=True)  # the body, not copied
            ticket.message = None
        except (EOFError, OSError) as error:
            self.loop.remove_reader(worker.conn.fileno())
            self._release(ticket, replace=True)  # reaped, and replaced, off the loop
            self._finish(ticket, reply=("error", WorkerCrashed(
                "the query worker died during evaluation")), cause=error)
            return
        self._release(ticket, replace=False)
        self._finish(ticket, reply=reply)

    def _stop(self, ticket: Ticket, error, reply: bool = False) -> None:
        """Kill the worker running `ticket` (a fresh one takes its place)."""
        if ticket.done or ticket.worker is None:
            return
        try:
            self.loop.remove_reader(ticket.worker.conn.fileno())
        except (OSError, ValueError):
            pass
        self._release(ticket, replace=True)
        if reply:
            self._finish(ticket, reply=("error", error))
        else:
            self._finish(ticket, error=error)

    def _release(self, ticket: Ticket, replace: bool) -> None:
        if ticket.timer is not None:
            ticket.timer.cancel()
        if self.limiter is not None:
            self.limiter.end_query(ticket.client)
        if ticket.started_at is not None:
            now = time.monotonic()
            self.usage.add(ticket.client, now - ticket.started_at, now)
        held = self.running.get(ticket.client)
        if held is not None:
            held.discard(ticket)
            if not held:
                del self.running[ticket.client]
        worker, ticket.worker = ticket.worker, None
        if not replace:
            os.set_blocking(worker.conn.fileno(), True)  # as the pool's blocking callers expect
        if replace:  # stopped at once (not reaped yet: its pid cannot be reused); reaped,
            # and its successor forked, off the event loop
            try:
                os.kill(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.loop.run_in_executor(None, self.pool.replace, worker)
        else:
            self.pool.checkin(worker)

    def _finish(self, ticket: Ticket, reply=None, error=None, cause=None) -> None:
        ticket.done = True
        if ticket.on_gone is not None:
            callbacks, callback = ticket.on_gone
            if callback in callbacks:
                callbacks.remove(callback)
            ticket.on_gone = None
        if not ticket.future.done():
            if error is not None:
                ticket.future.set_exception(error)
            else:
                ticket.future.set_result(reply)
        self.loop.call_soon(self._dispatch)

    # --- waiting too long, and preemption ----------------------------------------------

    def _sweep(self) -> None:
        now = time.monotonic()
        for client in list(self.queues):
            queue = self.queues[client]
            while queue and now - queue[0].queued_at > self.queue_seconds:
                ticket = queue.popleft()
                # idle workers left: it waited for its own share (maybe in another process)
                own = self._holding(client) >= self.client_queries or self.pool.worker_count() > 0
                self.stats["refused"] += 1
                self._finish(ticket, error=Turned(
                    429 if own else 503,
                    f"this client already runs {self.client_queries} queries; retry later" if own
                    else "every query worker stayed busy; retry later"))
            if not queue:
                del self.queues[client]
        if self.queues:
            self._dispatch()
        if self.queues:
            self._maybe_preempt()
        self._sweeper = self.loop.call_later(0.05, self._sweep)

    def _maybe_preempt(self) -> None:
        now = time.monotonic()
        waiting = [c for c in self.queues if self._holding(c) < self.client_queries]
        if not waiting or self.pool.worker_count() > 0:
            return
        neediest = min(self._holding(c) for c in waiting)
        # Many clients waiting at once: shorter turns, so the last of them waits about
        # `preempt_after` in all (cheap queries end long before their turn does).
        turn = max(MIN_TURN, min(self.preempt_after, self.preempt_after * self.pool.size
                                 / len(waiting)))
        candidates = [t for held in self.running.values() for t in held
                      if self._holding(t.client) > neediest and now - t.started_at >= turn]
        if not candidates:
            return
        victim = max(candidates, key=lambda t: (self._holding(t.client), self.usage.of(t.client, now),
                                                now - t.started_at))
        self.stats["preempted"] += 1
        self._stop(victim, Turned(503, "the query was stopped after "
                                       f"{now - victim.started_at:.1f} s to let other clients' "
                                       "queries run; the server is busy, retry later"))
