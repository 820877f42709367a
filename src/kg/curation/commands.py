"""What `kg sheet template|import|export` do, on the data folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from kg.curation import files
from kg.curation.importer import Imported, Known, Problem, import_rows, in_workbook_order, sheets_left_out
from kg.curation.reading import WorkbookRefused, read_path
from kg.curation.rows import document_rows
from kg.curation.scope import DataFolder, document_iri, folder_scope
from kg.curation.vocabulary import compact, ontology_vocabulary
from kg.curation.writing import write_workbook
from kg.curation.published import gone_from_facts, unanswered
from kg.paths import DATA_DIR, RELEASES_DIR, SOURCES_DIR
from kg.pipeline.passages import read_source


class SheetError(ValueError):
    """A command that cannot run at all (no such document, unreadable file)."""


@dataclass
class ImportReport:
    """The outcome of an import: the problems, or what changed."""

    document: str = ""
    problems: list = field(default_factory=list)
    change: files.Change | None = None
    new_entities: list = field(default_factory=list)     # (id, name, sheet)
    matched: list = field(default_factory=list)          # (id, sheet, row)
    written: bool = False
    build: object = None                                 # the data as written, built and validated
    unanswered: list = field(default_factory=list)       # published entities no longer in the data

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        change = self.change
        return {
            "document": self.document,
            "ok": self.ok,
            "written": self.written,
            "problems": [p.as_dict() | {"text": p.text()} for p in self.problems],
            "added": len(change.added) if change else 0,
            "removed": len(change.removed) if change else 0,
            "files": sorted(change.files) if change else [],
            "archived": change.archive[0] if change and change.archive else None,
            "new_entities": [{"id": i, "name": n, "sheet": s} for i, n, s in self.new_entities],
            "matched_by_name": [{"id": i, "sheet": s, "row": r} for i, s, r in self.matched],
            "published_entities_removed": [u.as_dict() | {"id": compact(URIRef(u.iri))}
                                           for u in self.unanswered],
        }

    def lines(self) -> list[str]:
        if self.problems:
            return [f"the workbook was not imported: {len(self.problems)} problem(s); nothing was written",
                    *(f"  {p.text()}" for p in self.problems)]
        lines = list(self.change.summary(self.written)) if self.change else []
        lines += [f"  new: {i} ({n}, {s})" for i, n, s in self.new_entities]
        lines += [f"  known: {i} (named on {s}, row {r})" for i, s, r in self.matched]
        lines += [f"  warning: {u.text(compact(URIRef(u.iri)))}" for u in self.unanswered]
        return lines


def known_names(folder: DataFolder, vocabulary=None) -> dict:
    """The names the dropdowns offer, by sheet."""
    return names_by_sheet(folder.facts())


def names_by_sheet(facts_or_graph) -> dict:
    """People, Organisations, Places and Laws: the names of those the data holds."""
    from kg.curation.matching import NameIndex

    index = NameIndex.of_facts(facts_or_graph)
    names: dict = {}
    for entity in index.entities.values():
        for sheet in ("People", "Organisations", "Places", "Laws"):
            if sheet in entity.types:
                names.setdefault(sheet, []).append(entity.name)
    return names


def template(path: Path, data_dir: Path = DATA_DIR) -> None:
    vocabulary = ontology_vocabulary()
    folder = DataFolder.read(data_dir)
    write_workbook(Path(path), {}, vocabulary, known_names(folder))


def export(document: str, path: Path, data_dir: Path = DATA_DIR) -> dict:
    """Write one document's facts as a workbook; returns the rows per sheet."""
    vocabulary = ontology_vocabulary()
    folder = DataFolder.read(data_dir)
    iri = document_iri(document)
    if iri.rsplit("/", 1)[-1] not in folder.documents():
        raise SheetError(f"no document {document!r} in {data_dir}/documents (there are: "
                         f"{', '.join(folder.documents()) or 'none'})")
    rows = document_rows(folder_scope(folder, iri), vocabulary, folder.registry_facts())
    write_workbook(Path(path), rows, vocabulary, known_names(folder))
    return rows


def import_workbook(path: Path, source: Path, data_dir: Path = DATA_DIR, sources_dir: Path = SOURCES_DIR,
                    dry_run: bool = False, validate: bool = True,
                    releases_dir: Path = RELEASES_DIR) -> ImportReport:
    """Check the workbook against the source text and the data; write it only if all of it is
    right and the data folder as it would be conforms to the shapes. `validate=False` leaves
    out that last build (tests whose data are validated otherwise)."""
    try:
        reading = read_path(Path(path))
    except WorkbookRefused as error:
        return ImportReport(problems=[Problem("", None, None, str(error))])
    except OSError as error:
        raise SheetError(f"{path}: {error.strerror or error}") from None
    try:
        source_bytes = Path(source).read_bytes()
        source_text = source_bytes.decode("utf-8")
    except OSError as error:
        raise SheetError(f"{source}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise SheetError(f"{source} is not UTF-8 text") from None
    folder = DataFolder.read(data_dir)
    known = Known.of_facts(folder.facts())
    imported = import_rows(reading.workbook, ontology_vocabulary(), known, source_text, source_bytes)
    report = ImportReport(document=compact(imported.document) if imported.document else "")
    report.problems = in_workbook_order([Problem(*p) for p in reading.problems] + imported.problems)
    if report.problems or imported.document is None:
        return report
    scope = folder_scope(folder, imported.document)
    if scope.own:
        current = document_rows(scope, ontology_vocabulary(), folder.registry_facts())
        report.problems = sheets_left_out(reading.workbook, current, report.document)
        if report.problems:
            return report
    _check_archived_text(imported, known, sources_dir, source_bytes, report)
    if report.problems:
        return report
    change = files.plan(folder, imported, source_text, source_bytes, sources_dir)
    report.change = change
    report.new_entities = [(compact(i), n, s) for i, n, s in imported.new]
    report.matched = [(compact(i), s, r) for i, (s, r) in sorted(imported.matched.items())]
    report.problems = list(change.problems)
    if report.problems or change.empty:
        return report
    report.unanswered = unanswered(*gone_from_facts(folder.facts(), change.removed, change.added),
                                   releases_dir)
    if validate:
        report.problems, report.build = files.validate(data_dir, sources_dir, change, imported)
    if report.problems or dry_run:
        return report
    files.write(data_dir, sources_dir, change)
    report.written = True
    return report


def _check_archived_text(imported: Imported, known: Known, sources_dir: Path, source_bytes: bytes,
                         report: ImportReport) -> None:
    """A known document's text is its archived copy: the file given must be that text."""
    recorded = known.sources.get(imported.document)
    if not recorded or not recorded[0]:
        return
    try:
        archived = read_source(recorded[0], sources_dir).encode("utf-8")
    except (OSError, ValueError):
        return
    if archived != source_bytes:
        report.problems.append(Problem("Source", None, None, f"the file given as the source is not the archived "
                                       f"copy of {imported.document.rsplit('/', 1)[-1]} (sources/{recorded[0]})"))
