"""The HTTP server in front of the app: asyncio (uvloop) with httptools' parser (llhttp).

Chosen by measurement over waitress, granian, gunicorn, cheroot and uvicorn
(benchmarks/README.md): as fast as granian, and unlike any of them it lets us bound what one
client address holds. Connections are a bounded resource per client address:

- at most `client_connections` open connections per address; a new one past the cap first
  closes that address's oldest idle connection, and is refused (429, canonical JSON body)
  only if none is idle;
- at most `max_connections` in all; idle keep-alive connections are closed oldest first
  when a new one needs room, and are given a short idle timeout under pressure;
- a request's headers must arrive within `header_seconds` of its first byte and its body
  within `body_seconds` of its headers (408 and close; a byte every few seconds does not
  keep a connection), an idle connection closes after `idle_seconds`;
- a request with both Content-Length and Transfer-Encoding, or any malformed request, is
  answered (400) and its connection closed (RFC 9112 6.1, 11.2);
- the header and body size caps answer 431 / 413 before the app runs.

Every error this layer answers itself carries the canonical JSON error body. Requests are
handed to a router: /sparql queries to the fast path (kg.server.fast), the rest to the
Flask app through a small WSGI bridge on a thread pool, whose responses stream to the
client with back-pressure.
"""

from __future__ import annotations

import asyncio
import io
import socket
import sys
import time
import traceback
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import unquote_to_bytes

import httptools

from kg.server.errors import error_body

HIGH_WATER = 256 * 1024
MAX_PIPELINED = 8  # requests read ahead on one connection before reading pauses


@dataclass
class FrontLimits:
    max_connections: int = 1000
    client_connections: int = 24
    header_seconds: float = 10.0
    body_seconds: float = 30.0
    idle_seconds: float = 30.0
    pressure_idle_seconds: float = 1.0
    max_header_bytes: int = 1024 * 1024 + 65536
    max_body_bytes: int = 1024 * 1024
    threads: int = 6

    @classmethod
    def from_config(cls, config, workers: int) -> "FrontLimits":
        limit = int(config["MAX_REQUEST_BYTES"])
        return cls(max_connections=int(config.get("MAX_CONNECTIONS") or 1000),
                   client_connections=int(config.get("CLIENT_MAX_CONNECTIONS") or 0) or 1 << 30,
                   header_seconds=float(config.get("HEADER_SECONDS", 10.0)),
                   body_seconds=float(config.get("BODY_SECONDS", 30.0)),
                   idle_seconds=float(config.get("IDLE_SECONDS", 30.0)),
                   max_header_bytes=limit + 65536, max_body_bytes=limit,
                   threads=max(4, 2 * int(workers) + 2))


def error_bytes(status: int, detail: str, extra_headers=(), close=True, head=False) -> bytes:
    """A whole HTTP response with the canonical JSON error body (kg.server.errors)."""
    title = HTTPStatus(status).phrase
    body, media_type = error_body(status, detail)
    lines = [f"HTTP/1.1 {status} {title}", f"Content-Type: {media_type}",
             f"Content-Length: {len(body)}", "Server: kg"]
    lines += [f"{name}: {value}" for name, value in extra_headers]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if head else body)


@dataclass
class Request:
    method: str
    url: bytes
    headers: list  # (lower-case name, value) as str, latin-1
    body: bytes
    keep_alive: bool
    http_version: str
    path: str = ""
    query_string: str = ""

    def header(self, name: str, default=None):
        for key, value in self.headers:
            if key == name:
                return value
        return default


@dataclass
class Registry:
    """The open connections of this process, per client address."""

    limits: FrontLimits
    by_address: dict = field(default_factory=dict)   # address -> set of Connection
    all: set = field(default_factory=set)
    refused: int = 0
    closed_idle: int = 0
    timed_out: int = 0

    def stats(self) -> dict:
        return {"open": len(self.all), "addresses": len(self.by_address), "refused": self.refused,
                "closed_idle": self.closed_idle, "timed_out": self.timed_out}

    def under_pressure(self) -> bool:
        return len(self.all) >= 0.75 * self.limits.max_connections

    def admit(self, connection: "Connection") -> str | None:
        """Register `connection`, closing idle ones to make room; the reason if refused.
        (Requests relayed by another server process of ours are not one client's.)"""
        mine = self.by_address.setdefault(connection.address, set())
        if not connection.relayed and len(mine) >= self.limits.client_connections \
                and not self._close_oldest_idle(mine):
            self.refused += 1
            return (f"more than {self.limits.client_connections} open connections from this "
                    f"address; close some, or reuse them (keep-alive)")
        if len(self.all) >= self.limits.max_connections and not self._close_oldest_idle(self.all):
            self.refused += 1
            if not mine:
                del self.by_address[connection.address]
            return "the server has no room for another connection now"
        mine.add(connection)
        self.all.add(connection)
        return None

    def _close_oldest_idle(self, connections) -> bool:
        idle = [c for c in connections if c.idle_since is not None]
        if not idle:
            return False
        min(idle, key=lambda c: c.idle_since).close_quietly()
        self.closed_idle += 1
        return True

    def forget(self, connection: "Connection") -> None:
        self.all.discard(connection)
        mine = self.by_address.get(connection.address)
        if mine is not None:
            mine.discard(connection)
            if not mine:
                del self.by_address[connection.address]




