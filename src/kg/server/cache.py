"""A result cache for /sparql, keyed by the dataset's version: repeated queries (the query
page's examples, the pages' own queries, a dashboard polling) are answered without a worker.

Every entry is the finished response of one query job (body, media type, truncation) under
the key (dataset version, the job: text, dataset, format, Accept, row limit, base IRI). A
write bumps `DatasetStore.version`, so no later request can hit an entry made before it; the
first lookup at a new version also drops every older entry. Bounded by the bytes of the
bodies and keys it holds, in bytes (least recently used out first); a body larger than an
eighth of the budget
is not kept. Queries that call SERVICE are never cached (the remote data has no version), nor
queries whose answer is meant to change on every evaluation (RAND, NOW, UUID, STRUUID, BNODE).
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict

from flask import current_app

from kg.sparql.lexer import decode_codepoint_escapes

# Checked on the text with \u / \U escapes decoded, as the SPARQL grammar reads it.
UNCACHEABLE = re.compile(r"\b(SERVICE|RAND|NOW|UUID|STRUUID|BNODE)\b", re.IGNORECASE)
# The budget: config RESULT_CACHE_BYTES, else $KG_RESULT_CACHE_BYTES, else 64 MiB; 0 disables.
DEFAULT_BYTES = int(os.environ.get("KG_RESULT_CACHE_BYTES", 64 * 1024 * 1024))


class ResultCache:
    def __init__(self, max_bytes: int = DEFAULT_BYTES):
        self.max_bytes = int(max_bytes)
        self._entries: OrderedDict = OrderedDict()
        self._bytes = 0
        self._version = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def key(job) -> str | None:
        """The job's identity (a frozen dataclass: its repr names every field), or None if
        the job must not be cached."""
        if UNCACHEABLE.search(decode_codepoint_escapes(job.text)):
            return None
        return repr(job)

    def get(self, version: int, key: str):
        with self._lock:
            if version != self._version:
                self._clear(version)
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, version: int, key: str, outcome) -> None:
        size = len(outcome.body) + len(key.encode("utf-8", "surrogatepass")) + 200  # bytes
        if size > self.max_bytes // 8:
            return
        with self._lock:
            if version != self._version:
                if self._version is not None and version < self._version:
                    return  # evaluated before a write that has since happened
                self._clear(version)
            if key in self._entries:
                return
            self._entries[key] = (outcome, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def _clear(self, version: int) -> None:
        self._entries.clear()
        self._bytes = 0
        self._version = version

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes, "hits": self.hits,
                    "misses": self.misses, "version": self._version}


def result_cache(app) -> ResultCache | None:
    """The app's result cache (None when its budget is 0)."""
    cache = app.extensions.get("kg_result_cache")
    if cache is None:
        budget = app.config.get("RESULT_CACHE_BYTES", DEFAULT_BYTES)
        if not budget:
            return None
        cache = app.extensions.setdefault("kg_result_cache", ResultCache(budget))
    return cache


def cached(engine, job, run):
    """`run(job)`'s outcome, from the app's cache if this job was answered at this version."""
    cache = result_cache(current_app)
    if cache is None:
        return run(job)
    key = cache.key(job)
    if key is None:
        return run(job)
    version = engine.dataset.version
    outcome = cache.get(version, key)
    if outcome is None:
        outcome = run(job)
        cache.put(version, key, outcome)
    return outcome


class VersionedCache:
    """Values computed once per dataset version (kept by the app's engine). Single flight:
    requests that ask while a value is computed wait for that computation, never start
    their own (8 parallel first downloads of a dump generate it once)."""

    def __init__(self):
        self._values: dict[str, tuple[int, object]] = {}
        self._computing: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key, version, compute):
        with self._lock:
            hit = self._values.get(key)
            if hit and hit[0] == version:
                return hit[1]
            flight = self._computing.setdefault(key, threading.Lock())
        with flight:
            with self._lock:
                hit = self._values.get(key)
            if hit and hit[0] == version:
                return hit[1]  # computed by the request this one waited for
            value = compute()
            with self._lock:
                self._values[key] = (version, value)
            return value
