"""Loopback plumbing for the attack suite: clients from distinct loopback addresses, a
listener that must never be connected to, and a raw HTTP request for oversized bodies."""

import socket
import threading

import requests
from requests.adapters import HTTPAdapter


class _SourceAdapter(HTTPAdapter):
    def __init__(self, source_ip: str, **kwargs):
        self._source = (source_ip, 0)
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = self._source
        super().init_poolmanager(*args, **kwargs)


def session_from(source_ip: str) -> requests.Session:
    """A requests session whose connections come from `source_ip` (any 127.x.y.z works on
    Linux loopback): the server sees it as a different client."""
    session = requests.Session()
    adapter = _SourceAdapter(source_ip)
    session.mount("http://", adapter)
    return session


class TrapListener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                connection, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            connection.close()

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def raw_request(host: str, port: int, head: bytes, body_size: int, timeout: float = 30.0,
                chunk: bytes = b"a" * 65536) -> bytes:
    """Send `head` then `body_size` bytes; return whatever the server answered (the server
    may answer and close before the body is sent: that is not an error here)."""
    sock = socket.create_connection((host, port), timeout=timeout)
    received = b""
    try:
        sock.sendall(head)
        sent = 0
        try:
            while sent < body_size:
                piece = chunk[:body_size - sent]
                sock.sendall(piece)
                sent += len(piece)
        except OSError:
            pass
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                received += data
        except OSError:
            pass
    finally:
        sock.close()
    return received
