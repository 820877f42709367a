"""/sparql queries without the framework: the lean path of kg.server.front.

The same rules as kg.server.sparql, whose pieces it calls (the protocol reader, the nesting
pre-check, the job, the result cache, the error mapping, the truncation headers), run on the
event loop: no Flask request, no thread. The query goes to a worker through the fair
scheduler, and the worker's body is written as it came (at most RESULT_MAX_BYTES).
Everything else, including requests from browsers (an Origin header, or HTML asked for),
updates and the service description, goes to the Flask app as before.
"""

from __future__ import annotations

import math
from http import HTTPStatus

from kg.engine.errors import EngineError, Rejected
from kg.server.cache import ResultCache, result_cache
from kg.sparql.conneg import prefers_html
from kg.server.cors import EXPOSED_HEADERS
from kg.server.errors import ApiError, error_body
from kg.sparql.guard import MAX_NESTING_DEPTH
from kg.sparql.nesting import refuse_deep_nesting
from kg.sparql.protocol import read_operation
from kg.server.rdf_response import with_charset
from kg.server.replicas import writes
from kg.server.scheduler import Turned
from kg.server.security import allowed_hosts, host_allowed
from kg.server.sparql import query_job, run_in_engine, truncation_headers

SPARQL_PATHS = ("/sparql", "/sparql/")
CORS_HEADERS = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
                ("X-Content-Type-Options", "nosniff")]


class _Headers:
    def __init__(self, pairs):
        self.pairs = pairs

    def get(self, name, default=None):
        name = name.lower()
        return next((value for key, value in self.pairs if key == name), default)


class ProtocolRequest:
    """What kg.sparql.protocol.read_operation reads of a request."""

    def __init__(self, request):
        self.method = request.method
        self.query_string = request.query_string.encode("latin-1")
        self.headers = _Headers(request.headers)
        length = self.headers.get("content-length")
        self.content_length = int(length) if length and length.isdigit() else len(request.body)
        self._body = request.body

    def get_data(self, cache=True):
        return self._body


class SparqlPath:
    """The router of kg.server.front: /sparql queries here, the rest to the WSGI bridge."""

    def __init__(self, app, scheduler, bridge, relay=None, follow=None):
        """`relay` / `follow`: in a reader of several server processes with writes
        (kg.server.replicas), what hands writes to the writer, and what moves this process
        to the newest published version (looked at before each request)."""
        self.app, self.scheduler, self.bridge = app, scheduler, bridge
        self.relay, self.follow = relay, follow
        self.config = app.config
        self.engine = app.extensions["kg_engine"]
        self.hosts = allowed_hosts(app.config)
        self.limiter = app.extensions["kg_limiter"]

    def takes(self, request) -> bool:
        """Queries of non-browser clients for a Host this server answers (the others go to
        Flask, which refuses an unknown Host)."""
        return (request.path in SPARQL_PATHS and request.method in ("GET", "POST")
                and request.header("origin") is None
                and not prefers_html(request.header("accept"))
                and host_allowed(request.header("host") or "", self.hosts))

    async def __call__(self, connection, request) -> bool:
        if self.follow is not None:
            self.follow()
        if not self.takes(request):
            if self.relay is not None and writes(request):
                return await self.relay(connection, request)
            return await self.bridge(connection, request)
        accept = request.header("accept")
        try:
            operation = read_operation(ProtocolRequest(request), self.config["MAX_REQUEST_BYTES"])
            if operation.kind != "query":
                if self.relay is not None and writes(request, operation.kind):
                    return await self.relay(connection, request)
                return await self.bridge(connection, request)
            refuse_deep_nesting(operation.text, MAX_NESTING_DEPTH, "the query")
            base = self.config.get("BASE_URL") or f"http://{request.header('host') or self.bridge.server_name}/"
            endpoint = base + "sparql"
            outcome = await self.answer(connection, query_job(operation, endpoint, accept, self.config))
        except ApiError as error:
            await connection.write(error_response(error.status, error.detail, accept,
                                                  error.headers, request.keep_alive, **error.extra))
            return True
        except Rejected as error:  # the protocol reader or the nesting pre-check refused it
            await connection.write(error_response(error.status, str(error), accept,
                                                  error.headers, request.keep_alive))
            return True
        headers = [("Content-Type", with_charset(outcome.media_type)), ("Vary", "Accept"),
                   *CORS_HEADERS, *truncation_headers(outcome, self.config)]
        await connection.write_body(head_bytes(200, headers, len(outcome.body), request.keep_alive),
                                    outcome.body)
        return True

    async def answer(self, connection, job):
        cache: ResultCache | None = result_cache(self.app)
        key = cache.key(job) if cache is not None else None
        version = self.engine.dataset.version
        if key is not None:
            hit = cache.get(version, key)
            if hit is not None:
                return hit
        client = connection.address
        refused = self.limiter.acquire(client, False)
        if refused is not None:
            reason, seconds = refused
            raise ApiError(429, f"too many requests: {reason}; retry later",
                           {"Retry-After": str(max(1, math.ceil(seconds)))})
        try:
            outcome = await self.scheduler.run(client, job, connection.on_close)
        except (Turned, EngineError) as error:
            run_in_engine(lambda _job: _raise(error), job)  # raises the matching ApiError
        finally:
            self.limiter.release(client, False)
        if key is not None:
            cache.put(version, key, outcome)
        return outcome


def _raise(error):
    raise error


def error_response(status: int, detail: str, accept, headers, keep_alive: bool, **extra) -> bytes:
    """The canonical error body (kg.server.errors), with the CORS headers of /sparql."""
    body, media = error_body(status, detail, accept, **extra)
    pairs = [("Content-Type", media), *CORS_HEADERS, *(headers or {}).items()]
    return head_bytes(status, pairs, len(body), keep_alive) + body


def head_bytes(status: int, headers, length: int, keep_alive: bool) -> bytes:
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines += [f"Content-Length: {length}", "Server: kg"]
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
