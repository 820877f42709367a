"""Writing the built dataset: the N-Quads file and the on-disk store (`kg build --store`),
streamed while the build infers and validates, put in place only if the data conforms; and
refusing to replace a store that has received writes through the server.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
from pathlib import Path

import pyoxigraph as ox

from kg.engine.journal import JOURNAL_DIR
from kg.namespaces import CHANGES_GRAPH, DATA_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from kg.pipeline.errors import BuildError

ONTOLOGY, DATA, INFERRED = (ox.NamedNode(str(g)) for g in (ONTOLOGY_GRAPH, DATA_GRAPH, INFERRED_GRAPH))
CHANGES = ox.NamedNode(str(CHANGES_GRAPH))


class DatasetWriter:
    """Writes the built dataset (N-Quads file and/or new on-disk store) while the build goes on.

    `send` queues graphs of the in-memory store: a feeder thread dumps each (N-Triples, made
    N-Quads by naming the graph on every line) into a pipe, and tees it into the N-Quads file;
    a loader thread bulk-loads the pipe into the new store. One bulk load of one stream, so
    blank nodes stay the same nodes across graphs. pyoxigraph releases the GIL while it
    parses and writes, so on 2 cores this runs beside inference and validation. `commit`
    waits for both threads and puts the results in place; `abort` (or a failure) leaves
    nothing behind.

    `in_place`: the build works in the new store itself (`disk`, an on-disk store in a scratch
    directory beside `store_dir`) instead of in memory, for data too large for memory; only
    the N-Quads file is streamed, and `commit` checkpoints the scratch store into `store_dir`
    (hard links: no copy). A failed build's scratch store is kept for inspection (its
    directory, `scratch`, is replaced by the next build)."""

    def __init__(self, output: Path | None, store_dir: Path | None, replace_writes: bool,
                 in_place: bool = False):
        self.output, self.directory = (Path(output) if output else None,
                                       Path(store_dir) if store_dir else None)
        if self.directory and not replace_writes and self.directory.exists() \
                and writes_in_store(self.directory):
            raise StoreHasWrites(self.directory)
        self.errors: list[BaseException] = []
        self.jobs: queue.Queue = queue.Queue()
        self.done = False
        self.file = None
        if self.output:
            self.output.parent.mkdir(parents=True, exist_ok=True)
            self.file = self.output.with_suffix(self.output.suffix + ".partial").open("wb")
        self.pipe = self.loader = self.partial = self.scratch = None
        self.in_place = bool(in_place and self.directory)
        if self.directory:
            self.partial = self.directory.with_name(self.directory.name + ".partial")
            shutil.rmtree(self.partial, ignore_errors=True)
        if self.in_place:
            self.scratch = self.directory.with_name(self.directory.name + ".building")
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.disk = ox.Store(str(self.scratch))
        elif self.directory:
            reader, writer = os.pipe()
            self.pipe = os.fdopen(writer, "wb")
            self.disk = ox.Store(str(self.partial))
            self.loader = threading.Thread(target=self._load, args=(os.fdopen(reader, "rb"),),
                                           daemon=True)
            self.loader.start()
        self.feeder = threading.Thread(target=self._feed, daemon=True)
        self.feeder.start()

    def send(self, store: ox.Store, graphs) -> None:
        if self.file is None and self.pipe is None:
            return  # in place, without a file: the graphs are already where they go
        for graph in graphs:
            self.jobs.put((store, graph))

    def _load(self, reader) -> None:
        try:
            with reader:
                self.disk.bulk_load(reader, format=ox.RdfFormat.N_QUADS, lenient=True)
        except BaseException as error:  # noqa: BLE001 - reported by commit
            self.errors.append(error)

    def _feed(self) -> None:
        try:
            while (job := self.jobs.get()) is not None:
                store, graph = job
                store.dump(_NamedGraphLines(graph, (self.file, self.pipe)),
                           format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        except BaseException as error:  # noqa: BLE001 - reported by commit
            self.errors.append(error)
        finally:
            for out in (self.file, self.pipe):
                if out is not None:
                    try:
                        out.close()
                    except OSError:
                        pass

    def _wait(self) -> None:
        self.jobs.put(None)
        self.feeder.join()
        if self.loader:
            self.loader.join()

    def commit(self) -> None:
        self._wait()
        self.done = True
        if self.errors:
            self._remove()
            raise self.errors[0]
        if self.directory:
            for graph in (ONTOLOGY, DATA, INFERRED):
                self.disk.add_graph(graph)
            self.disk.optimize()
            self.disk.flush()
            if self.in_place:
                self.disk.backup(str(self.partial))
            else:
                del self.disk
            shutil.rmtree(self.directory, ignore_errors=True)
            self.partial.rename(self.directory)
        if self.output:
            self.output.with_suffix(self.output.suffix + ".partial").replace(self.output)

    def abort(self) -> None:
        if self.done:
            return
        self.done = True
        self._wait()
        self._remove()

    def built_store(self) -> ox.Store:
        """After an in-place commit: the scratch store closed and removed, the built store
        opened read-only in its place."""
        self.__dict__.pop("disk", None)
        shutil.rmtree(self.scratch, ignore_errors=True)
        return ox.Store.read_only(str(self.directory))

    def _remove(self) -> None:
        if self.in_place:
            shutil.rmtree(self.partial, ignore_errors=True)
        elif self.directory:
            self.__dict__.pop("disk", None)
            shutil.rmtree(self.partial, ignore_errors=True)
        if self.output:
            self.output.with_suffix(self.output.suffix + ".partial").unlink(missing_ok=True)


class _NamedGraphLines:
    """A binary writer turning N-Triples into N-Quads of `graph` (each line ends with " .\n"
    and N-Triples escapes line breaks in literals, so the line ends are exactly those), and
    writing them to each of `outputs`."""

    def __init__(self, graph: ox.NamedNode, outputs):
        self.suffix = f" <{graph.value}> .\n".encode()
        self.outputs = [out for out in outputs if out is not None]
        self.rest = b""

    def write(self, chunk) -> int:
        data = self.rest + bytes(chunk)
        end = data.rfind(b"\n") + 1
        self.rest = data[end:]
        if end:
            lines = data[:end].replace(b" .\n", self.suffix)
            for out in self.outputs:
                out.write(lines)
        return len(chunk)

    def flush(self) -> None:
        pass


def is_built_store(directory) -> bool:
    """True if `directory` holds an on-disk store written by a build (or filled since)."""
    directory = Path(directory)
    return (directory / "CURRENT").is_file()


class StoreHasWrites(BuildError):
    """The store to be replaced holds writes made through the server since it was built."""

    def __init__(self, directory):
        super().__init__(f"{directory} holds writes made through the server since it was built; "
                         "back it up (kg backup --store) and pass --replace-store to replace it "
                         "with this build")


def writes_in_store(directory: Path) -> bool:
    """True if the store at `directory` has a change log or a PROV change record: replacing it
    with a fresh build would lose acknowledged writes that are not in the data files."""
    directory = Path(directory)
    journal = directory / JOURNAL_DIR / "changes.log"
    if journal.exists() and journal.stat().st_size > 0:
        return True
    if not is_built_store(directory):
        return False
    existing = ox.Store.read_only(str(directory))
    try:
        return any(True for _ in existing.quads_for_pattern(None, None, None, CHANGES))
    finally:
        del existing