class Connection(asyncio.Protocol):
    """One client connection: parses requests, enforces the deadlines, runs them in order."""

    def __init__(self, front: "Front"):
        self.front = front
        self.loop = front.loop
        self.transport = None
        self.address = "unknown"
        self.parser = httptools.HttpRequestParser(self)
        self.pending: deque[Request] = deque()
        self.busy = False
        self.closed = False
        self.idle_since: float | None = None
        self.timer = None
        self.header_bytes = 0
        self.body_parts: list[bytes] = []
        self.body_bytes = 0
        self.url = b""
        self.headers: list = []
        self.write_paused = False
        self.reading_paused = False
        self._drained: asyncio.Event | None = None
        self.on_close: list = []  # callbacks when the client goes (the scheduler drops its jobs)
        self.relayed = False

    # --- lifecycle ---------------------------------------------------------------------

    def connection_made(self, transport) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        sock = transport.get_extra_info("socket")
        self.relayed = sock is not None and sock.family == socket.AF_UNIX
        self.address = "relay" if self.relayed else (peer[0] if peer else "unknown")
        refused = self.front.registry.admit(self)
        if refused is not None:
            self.closed = True
            transport.write(error_bytes(429, refused, [("Retry-After", "1")]))
            transport.close()
            return
        if sock is not None and not self.relayed:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        transport.set_write_buffer_limits(high=HIGH_WATER)
        self._become_idle()

    def connection_lost(self, exc) -> None:
        self._gone()

    def _gone(self) -> None:
        """The connection is over (the client went, or we closed it): forget it, drop what
        it still asked for."""
        self.closed = True
        self._cancel_timer()
        self.front.registry.forget(self)
        self.pending.clear()
        if self._drained is not None:
            self._drained.set()
        callbacks, self.on_close = self.on_close, []
        for callback in callbacks:
            callback()

    def eof_received(self) -> bool:
        """The client closed its side: it is gone (its waiting requests are dropped)."""
        return False  # close the transport: connection_lost follows

    def close_quietly(self) -> None:
        if not self.closed:
            self._gone()
            self.transport.close()

    def fail(self, status: int, detail: str) -> None:
        """Answer an error of this layer and close (the request was not read whole)."""
        if not self.closed:
            self.transport.write(error_bytes(status, detail))
            self.close_quietly()

    # --- timers ------------------------------------------------------------------------

    def _cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _set_timer(self, seconds: float, callback) -> None:
        self._cancel_timer()
        self.timer = self.loop.call_later(seconds, callback)

    def _become_idle(self) -> None:
        self.idle_since = time.monotonic()
        limits = self.front.limits
        seconds = limits.pressure_idle_seconds if self.front.registry.under_pressure() \
            else limits.idle_seconds
        self._set_timer(seconds, self._idle_timeout)

    def _idle_timeout(self) -> None:
        if self.idle_since is None:
            return
        if not self.front.registry.under_pressure() and \
                time.monotonic() - self.idle_since < self.front.limits.idle_seconds:
            self._become_idle()
            return
        self.close_quietly()

    # --- parser callbacks --------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self.fail(400, "protocol upgrades are not supported here")
        except httptools.HttpParserError as error:
            self.fail(400, f"the request is not valid HTTP/1.1 ({error})")

    def on_message_begin(self) -> None:
        self.idle_since = None
        self.url, self.headers, self.body_parts = b"", [], []
        self.header_bytes = self.body_bytes = 0
        self._set_timer(self.front.limits.header_seconds, self._header_timeout)

    def _header_timeout(self) -> None:
        self.front.registry.timed_out += 1
        self.fail(408, f"the request's headers did not arrive within "
                       f"{self.front.limits.header_seconds:g} seconds")

    def _body_timeout(self) -> None:
        self.front.registry.timed_out += 1
        self.fail(408, f"the request's body did not arrive within "
                       f"{self.front.limits.body_seconds:g} seconds")

    def on_url(self, url: bytes) -> None:
        self.url += url
        self.header_bytes += len(url)
        if self.header_bytes > self.front.limits.max_header_bytes:
            self.fail(414, "the request line is too long")
            raise httptools.HttpParserError("stopped")

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_bytes += len(name) + len(value) + 4
        if self.header_bytes > self.front.limits.max_header_bytes:
            self.fail(431, "the request's header fields are too large")
            raise httptools.HttpParserError("stopped")
        self.headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        limits = self.front.limits
        length = next((v for k, v in self.headers if k == "content-length"), None)
        if length is not None and length.strip().isdigit() and int(length) > limits.max_body_bytes:
            self.fail(413, f"the request body is larger than this endpoint's "
                           f"{limits.max_body_bytes} bytes")
            raise httptools.HttpParserError("stopped")
        self._set_timer(limits.body_seconds, self._body_timeout)
        expect = next((v for k, v in self.headers if k == "expect"), None)
        if expect is not None and expect.lower() == "100-continue" and \
                self.parser.get_http_version() == "1.1":
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        self.body_bytes += len(body)
        if self.body_bytes > self.front.limits.max_body_bytes:
            self.fail(413, f"the request body is larger than this endpoint's "
                           f"{self.front.limits.max_body_bytes} bytes")
            raise httptools.HttpParserError("stopped")
        self.body_parts.append(body)

    def on_message_complete(self) -> None:
        self._cancel_timer()
        request = Request(self.parser.get_method().decode("latin-1"), self.url, self.headers,
                          b"".join(self.body_parts), self.parser.should_keep_alive(),
                          self.parser.get_http_version())
        if self.relayed:  # another server process of ours relays a client's request
            self.address = next((v for k, v in self.headers if k == "x-kg-client-address"),
                                self.address)
        path, query = split_target(self.url)
        request.path = unquote_to_bytes(path).decode("latin-1")
        request.query_string = query.decode("latin-1")
        self.pending.append(request)
        if len(self.pending) >= MAX_PIPELINED:
            self.transport.pause_reading()  # reading on lets us notice a client that goes
            self.reading_paused = True
        if not self.busy:
            self._next()

    # --- running requests in order -----------------------------------------------------

    def _next(self) -> None:
        if self.closed:
            return
        if not self.pending:
            self.busy = False
            if self.reading_paused:
                self.reading_paused = False
                self.transport.resume_reading()
            self._become_idle()
            return
        self.busy = True
        request = self.pending.popleft()
        self.loop.create_task(self._run(request))

    async def _run(self, request: Request) -> None:
        try:
            keep = await self.front.router(self, request)
        except Exception as error:  # noqa: BLE001 - the client gets an answer, the server goes on
            print(f"kg: {request.method} {request.path} failed:", file=sys.stderr, flush=True)
            traceback.print_exception(error, file=sys.stderr)
            if not self.closed:
                self.transport.write(error_bytes(500, "the server could not complete the "
                                                      "request; it keeps serving"))
            keep = False
        if self.closed:
            return
        if not keep or not request.keep_alive:
            self.close_quietly()
            return
        self._next()

    # --- writing with back-pressure ----------------------------------------------------

    def pause_writing(self) -> None:
        self.write_paused = True
        self._drained = asyncio.Event()

    def resume_writing(self) -> None:
        self.write_paused = False
        if self._drained is not None:
            self._drained.set()

    async def write_body(self, head: bytes, body: bytes, chunk: int = HIGH_WATER) -> None:
        """A response head and its body, the body in slices as the client takes them (the
        transport never holds a second copy of a large body)."""
        if len(body) <= chunk:
            await self.write(head + body)
            return
        await self.write(head)
        view = memoryview(body)
        for start in range(0, len(body), chunk):
            await self.write(view[start:start + chunk])

    async def write(self, data: bytes) -> None:
        if self.closed:
            raise ConnectionError("the client has gone")
        self.transport.write(data)
        if self.write_paused and self._drained is not None:
            await self._drained.wait()
            if self.closed:
                raise ConnectionError("the client has gone")


