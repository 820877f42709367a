"""The engine an app serves: its store and worker pool, built from the app's config."""

import atexit
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

import pyoxigraph as ox

from kg import paths
from kg.engine import DatasetStore, WorkerPool, load_store
from kg.engine.journal import JOURNAL_DIR, Journal
from kg.engine.ondisk import OnDiskStore
from kg.engine.store import copy_into_memory, open_durable_store
from kg.pipeline.build import ensure_built
from kg.pipeline.write import is_built_store
from kg.server.cache import VersionedCache
from kg.sparql.prepare import prepare_query, prepare_update
from kg.writes.commit import finish_job, preload


@dataclass
class Engine:
    dataset: DatasetStore
    pool: WorkerPool
    # whole-graph summaries the pages compute once per dataset version
    page_cache: VersionedCache = field(default_factory=VersionedCache)

    def close(self) -> None:
        """Stop the workers; release the on-disk store (dropping it closes RocksDB)."""
        self.pool.close()
        with self.dataset.lock:
            if self.dataset.durable is not None:
                self.dataset.durable.flush()
                self.dataset.durable = None
            if self.dataset.journal is not None:
                self.dataset.journal.close()
                self.dataset.journal = None


def dataset_path_from(config) -> Path | None:
    path = config["DATASET_PATH"]
    if path is None:
        path = paths.BUILT_DATASET
        if not path.exists():
            path = ensure_built()
    return Path(path) if path else None


def dataset_store_from(config) -> DatasetStore:
    """STORE: None (load the files in memory), a pyoxigraph.Store, or a directory where
    an on-disk store keeps the data and every update (served from an in-memory copy)."""
    store = config["STORE"]
    if store is None:
        return DatasetStore(load_store(dataset_path_from(config), config["NAMED_GRAPHS"]))
    if isinstance(store, ox.Store):
        return DatasetStore(load_store(None, config["NAMED_GRAPHS"], store=store))
    if serves_on_disk(config):  # a built store, read-only: queried where it lies
        return DatasetStore(OnDiskStore(store))
    durable = open_durable_store(store, dataset_path_from(config), config["NAMED_GRAPHS"])
    journal = Journal(Path(store) / JOURNAL_DIR)
    if journal.replay(durable):  # acknowledged writes the on-disk store may not hold whole
        durable.flush()
    journal.reset()
    dataset = DatasetStore(copy_into_memory(durable), durable=durable)
    dataset.journal = journal
    return dataset


def serves_on_disk(config) -> bool:
    """A built store (kg build --store) served read-only, with no extra graphs and no pending
    change log: nothing to write, so no in-memory copy is needed (kg.engine.ondisk)."""
    store = Path(config["STORE"])
    journal = store / JOURNAL_DIR
    pending = journal.exists() and any(p.is_file() and p.stat().st_size for p in journal.rglob("*"))
    return (is_built_store(store) and not pending and not config["NAMED_GRAPHS"]
            and not config["UPDATE_TOKEN"] and not config["OPEN_UPDATE"])


def start_engine(config) -> Engine:
    """Load the store and fork the worker pool. With several server processes
    (kg.server.run), the store is loaded once before they are forked and given here as
    PRELOADED_DATASET: each process forks its own workers from it."""
    dataset = config.get("PRELOADED_DATASET") or dataset_store_from(config)
    preload()  # the shapes, parsed once here: every update's fork inherits them
    if config.get("BACKEND_URL"):  # queries answered by an external store (kg.backend.remote)
        from kg.backend.remote import start_remote_pool
        engine = Engine(dataset, start_remote_pool(dataset, config))
        atexit.register(engine.close)
        return engine
    pool = WorkerPool(dataset, config["WORKERS"], config["QUERY_TIMEOUT"],
                      memory_budget=config["WORKER_MEMORY_BYTES"],
                      prepare_query=prepare_query, prepare_update=prepare_update,
                      finish_update=finish_job)
    engine = Engine(dataset, pool)
    atexit.register(engine.close)
    return engine


def current_engine() -> Engine:
    return current_app.extensions["kg_engine"]
