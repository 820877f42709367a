"""The engine an app serves: its store and worker pool, built from the app's config."""

import atexit
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from kg.engine import DatasetStore, WorkerPool, load_store


@dataclass
class Engine:
    dataset: DatasetStore
    pool: WorkerPool

    def close(self) -> None:
        self.pool.close()


def dataset_path_from(config) -> Path | None:
    path = config["DATASET_PATH"]
    if path is None:
        from kg import paths
        path = paths.BUILT_DATASET
        if not path.exists():
            from kg.build import ensure_built  # the build pipeline's entry point
            path = ensure_built()
    return Path(path) if path else None


def start_engine(config) -> Engine:
    """Load the store (or take config STORE) and fork the worker pool."""
    store = config["STORE"]
    if store is None:
        store = load_store(dataset_path_from(config), config["NAMED_GRAPHS"])
    else:
        store = load_store(None, config["NAMED_GRAPHS"], store=store)
    dataset = DatasetStore(store)
    engine = Engine(dataset, WorkerPool(dataset, config["WORKERS"], config["QUERY_TIMEOUT"]))
    atexit.register(engine.close)
    return engine


def current_engine() -> Engine:
    return current_app.extensions["kg_engine"]