def split_target(target: bytes) -> tuple[bytes, bytes]:
    """Path and query string of a request target, origin-form or absolute-form (httptools'
    own URL parser stops at 64 KiB; query strings here may be up to MAX_REQUEST_BYTES)."""
    if target[:1] != b"/" and b"://" in target[:16]:
        rest = target.split(b"://", 1)[1]
        slash = rest.find(b"/")
        target = rest[slash:] if slash >= 0 else b"/" + rest[len(rest):]
    path, _, query = target.partition(b"?")
    return path or b"/", query


def response_head(status: str, headers, framing: str, keep_alive: bool) -> bytes:
    lines = [f"HTTP/1.1 {status}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines.append("Server: kg")
    if framing == "chunked":
        lines.append("Transfer-Encoding: chunked")
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class WsgiBridge:
    """Runs a WSGI app on a thread pool; its body streams to the connection. One client
    address holds at most a third of the threads at once (its other requests wait for
    one of its own), so no client can occupy them all."""

    EXEMPT = ("/-/health",)

    def __init__(self, app, front: "Front", threads: int, server_name: str, port: int,
                 multiprocess: bool):
        self.app, self.front = app, front
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="kg-app")
        self.server_name, self.port, self.multiprocess = server_name, str(port), multiprocess
        self.per_client = max(1, threads // 3)
        self._slots: dict[str, list] = {}  # address -> [semaphore, users]

    async def __call__(self, connection: Connection, request: Request) -> bool:
        if request.path in self.EXEMPT:
            return await self._run(connection, request)
        slot = self._slots.setdefault(connection.address,
                                      [asyncio.Semaphore(self.per_client), 0])
        slot[1] += 1
        try:
            async with slot[0]:
                if connection.closed:
                    return False  # the client went while its request waited
                return await self._run(connection, request)
        finally:
            slot[1] -= 1
            if not slot[1]:
                self._slots.pop(connection.address, None)

    def environ(self, connection: Connection, request: Request) -> dict:
        environ = {
            "REQUEST_METHOD": request.method, "SCRIPT_NAME": "", "PATH_INFO": request.path,
            "QUERY_STRING": request.query_string, "SERVER_NAME": self.server_name,
            "SERVER_PORT": self.port, "SERVER_PROTOCOL": f"HTTP/{request.http_version}",
            "REMOTE_ADDR": connection.address, "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(request.body), "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": self.multiprocess,
            "wsgi.run_once": False, "wsgi.input_terminated": True,
        }
        for name, value in request.headers:
            if name == "content-type":
                environ["CONTENT_TYPE"] = value
            elif name == "content-length":
                environ["CONTENT_LENGTH"] = value
            elif name != "transfer-encoding" and "_" not in name:
                # (a header spelt with an underscore could pass for its dashed twin: dropped)
                key = "HTTP_" + name.upper().replace("-", "_")
                environ[key] = f"{environ[key]},{value}" if key in environ else value
        if request.body and "CONTENT_LENGTH" not in environ:
            environ["CONTENT_LENGTH"] = str(len(request.body))
        return environ

    async def _run(self, connection: Connection, request: Request) -> bool:
        loop = self.front.loop
        environ = self.environ(connection, request)
        head_only = request.method == "HEAD"
        state = {"keep": request.keep_alive and request.http_version == "1.1"}

        def send(data: bytes) -> None:  # on the app thread: hand over, wait for room
            asyncio.run_coroutine_threadsafe(connection.write(data), loop).result()

        def run() -> None:
            if connection.closed:
                return  # the client went while this request waited for a thread
            started: list = []

            def start_response(status, headers, exc_info=None):
                if exc_info and started and started[0] == "sent":
                    raise exc_info[1].with_traceback(exc_info[2])
                started[:] = [status, headers]
                return lambda data: body_write(data)

            def begin() -> None:
                if started and started[0] != "sent":
                    status, headers = started
                    names = {name.lower() for name, _ in headers}
                    framing = "length" if "content-length" in names else (
                        "chunked" if request.http_version == "1.1" and not head_only else "close")
                    if framing == "close":
                        state["keep"] = False
                    state["framing"] = framing
                    send(response_head(status, headers, framing, state["keep"]))
                    started[:] = ["sent"]

            def body_write(data: bytes) -> None:
                begin()
                if data and not head_only:
                    send(b"%x\r\n%s\r\n" % (len(data), data) if state["framing"] == "chunked"
                         else data)

            result = self.app(environ, start_response)
            try:
                for chunk in result:
                    if chunk:
                        body_write(chunk)
                begin()
                if state.get("framing") == "chunked":
                    send(b"0\r\n\r\n")
            finally:
                if hasattr(result, "close"):
                    result.close()

        try:
            await loop.run_in_executor(self.executor, run)
        except ConnectionError:
            return False
        return state["keep"]


class Front:
    """One process's HTTP server: the listening sockets, the connections, the router."""

    def __init__(self, limits: FrontLimits, router=None):
        self.limits = limits
        self.registry = Registry(limits)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.router = router

    def serve(self, sockets, ready=None) -> None:
        try:
            import uvloop
            loop = uvloop.new_event_loop()
        except ImportError:  # the same server on the standard loop
            loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.loop = loop
        if ready is not None:
            ready(self)  # before the first connection is accepted
        servers = [loop.run_until_complete(loop.create_server(lambda: Connection(self), sock=sock,
                                                              backlog=1024))
                   for sock in sockets]
        try:
            loop.run_forever()
        finally:
            for server in servers:
                server.close()
