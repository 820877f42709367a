"""A workbook sent to the server, imported as a write of its store: read, checked and turned into
a delta in the update's one-shot fork (killable, under the deadline and the memory limit), then
inferred, validated and logged by the pool's commit checks (kg.writes.commit), then applied
through the write-ahead journal, wholly or not at all.

In a store the document's own nodes (its passages and what cites them) are replaced by the
workbook's; shared people, places and organisations only gain facts, never lose them, since a
store cannot tell which document told which fact of theirs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef

from kg.curation.facts import Tree, facts_of, graph_of
from kg.curation.published import gone_from_facts
from kg.curation.importer import (NO_SOURCE_ROW, SOURCE_ROW, Known, Problem, import_rows, in_workbook_order,
                                  sheets_left_out)
from kg.curation.rows import document_rows
from kg.curation.reading import WorkbookRefused, read_csv_bytes, read_xlsx, rows_of_tables, sheet_for_file
from kg.curation.scope import store_scope
from kg.curation import cells
from kg.curation.vocabulary import Vocabulary, compact, expand
from kg.engine.delta import Delta, apply_to
from kg.engine.errors import Rejected
from kg.namespaces import CPO
from kg.pipeline.infer import DATA, ONTOLOGY, graph_of as store_graph
from kg.pipeline.passages import archived_copy, recorded_sha256
from kg.terms import to_ox


class SheetRefused(Rejected):
    """A workbook with problems: nothing was changed. `problems`: dicts with sheet, row,
    column, message and text."""

    status = 422

    def __init__(self, detail: str, problems: list | None = None, status: int | None = None):
        super().__init__(detail, status)
        self.problems = problems or []

    def __reduce__(self):
        return (SheetRefused, (str(self), self.problems, self.status))


@dataclass(frozen=True)
class SheetWrite:
    """One uploaded workbook (or CSV file of one sheet) and, for a new document, its text."""

    workbook: bytes
    filename: str = "workbook.xlsx"
    source: bytes | None = None
    sources_dir: str = ""
    agent: str | None = None
    operation: str = "spreadsheet import"
    # Filled in the fork while the workbook is read: node IRI -> (sheet, row), so that the
    # commit checks can say which row a violation comes from.
    where: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class WrittenSheet:
    """What the answer to a workbook says beyond the change (the write's Delta.about): the
    document, and the entities the write left without a class, with their names."""

    document: str
    gone: frozenset = frozenset()
    names: dict = field(default_factory=dict, compare=False, hash=False)


def evaluate_sheet_write(store: ox.Store, job: SheetWrite) -> Delta:
    """Apply the workbook to this (forked, private) store and return what it changed."""
    reading = _read(job)
    problems = [Problem(*p) for p in reading.problems]
    data = store_graph(store, (DATA,))
    facts = facts_of(data, strict=False)
    known = Known.of_facts(facts)
    vocabulary = Vocabulary(store_graph(store, (ONTOLOGY,)))
    document = _document_of(reading.workbook, known)
    text_bytes = _source_text(job, reading.workbook, document, data)
    try:
        text = text_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise SheetRefused("the document's text is not UTF-8", status=400) from None
    imported = import_rows(reading.workbook, vocabulary, known, text, text_bytes)
    problems = in_workbook_order(problems + imported.problems)
    if not problems and job.source is not None:
        problems += _archive_conflicts(job, imported)
    if problems:
        raise refused(problems)
    scope = store_scope(data, imported.document)
    if scope.own:
        current = document_rows(scope, vocabulary, data)
        problems = sheets_left_out(reading.workbook, current, compact(imported.document))
        if problems:
            raise refused(problems)
    job.where.update({str(k): v for k, v in imported.where.items()})
    old = scope.own | scope.description   # shared entities: added to, never removed from
    added = imported.facts - facts
    removed = old - imported.facts
    gone, names = gone_from_facts(facts, removed, added)
    delta = Delta(removed=_quads_of(data, removed), added=_quads(graph_of(added)),
                  about=WrittenSheet(str(imported.document), frozenset(gone), names))
    apply_to(store, delta)
    return delta


def refused(problems: list) -> SheetRefused:
    return SheetRefused(f"the workbook was not imported: {len(problems)} problem(s); nothing was changed",
                        [p.as_dict() | {"text": p.text()} for p in problems])


def _read(job: SheetWrite):
    try:
        if job.filename.lower().endswith(".csv"):
            name = sheet_for_file(Path(job.filename))
            return rows_of_tables({name: read_csv_bytes(job.workbook, name)})
        return read_xlsx(job.workbook)
    except WorkbookRefused as error:
        raise SheetRefused(str(error), status=400) from None


def _document_of(workbook: dict, known: Known) -> URIRef | None:
    """The document the Source row names (its id, or a known document of that name)."""
    rows = [row for row in workbook.get("Source", []) if not row.empty]
    if not rows:
        return None
    given = expand(cells.cell_text(rows[0].get("id")).strip())
    if given is not None:
        return given
    found = known.names.exact(cells.cell_text(rows[0].get("name")), ("Source",))
    return next(iter(found)) if len(found) == 1 else None


def _source_text(job: SheetWrite, workbook: dict, document, data: Graph) -> bytes:
    """The text the quotes are checked against: the one sent, or the archived copy of a known
    document (which must still have its recorded SHA-256)."""
    if job.source is not None:
        return job.source
    if document is None and not any(not row.empty for row in workbook.get("Source", [])):
        raise refused([Problem("Source", None, None, SOURCE_ROW + NO_SOURCE_ROW)])
    local = data.value(document, CPO.localFile) if document is not None else None
    if local is None:
        raise SheetRefused("a new document needs its text: send it with the workbook as the "
                           "'source' part (a plain UTF-8 text file)", status=400)
    try:
        copy = archived_copy(str(local), Path(job.sources_dir))
        content = copy.read_bytes()
    except (OSError, ValueError):
        raise SheetRefused(f"the archived copy of {document} ({local}) is not on this server: send the "
                           "document's text as the 'source' part", status=400) from None
    if hashlib.sha256(content).hexdigest() != (recorded_sha256(data, document) or ""):
        raise SheetRefused(f"the archived copy {local} no longer has its recorded SHA-256", status=409)
    return content


def _archive_conflicts(job: SheetWrite, imported) -> list:
    path = Path(job.sources_dir) / imported.local_file
    if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() != imported.sha256:
        return [Problem("Source", None, "local file", f"the server already keeps another text as "
                        f"{imported.local_file}: a new document needs a file of its own")]
    return []


def _quads(graph: Graph) -> list:
    cache: dict = {}
    return [ox.Quad(to_ox(s, cache), to_ox(p, cache), to_ox(o, cache), DATA) for s, p, o in graph]


def _quads_of(data: Graph, facts: set) -> list:
    """The store's own triples of these facts: a tree's triples with the blank nodes the store
    gave them."""
    quads = []
    for subject, predicate, value in facts:
        for obj in data.objects(subject, predicate):
            if _same(data, obj, value):
                quads += _quads(_closure(data, subject, predicate, obj))
                break
    return quads


def _same(data: Graph, term, value) -> bool:
    if not isinstance(value, Tree):
        return term == value
    if not isinstance(term, BNode):
        return False
    from kg.curation.facts import tree_of

    return tree_of(data, term) == value


def _closure(data: Graph, subject, predicate, obj) -> Graph:
    found = Graph()
    found.add((subject, predicate, obj))
    frontier = [obj]
    while frontier:
        node = frontier.pop()
        if isinstance(node, BNode):
            for p, o in data.predicate_objects(node):
                found.add((node, p, o))
                frontier.append(o)
    return found


def archive_source(sources_dir: Path, delta: Delta, source: bytes | None) -> str | None:
    """After the write committed: keep the new document's text as its cpo:localFile names it."""
    if source is None:
        return None
    local = next((q.object.value for q in delta.added
                  if q.predicate.value == str(CPO.localFile) and q.graph_name == DATA), None)
    if local is None:
        return None
    path = archived_copy(local, Path(sources_dir))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.upload")
        temporary.write_bytes(source)
        temporary.replace(path)
    return local

