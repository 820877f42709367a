"""Serving a built on-disk store read-only, without copying it into memory.

`kg build --store DIR` writes the built dataset into a pyoxigraph (RocksDB) store. A read-only
`kg serve --store DIR` then queries it where it lies: start-up is opening the database
(milliseconds at 10^6 triples, against a minute to copy 2.6 M quads into memory), and the data
lives in the kernel's page cache, shared by the server and every worker, instead of in each
process's heap (benchmarks/README.md has the figures).

Workers are forked and close every inherited descriptor (kg.engine.worker), so a RocksDB handle
cannot cross the fork: `OnDiskStore` opens its own read-only handle in each process on first
use. The parent's handle in a child is kept, never closed (its descriptors are gone there).
"""

from __future__ import annotations

import os

import pyoxigraph as ox

_INHERITED: list = []  # handles of a parent process, kept alive, never used or closed


class OnDiskStore:
    """A pyoxigraph.Store, opened read-only at `path` once per process; same methods."""

    def __init__(self, path):
        self.path = str(path)
        self._pid: int | None = None
        self._store: ox.Store | None = None
        self._open()

    def _open(self) -> ox.Store:
        pid = os.getpid()
        if self._pid != pid:
            if self._store is not None:
                _INHERITED.append(self._store)
            self._store = ox.Store.read_only(self.path)
            self._pid = pid
        return self._store

    def __getattr__(self, name):
        return getattr(self._open(), name)

    def __len__(self) -> int:
        return len(self._open())

    def __iter__(self):
        return iter(self._open())

    def __contains__(self, quad) -> bool:
        return quad in self._open()
