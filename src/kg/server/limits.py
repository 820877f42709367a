"""Per-client flood limits, checked in the server process before a request runs.

Flood limits (answer: 429 with Retry-After), per client = the connection's remote address
(behind a reverse proxy, give each client its own address there: X-Forwarded-For is not
trusted here). All configurable (kg.server.config), None or 0 switches one off:

- CLIENT_MAX_REQUESTS: requests of one client in flight at once;
- CLIENT_MAX_QUERIES: /sparql requests of one client in flight at once; under
  kg.server.front they are counted by its fair scheduler instead (kg.server.scheduler),
  where the ones past this wait in the client's queue before a 429;
- CLIENT_RATE / CLIENT_BURST: a token bucket, requests per second and bucket size.

`/-/health` is exempt, so monitoring keeps working during a flood.
"""

import math
import threading
import time

from flask import current_app, g, request

from kg.server.errors import ApiError

EXEMPT_PATHS = ("/-/health",)
ENGINE_PATHS = ("/sparql",)
MAX_TRACKED_CLIENTS = 10000

# --- flood limits ---------------------------------------------------------------------


class ClientLimiter:
    """Per-client in-flight counters and token buckets (thread-safe)."""

    def __init__(self, max_requests=None, max_queries=None, rate=None, burst=None,
                 clock=time.monotonic):
        self.max_requests, self.max_queries = max_requests or 0, max_queries or 0
        self.rate = float(rate or 0)
        self.burst = float(burst or max(1.0, self.rate))
        self.clock = clock
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = {}
        self._queries: dict[str, int] = {}
        self._buckets: dict[str, tuple[float, float]] = {}  # client: (tokens, when)

    def acquire(self, client: str, engine: bool) -> tuple[str, float] | None:
        """None if admitted (then call release), or (reason, seconds to wait)."""
        with self._lock:
            if self.max_requests and self._in_flight.get(client, 0) >= self.max_requests:
                return (f"more than {self.max_requests} requests of this client at once", 1.0)
            if engine and self.max_queries and self._queries.get(client, 0) >= self.max_queries:
                return (f"more than {self.max_queries} SPARQL requests of this client at once", 1.0)
            if self.rate:
                now = self.clock()
                tokens, since = self._buckets.get(client, (self.burst, now))
                tokens = min(self.burst, tokens + (now - since) * self.rate)
                if tokens < 1.0:
                    self._buckets[client] = (tokens, now)
                    return (f"more than {self.rate:g} requests per second from this client",
                            (1.0 - tokens) / self.rate)
                self._buckets[client] = (tokens - 1.0, now)
                if len(self._buckets) > MAX_TRACKED_CLIENTS:
                    self._forget_full_buckets(now)
            self._in_flight[client] = self._in_flight.get(client, 0) + 1
            if engine:
                self._queries[client] = self._queries.get(client, 0) + 1
            return None

    def release(self, client: str, engine: bool) -> None:
        with self._lock:
            for counts, counted in ((self._in_flight, True), (self._queries, engine)):
                if counted:
                    left = counts.get(client, 0) - 1
                    if left > 0:
                        counts[client] = left
                    else:
                        counts.pop(client, None)

    def begin_query(self, client: str) -> bool:
        """Count a query of `client` as running, if it runs fewer than max_queries."""
        with self._lock:
            if self.max_queries and self._queries.get(client, 0) >= self.max_queries:
                return False
            self._queries[client] = self._queries.get(client, 0) + 1
            return True

    def end_query(self, client: str) -> None:
        with self._lock:
            left = self._queries.get(client, 0) - 1
            if left > 0:
                self._queries[client] = left
            else:
                self._queries.pop(client, None)

    def _forget_full_buckets(self, now: float) -> None:
        """Buckets refilled to the brim carry no information: drop them (bounds memory)."""
        self._buckets = {client: (tokens, since) for client, (tokens, since) in self._buckets.items()
                         if tokens + (now - since) * self.rate < self.burst}


def limiter_from(config) -> ClientLimiter:
    queries = config.get("CLIENT_MAX_QUERIES", 5)
    if queries == "auto":
        queries = max(1, int(config.get("WORKERS", 2)) - 1)
    return ClientLimiter(config.get("CLIENT_MAX_REQUESTS"), queries,
                         config.get("CLIENT_RATE"), config.get("CLIENT_BURST"))


def _admit():
    if request.path in EXEMPT_PATHS:
        return
    limiter: ClientLimiter = current_app.extensions["kg_limiter"]
    client = request.remote_addr or "unknown"
    # Under kg.server.front, its scheduler counts the queries (and lets them wait their turn).
    engine = request.path.rstrip("/") in ENGINE_PATHS and "kg_scheduler" not in current_app.extensions
    refused = limiter.acquire(client, engine)
    if refused is not None:
        reason, seconds = refused
        raise ApiError(429, f"too many requests: {reason}; retry later",
                       {"Retry-After": str(max(1, math.ceil(seconds)))})
    g.kg_admitted = (client, engine)


def _release(_error=None):
    admitted = g.pop("kg_admitted", None)
    if admitted is not None:
        current_app.extensions["kg_limiter"].release(*admitted)


def register_limits(app) -> None:
    app.extensions["kg_limiter"] = limiter_from(app.config)
    app.before_request_funcs.setdefault(None, []).insert(0, _admit)  # before any other hook
    app.teardown_request(_release)
