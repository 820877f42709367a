"""The query engine: an authoritative pyoxigraph store and a pool of killable worker processes.

User queries never run in the server process: pyoxigraph queries cannot be cancelled,
crash the process on very deep nesting (SIGSEGV) and abort on OOM. Workers are forked
from the server, so each holds a copy-on-write snapshot of the store; a worker that
overruns its deadline is SIGKILLed and replaced by a fresh fork (no reload).
"""

from kg.engine.delta import Delta
from kg.engine.store import DatasetStore, apply_delta, load_store
from kg.engine.pool import WorkerPool
from kg.engine.jobs import QueryJob, UpdateJob, QueryOutcome
from kg.engine.errors import (EngineError, PoolBusy, QuerySyntaxError, QueryTimeout, Rejected,
                              WorkerCrashed)

__all__ = [
    "DatasetStore", "Delta", "apply_delta", "load_store", "WorkerPool",
    "QueryJob", "UpdateJob", "QueryOutcome",
    "EngineError", "QueryTimeout", "WorkerCrashed", "QuerySyntaxError", "PoolBusy", "Rejected",
]
