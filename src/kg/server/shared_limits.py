"""Per-client flood limits shared by several server processes (`kg serve --processes N`).

The same rules and answers as kg.server.limits.ClientLimiter (requests in flight, /sparql
requests in flight, a token bucket per client address), with the counters in one anonymous
shared memory table created before the server processes are forked and guarded by one
process-shared lock: a client that spreads its connections over every process is counted
once, exactly as with one process.

The table is open-addressed: a client (a 64-bit digest of its address) takes the first
reusable slot of a short probe window; a slot is reusable when nothing of its client is in
flight and its bucket is full again (it carries no information). A client that finds no slot
in its window (thousands of clients active at once hashing together) is refused with 429.
"""

from __future__ import annotations

import hashlib
import mmap
import multiprocessing
import struct
import time

SLOT = struct.Struct("<Qiidd")  # client digest (0: never used), in flight, queries, tokens, when
SLOTS = 1 << 14                 # 16384 slots, 512 KiB
PROBES = 32


def client_key(client: str) -> int:
    return int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "little") or 1


class SharedClientLimiter:
    """kg.server.limits.ClientLimiter's interface, shared by forked processes."""

    def __init__(self, max_requests=None, max_queries=None, rate=None, burst=None,
                 clock=time.monotonic, slots: int = SLOTS):
        self.max_requests, self.max_queries = max_requests or 0, max_queries or 0
        self.rate = float(rate or 0)
        self.burst = float(burst or max(1.0, self.rate))
        self.clock = clock  # CLOCK_MONOTONIC: one clock for every process of the machine
        self.slots = slots
        self._table = mmap.mmap(-1, SLOT.size * slots)  # MAP_SHARED | MAP_ANONYMOUS
        self._lock = multiprocessing.get_context("fork").Lock()

    def _read(self, index: int):
        return SLOT.unpack_from(self._table, index * SLOT.size)

    def _write(self, index: int, *values) -> None:
        SLOT.pack_into(self._table, index * SLOT.size, *values)

    def _reusable(self, slot, now: float) -> bool:
        key, in_flight, queries, tokens, since = slot
        if key == 0:
            return True
        if in_flight > 0 or queries > 0:
            return False
        return not self.rate or tokens + (now - since) * self.rate >= self.burst

    def _find(self, key: int, now: float, create: bool):
        """(index, slot values) of `key`, or of a fresh slot for it; None if none is free."""
        start, free = key % self.slots, None
        for probe in range(PROBES):
            index = (start + probe) % self.slots
            slot = self._read(index)
            if slot[0] == key:
                return index, slot
            if free is None and create and self._reusable(slot, now):
                free = index
        if free is None:
            return None
        return free, (key, 0, 0, self.burst, now)

    def acquire(self, client: str, engine: bool) -> tuple[str, float] | None:
        """None if admitted (then call release), or (reason, seconds to wait)."""
        key, now = client_key(client), self.clock()
        with self._lock:
            found = self._find(key, now, create=True)
            if found is None:
                return ("too many clients at once; this client is not tracked", 1.0)
            index, (_, in_flight, queries, tokens, since) = found
            if self.max_requests and in_flight >= self.max_requests:
                return (f"more than {self.max_requests} requests of this client at once", 1.0)
            if engine and self.max_queries and queries >= self.max_queries:
                return (f"more than {self.max_queries} SPARQL requests of this client at once", 1.0)
            if self.rate:
                tokens = min(self.burst, tokens + (now - since) * self.rate)
                if tokens < 1.0:
                    self._write(index, key, in_flight, queries, tokens, now)
                    return (f"more than {self.rate:g} requests per second from this client",
                            (1.0 - tokens) / self.rate)
                tokens -= 1.0
            self._write(index, key, in_flight + 1, queries + (1 if engine else 0), tokens, now)
            return None

    def release(self, client: str, engine: bool) -> None:
        key = client_key(client)
        with self._lock:
            found = self._find(key, self.clock(), create=False)
            if found is None:
                return
            index, (_, in_flight, queries, tokens, since) = found
            self._write(index, key, max(0, in_flight - 1),
                        max(0, queries - (1 if engine else 0)), tokens, since)


    def begin_query(self, client: str) -> bool:
        """Count a query of `client` as running, if it runs fewer than max_queries."""
        key, now = client_key(client), self.clock()
        with self._lock:
            found = self._find(key, now, create=True)
            if found is None:
                return False
            index, (_, in_flight, queries, tokens, since) = found
            if self.max_queries and queries >= self.max_queries:
                return False
            self._write(index, key, in_flight, queries + 1, tokens, since)
            return True

    def end_query(self, client: str) -> None:
        key = client_key(client)
        with self._lock:
            found = self._find(key, self.clock(), create=False)
            if found is not None:
                index, (_, in_flight, queries, tokens, since) = found
                self._write(index, key, in_flight, max(0, queries - 1), tokens, since)


def shared_limiter_from(config) -> SharedClientLimiter:
    """The shared counterpart of kg.server.limits.limiter_from (same configuration keys)."""
    queries = config.get("CLIENT_MAX_QUERIES", 5)
    if queries == "auto":
        queries = max(1, int(config.get("WORKERS", 2)) - 1)
    return SharedClientLimiter(config.get("CLIENT_MAX_REQUESTS"), queries,
                               config.get("CLIENT_RATE"), config.get("CLIENT_BURST"))
