"""The authoritative store: loading it, its write lock and version, and applying deltas."""

import threading

import pyoxigraph as ox

from kg.engine.delta import Delta, apply_to
from kg.engine.journal import Journal
from kg.formats import rdf_syntax_of_path


def rdf_format_of(path) -> ox.RdfFormat:
    """pyoxigraph's format for a file, from its suffix (kg.formats)."""
    return rdf_syntax_of_path(path).ox


def load_store(dataset_path=None, named_graphs=(), store: ox.Store | None = None) -> ox.Store:
    """An in-memory store with the dataset file and each (iri, file) loaded into graph `iri`."""
    store = store if store is not None else ox.Store()
    if dataset_path:
        store.load(path=str(dataset_path), format=rdf_format_of(dataset_path))
    for iri, path in named_graphs:
        graph = ox.NamedNode(str(iri))
        store.add_graph(graph)
        store.load(path=str(path), format=rdf_format_of(path), to_graph=graph)
    return store


def open_durable_store(directory, dataset_path=None, named_graphs=()) -> ox.Store:
    """The on-disk store at `directory`, filled from the dataset files if it is empty.

    A non-empty store is kept as it is: it holds the updates made since it was filled.
    """
    durable = ox.Store(str(directory))
    if len(durable) == 0:
        load_store(dataset_path, named_graphs, store=durable)
        durable.flush()
    return durable


def copy_into_memory(durable: ox.Store) -> ox.Store:
    """An in-memory copy (queries run on memory stores: they fork safely, no RocksDB threads)."""
    memory = ox.Store()
    # Quad by quad, not dump + load: load renames blank nodes, and the two copies must name
    # them alike (a write that removes a blank-node quad removes it from both).
    memory.extend(durable)
    for graph in durable.named_graphs():
        memory.add_graph(graph)
    return memory


class DatasetStore:
    """The server's store with the lock that excludes writes and a version bumped by each write.

    Everything in the server process that touches `store` holds `lock`, so no store-internal
    lock is ever held while a worker is forked.
    """

    def __init__(self, store: ox.Store, durable: ox.Store | None = None):
        self.store = store
        self.durable = durable  # the on-disk copy that writes also go to, if any
        self.journal: Journal | None = None  # the write-ahead log, with `durable`
        self.lock = threading.RLock()
        self.version = 0
        self.on_changed: list = []  # callables, run by mark_changed under the lock
        self._graph_names: frozenset[str] | None = None

    def graph_names(self) -> frozenset[str]:
        """IRIs of the dataset's named graphs (cached until the next write)."""
        with self.lock:
            if self._graph_names is None:
                self._graph_names = frozenset(
                    g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))
            return self._graph_names

    def quad_count(self) -> int:
        with self.lock:
            return len(self.store)

    def mark_changed(self) -> None:
        """A new dataset version: every worker snapshot and cached answer is now stale.
        Then `on_changed` callbacks run, still under the lock (several server processes:
        the writer publishes the new version, kg.server.replicas)."""
        with self.lock:
            self.version += 1
            self._graph_names = None
            for callback in self.on_changed:
                callback()

    def follow(self, store, version: int) -> None:
        """Serve `store`, a snapshot of the dataset written by another process, as `version`."""
        with self.lock:
            self.store, self.version, self._graph_names = store, version, None


def apply_delta(dataset: DatasetStore, delta: Delta) -> int:
    """Apply an update's delta under the write lock, wholly or not at all; return the new version.

    The single place where writes reach the authoritative store (SHACL validation before
    commit and a durable change log belong here).
    """
    with dataset.lock:
        store = dataset.store
        existing_graphs = set(store.named_graphs())
        done: list = []
        journal = dataset.journal if not delta.is_empty() else None
        if journal is not None:
            journal.append(delta)  # fsync'ed before anything changes (kg.engine.journal)
        try:
            for quad in delta.removed:
                store.remove(quad)
                done.append(("removed", quad))
            for graph in delta.graphs_dropped:
                store.remove_graph(graph)
            for graph in delta.graphs_created:
                store.add_graph(graph)
            for quad in delta.added:
                store.add(quad)
                done.append(("added", quad))
            if dataset.durable is not None:
                write_durably(dataset.durable, delta)
        except BaseException:
            _undo(store, done, existing_graphs)
            if journal is not None:
                journal.append(delta.inverse())
            raise
        if journal is not None and dataset.durable is not None and journal.due_for_compaction():
            journal.reset()  # the on-disk store holds (flushed) every record: compact the log
        if not delta.is_empty():
            dataset.mark_changed()
        return dataset.version


def write_durably(durable: ox.Store, delta: Delta) -> None:
    apply_to(durable, delta)
    durable.flush()


def _undo(store: ox.Store, done: list, graphs_before: set) -> None:
    """Roll back a partly applied delta, so a failed write leaves no trace."""
    for kind, quad in reversed(done):
        (store.add if kind == "removed" else store.remove)(quad)
    for graph in set(store.named_graphs()) - graphs_before:
        store.remove_graph(graph)
    for graph in graphs_before - set(store.named_graphs()):
        store.add_graph(graph)
