"""The write-ahead change log: every write is appended and fsync'ed before it is applied.

A record is one header line and a payload:

    KGJ1 <sequence> <payload bytes> <sha256 of payload>\\n<payload>\\n

where the payload is JSON: the delta's removed and added quads as N-Quads lines (blank
node labels kept as the store has them), and the named graphs dropped and created.

Replay applies every whole record, in order, on top of the on-disk store (the snapshot).
Replaying a record again, or over a store that already holds part or all of it, gives the
same state: a delta sets its removed quads absent and its added quads present, so applying
all records in order from any state reached by a prefix of them ends in the same state.
A torn record at the end (the server was killed while appending it: the write was never
acknowledged) is cut off.

Compaction: once the on-disk store holds every record (flushed), the log is emptied.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pyoxigraph as ox

from kg.engine.delta import Delta, apply_to

JOURNAL_DIR = "kg-journal"  # the write-ahead log's folder, inside a store directory
MAGIC = b"KGJ1"
COMPACT_AFTER_BYTES = 8 * 1024 * 1024
COMPACT_AFTER_RECORDS = 500


def _nquads(quads) -> list[str]:
    return [str(q) + " ." for q in quads]


def _terms(terms) -> list[str]:
    return [str(t) for t in terms]


def encode(delta: Delta) -> bytes:
    return json.dumps({
        "removed": _nquads(delta.removed), "added": _nquads(delta.added),
        "graphs_dropped": _terms(delta.graphs_dropped),
        "graphs_created": _terms(delta.graphs_created),
    }, ensure_ascii=False).encode()


def _parse_quads(lines) -> list:
    if not lines:
        return []
    return list(ox.parse("\n".join(lines).encode(), format=ox.RdfFormat.N_QUADS))


def _parse_graphs(terms) -> list:
    graphs = []
    for term in terms:
        if term.startswith("<") and term.endswith(">"):
            graphs.append(ox.NamedNode(term[1:-1]))
        elif term.startswith("_:"):
            graphs.append(ox.BlankNode(term[2:]))
    return graphs


def decode(payload: bytes) -> Delta:
    record = json.loads(payload)
    return Delta(removed=_parse_quads(record["removed"]), added=_parse_quads(record["added"]),
                 graphs_dropped=_parse_graphs(record["graphs_dropped"]),
                 graphs_created=_parse_graphs(record["graphs_created"]))


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    """The change log of a store directory: `append` before applying, `replay` at start-up."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "changes.log"
        self.sequence = 0
        self.records = 0
        self._file = None

    # --- writing ---------------------------------------------------------------------

    def _open(self):
        if self._file is None:
            created = not self.path.exists()
            self._file = open(self.path, "ab", buffering=0)
            if created:
                _fsync_directory(self.directory)
        return self._file

    def append(self, delta: Delta) -> int:
        """Write the record and fsync it; only then may the write be applied and acknowledged."""
        payload = encode(delta)
        self.sequence += 1
        header = b"%s %d %d %s\n" % (MAGIC, self.sequence, len(payload),
                                     hashlib.sha256(payload).hexdigest().encode())
        f = self._open()
        f.write(header + payload + b"\n")
        os.fsync(f.fileno())
        self.records += 1
        return self.sequence

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def due_for_compaction(self) -> bool:
        return self.records >= COMPACT_AFTER_RECORDS or self.size() >= COMPACT_AFTER_BYTES

    def reset(self) -> None:
        """Empty the log: call only once the on-disk store durably holds every record."""
        if self._file is not None:
            self._file.close()
            self._file = None
        partial = self.path.with_suffix(".log.partial")
        with open(partial, "wb") as f:
            os.fsync(f.fileno())
        partial.replace(self.path)
        _fsync_directory(self.directory)
        self.records = 0

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    # --- reading ---------------------------------------------------------------------

    def read(self) -> list[Delta]:
        """The whole records, in order; a torn or corrupt tail is cut off the file."""
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        deltas, position = [], 0
        while position < len(data):
            end_of_header = data.find(b"\n", position)
            if end_of_header < 0:
                break
            parts = data[position:end_of_header].split(b" ")
            if len(parts) != 4 or parts[0] != MAGIC:
                break
            try:
                sequence, length = int(parts[1]), int(parts[2])
            except ValueError:
                break
            payload = data[end_of_header + 1:end_of_header + 1 + length]
            if len(payload) != length or hashlib.sha256(payload).hexdigest().encode() != parts[3]:
                break
            deltas.append(decode(payload))
            self.sequence = max(self.sequence, sequence)
            position = end_of_header + 1 + length + 1
        if position < len(data):  # a torn record: never acknowledged, cut it off
            with open(self.path, "r+b") as f:
                f.truncate(position)
                os.fsync(f.fileno())
        self.records = len(deltas)
        return deltas

    def replay(self, store: ox.Store) -> int:
        """Apply every whole record to `store`; return how many."""
        deltas = self.read()
        for delta in deltas:
            apply_to(store, delta)
        return len(deltas)
