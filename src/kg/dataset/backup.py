"""`kg backup` and `kg restore`: a consistent copy of the store, and putting one back.

Backup, from a running server (the usual way): GET /-/backup with the update token; the
server dumps its store under the write lock, so the copy is one dataset version, and every
version was validated before it was committed. From a store directory (server stopped):
the on-disk store with its write-ahead log replayed.

Restore installs a backup as a store directory (`kg serve --store DIR` then serves it),
after checking it the way the build checks the data: ontology + data + inferred graphs
validated with the shapes. A backup that does not conform is refused (unless forced).
The new store is built beside the old one and swapped in by renames.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.engine.journal import JOURNAL_DIR, Journal
from kg.pipeline.infer import DATA, INFERRED, ONTOLOGY
from kg.pipeline.validate import load_shapes, validate_store_graphs


@dataclass
class BackupResult:
    path: Path
    quads: int
    version: str | None = None


def _write_atomically(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as f:
        f.write(body)
        f.flush()
        os.fsync(f.fileno())
    partial.replace(path)


def backup_from_server(url: str, path, token: str | None, timeout: float = 300) -> BackupResult:
    request = urllib.request.Request(url.rstrip("/") + "/-/backup")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read()
        version = response.headers.get("X-KG-Dataset-Version")
    quads = sum(1 for _ in ox.parse(body, format=ox.RdfFormat.N_QUADS))  # whole, or raise
    _write_atomically(Path(path), body)
    return BackupResult(Path(path), quads, version)


def backup_from_store(store_dir, path) -> BackupResult:
    store = ox.Store(str(store_dir))
    Journal(Path(store_dir) / JOURNAL_DIR).replay(store)
    body = store.dump(format=ox.RdfFormat.N_QUADS)
    _write_atomically(Path(path), body)
    return BackupResult(Path(path), len(store))


def check(store: ox.Store):
    """The shapes report for the backup's ontology + data + inferred graphs (as the build)."""
    work = ox.Store()
    for graph in (ONTOLOGY, DATA, INFERRED):
        work.extend(store.quads_for_pattern(None, None, None, graph))
    return validate_store_graphs(work, load_shapes())


def restore(path, store_dir, force: bool = False):
    """Install the backup at `path` as the store in `store_dir`; return the shapes report."""
    store_dir = Path(store_dir)
    memory = ox.Store()
    memory.extend(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    report = check(memory)
    if not report.conforms and not force:
        return report
    fresh = store_dir.with_name(store_dir.name + ".restoring")
    shutil.rmtree(fresh, ignore_errors=True)
    durable = ox.Store(str(fresh))
    durable.extend(memory)  # blank nodes keep the backup's labels
    durable.flush()
    del durable  # closes RocksDB
    old = store_dir.with_name(store_dir.name + ".replaced")
    shutil.rmtree(old, ignore_errors=True)
    if store_dir.exists():
        store_dir.rename(old)
    fresh.rename(store_dir)
    shutil.rmtree(old, ignore_errors=True)
    return report


def digest(quads) -> tuple[str, int]:
    """sha256 of the N-Quads lines of `quads`, sorted, each ending in "\\n"; and their number.
    One dataset gives one digest, whatever the order its quads come in."""
    lines = sorted(f"{quad} .\n" for quad in quads)
    return hashlib.sha256("".join(lines).encode()).hexdigest(), len(lines)


def digest_of_file(path) -> str:
    """The digest of an N-Quads file (as GET /-/digest computes it of the store)."""
    return digest(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))[0]
