"""Several server processes with writes: one writer, readers that follow it.

The writer process owns the on-disk store and its journal, and applies every write as a
single process does (kg.engine.store.apply_delta). After each write, before it is
acknowledged, it takes a checkpoint of the on-disk store (RocksDB's: hard links to its
files, a consistent snapshot of the whole write) into STORE/kg-checkpoints/v<version> and
publishes that version on a board in shared memory. A reader process serves queries from the
checkpoint of the newest published version, opened read-only (kg.engine.ondisk): it looks at
the board before each request and every FOLLOW_SECONDS, so a request that comes after a
write's answer sees that write, and no reader ever sees part of one (a checkpoint holds only
whole writes). A request that writes, landing on a reader, is relayed to the writer over a
Unix socket, with the client's address, and its answer streamed back.

Checkpoints older than KEEP_SECONDS (longer than any query's deadline) are removed, but never
the newest.
"""

from __future__ import annotations

import asyncio
import mmap
import shutil
import struct
import time
from pathlib import Path
from urllib.parse import parse_qsl

CHECKPOINTS = "kg-checkpoints"
FOLLOW_SECONDS = 0.05
KEEP_SECONDS = 120.0
RELAY_HEADER = "x-kg-client-address"
_BOARD = struct.Struct("<q")


class VersionBoard:
    """The newest published dataset version, in memory shared by forked processes."""

    def __init__(self):
        self._map = mmap.mmap(-1, _BOARD.size)
        self.publish(-1)

    def publish(self, version: int) -> None:
        _BOARD.pack_into(self._map, 0, version)  # one aligned 8-byte write: never torn

    def read(self) -> int:
        return _BOARD.unpack_from(self._map, 0)[0]


def checkpoint_path(store_dir, version: int) -> Path:
    return Path(store_dir) / CHECKPOINTS / f"v{version}"


# --- the writer ---------------------------------------------------------------------------------

def become_writer(app, board: VersionBoard) -> None:
    """Publish a checkpoint of the writer's store now and after each write."""
    dataset = app.extensions["kg_engine"].dataset
    store_dir = Path(app.config["STORE"])
    shutil.rmtree(store_dir / CHECKPOINTS, ignore_errors=True)  # those of a former run
    (store_dir / CHECKPOINTS).mkdir()

    def publish() -> None:  # under the dataset's lock, after the write reached the disk
        target = checkpoint_path(store_dir, dataset.version)
        if not target.exists():
            dataset.durable.backup(str(target))
        board.publish(dataset.version)
        prune(store_dir / CHECKPOINTS, dataset.version)
    dataset.on_changed.append(publish)
    with dataset.lock:
        publish()


def prune(directory: Path, newest: int) -> None:
    now = time.time()
    for path in directory.glob("v*"):
        if path.name != f"v{newest}" and now - path.stat().st_mtime > KEEP_SECONDS:
            shutil.rmtree(path, ignore_errors=True)


# --- a reader -----------------------------------------------------------------------------------

def reader_dataset(store_dir, board: VersionBoard, seconds: float = 120.0):
    """The dataset of a reader: the newest checkpoint, once the writer has published one."""
    from kg.engine import DatasetStore
    from kg.engine.ondisk import OnDiskStore

    stop_at = time.monotonic() + seconds
    while board.read() < 0:
        if time.monotonic() > stop_at:
            raise SystemExit("error: the writer process published no checkpoint")
        time.sleep(0.05)
    version = board.read()
    dataset = DatasetStore(OnDiskStore(checkpoint_path(store_dir, version)))
    dataset.follow(dataset.store, version)
    return dataset


class Follower:
    """Moves a reader's dataset to the newest published checkpoint."""

    def __init__(self, dataset, store_dir, board: VersionBoard):
        self.dataset, self.store_dir, self.board = dataset, Path(store_dir), board

    def __call__(self) -> None:
        version = self.board.read()
        if version > self.dataset.version:
            from kg.engine.ondisk import OnDiskStore
            self.dataset.follow(OnDiskStore(checkpoint_path(self.store_dir, version)), version)

    def every(self, loop, seconds: float = FOLLOW_SECONDS) -> None:
        self()
        loop.call_later(seconds, self.every, loop, seconds)


def writes(request, operation_kind=None) -> bool:
    """Whether a request may change the data (and must go to the writer)."""
    if request.method in ("PUT", "DELETE", "PATCH"):
        return True
    if request.path == "/-/backup":
        return True
    if request.method != "POST":
        return False
    if request.path.rstrip("/") == "/sparql":
        if operation_kind is not None:
            return operation_kind == "update"
        media_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        if media_type == "application/sparql-update":
            return True
        return media_type == "application/x-www-form-urlencoded" and any(
            name == "update" for name, _ in parse_qsl(request.body.decode("utf-8", "replace")))
    return not request.path.startswith("/reconcile")


class Relay:
    """Hands a request to the writer process over its Unix socket; streams the answer back.
    The writer answers within its own deadline; past `seconds` more, the client gets 504."""

    def __init__(self, socket_path: str, seconds: float = 90.0):
        self.socket_path, self.seconds = socket_path, seconds

    async def __call__(self, connection, request) -> bool:
        try:
            return await asyncio.wait_for(self._relay(connection, request), self.seconds)
        except (asyncio.TimeoutError, OSError) as error:
            if not connection.closed and not getattr(connection, "relay_started", False):
                from kg.server.front import error_bytes
                await connection.write(error_bytes(504 if isinstance(error, asyncio.TimeoutError)
                                                   else 503, "the writer process did not answer "
                                                   "this write; try later", [("Retry-After", "1")]))
            return False

    async def _relay(self, connection, request) -> bool:
        reader, writer = await asyncio.open_unix_connection(self.socket_path)
        try:
            lines = [f"{request.method} {request.url.decode('latin-1')} HTTP/1.1"]
            lines += [f"{name}: {value}" for name, value in request.headers
                      if name not in ("connection", "keep-alive", "transfer-encoding",
                                      "content-length", RELAY_HEADER)]
            lines += [f"{RELAY_HEADER}: {connection.address}",
                      f"Content-Length: {len(request.body)}", "Connection: close"]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body)
            await writer.drain()
            while True:
                chunk = await reader.read(1 << 16)
                if not chunk:
                    break
                connection.relay_started = True
                await connection.write(chunk)
        finally:
            writer.close()
        return False  # the writer's answer said Connection: close
