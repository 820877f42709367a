"""An import applied to the data folder, as data/README.md lays it out: passages and facts in the
file of their section (documents/<name>/NN-<heading>.ttl), shared entities in registry/<kind>.ttl,
the document in registry/sources.ttl with its archived copy in sources/.

Only what changed is rewritten: each file is cut into its statements, a statement whose subject's
facts changed is replaced (or removed), a new subject's statement is inserted where the file's
order puts it, and everything else (comments, other statements) stays byte for byte. An import
without changes writes nothing. Before anything is written, the data folder as it would be is
built and validated with the shapes in a temporary copy."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from kg.curation import turtle
from kg.curation.facts import Tree, by_subject, named_objects
from kg.curation.importer import Imported, Problem
from kg.curation.quotes import LEAD, first_after_lead, sections
from kg.curation.schema import PROV_DERIVED, SHEETS
from kg.curation.scope import REGISTRY_FILES, DataFolder, folder_scope, is_shared, kind
from kg.curation.vocabulary import compact
from kg.namespaces import CPO, SCHEMA
from kg.terms import to_rdflib

# What defines a shared entity (kept in the registry): its columns marked `registry`. Bodies,
# groups, places and laws keep all their facts there; a person only these, the rest going to the
# section that tells it (data/README.md).
REGISTRY_PREDICATES = {RDF.type, SCHEMA.name, SKOS.altLabel} | {
    c.prop for s in SHEETS if s.role in ("entity", "source") for c in s.columns if c.registry and c.prop}
DOCUMENT_PREDICATES_OF_SOURCE = {CPO.citesSource}
REGISTRY_HEADERS = {
    "people.ttl": "# People named in the source documents, sorted by IRI.",
    "places.ttl": "# Places named in the source documents, each inside its containing place (cpo:locatedIn).",
    "organisations.ttl": "# Organisations and informal groups (group:) named in the source documents.",
    "law.ttl": "# Legal codes and their articles, as the sources name them.",
    "sources.ttl": "# The source documents, with their archived copies in sources/ and their SHA-256.",
}


@dataclass
class Change:
    """What an import does to the data folder (nothing is written until `write`)."""

    document: URIRef
    added: set = field(default_factory=set)
    removed: set = field(default_factory=set)
    files: dict = field(default_factory=dict)       # relative path -> new text
    archive: tuple | None = None                    # (file name, bytes) of the source to archive
    problems: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.added and not self.removed and not self.files and self.archive is None

    def summary(self, written: bool = True) -> list[str]:
        """What the change did, or (`written` false: a dry run) what it would do."""
        if self.empty:
            return [f"{compact(self.document)}: nothing to change (the data already says all of it)"]
        if written:
            lines = [f"{compact(self.document)}: {len(self.added)} fact(s) added, {len(self.removed)} removed"]
        else:
            lines = [f"{compact(self.document)} (dry run, nothing written): {len(self.added)} fact(s) "
                     f"would be added, {len(self.removed)} removed"]
        write, archive = ("wrote", "archived") if written else ("would write", "would archive")
        lines += [f"  {write} data/{name}" for name in sorted(self.files)]
        if self.archive:
            lines.append(f"  {archive} the source as sources/{self.archive[0]}")
        return lines


def plan(folder: DataFolder, imported: Imported, source_text: str, source_bytes: bytes,
         sources_dir: Path) -> Change:
    """What to change in the data folder so that it says what the workbook says."""
    document = imported.document
    scope = folder_scope(folder, document)
    registry = by_subject(folder.registry_facts())
    defined = {f for entity in imported.defined for f in registry.get(entity, ())}
    old = scope.own | scope.description | defined
    everything = folder.facts()
    change = Change(document)
    change.removed = old - imported.facts
    change.added = imported.facts - old - (everything - old)
    archived = Path(sources_dir) / imported.local_file
    if not archived.exists():
        change.archive = (imported.local_file, source_bytes)
    elif hashlib.sha256(archived.read_bytes()).hexdigest() != imported.sha256:
        change.problems.append(Problem("Source", None, None, f"sources/{imported.local_file} already exists "
                                       "with another text: a new document needs a file of its own"))
        return change
    if change.added or change.removed:
        change.files = _new_texts(folder, imported, change, source_text)
    return change


# --- where each fact goes ------------------------------------------------------------------------

def _new_texts(folder: DataFolder, imported: Imported, change: Change, source_text: str) -> dict:
    name = str(imported.document).rsplit("/", 1)[-1]
    document_prefix = f"documents/{name}/"
    located = {}                          # fact -> file it is in now (this document's and the registry)
    for path, parsed in folder.files.items():
        if path.startswith(document_prefix) or path.startswith("registry/"):
            for fact in parsed.facts:
                located.setdefault(fact, path)
    new_by_subject = by_subject(imported.facts)
    changed = {f[0] for f in change.added | change.removed}
    targets = _targets(imported, new_by_subject, document_prefix)
    wanted: dict = {}                     # file -> subject -> facts
    delta = change.added | change.removed
    for subject in changed:
        levels = {_level(f, located, imported.document) for f in delta if f[0] == subject}
        for fact in new_by_subject.get(subject, set()):
            level = _level(fact, located, imported.document)
            if level not in levels:
                continue   # that part of the subject is unchanged: it stays where it is
            if level == "registry":
                path = located.get(fact) if located.get(fact, "").startswith("registry/") else \
                    f"registry/{REGISTRY_FILES[kind(subject)]}"
            else:
                path = targets[subject]
            wanted.setdefault(path, {}).setdefault(subject, set()).add(fact)
        for fact in change.removed:
            if fact[0] == subject and fact in located:
                wanted.setdefault(located[fact], {}).setdefault(subject, set())
        if "document" in levels:   # the subject's document facts move together to their section
            for fact, path in located.items():
                if fact[0] == subject and path.startswith(document_prefix):
                    wanted.setdefault(path, {}).setdefault(subject, set())
    # a subject's registry facts in its registry file stay unless removed
    for path, subjects in wanted.items():
        if path.startswith("registry/") and path in folder.files:
            for fact in folder.files[path].facts:
                if fact[0] in subjects and fact not in change.removed:
                    subjects[fact[0]].add(fact)
    offsets = _passage_offsets(imported, source_text)
    heading_of = {file_name: heading for _, file_name, heading in sections(source_text)}
    texts = {}
    for path, subjects in sorted(wanted.items()):
        old_text = (folder.root / path).read_text(encoding="utf-8") if path in folder.files else None
        texts[path] = edit(old_text, subjects, imported, offsets, folder, path, heading_of)
    return {path: text for path, text in texts.items()
            if path not in folder.files or text != (folder.root / path).read_text(encoding="utf-8")}


def _level(fact, located: dict, document) -> str:
    """registry or document: where the fact is now, or for a new fact where its kind goes."""
    where = located.get(fact)
    if where is not None:
        return "registry" if where.startswith("registry/") else "document"
    subject, predicate, obj = fact
    if subject == document:
        return "document" if predicate in DOCUMENT_PREDICATES_OF_SOURCE else "registry"
    if not is_shared(subject):
        return "document"
    if kind(subject) != "person":
        return "registry"   # what the documents say of a body, group, place or law is kept with it
    if predicate == CPO.notStated:
        return "registry" if obj == SCHEMA.name else "document"
    if predicate == CPO.qualifier and isinstance(obj, Tree):
        properties = obj.values(CPO.onProperty)
        return "registry" if properties and all(p in REGISTRY_PREDICATES for p in properties) else "document"
    return "registry" if predicate in REGISTRY_PREDICATES else "document"


def _targets(imported: Imported, new_by_subject: dict, document_prefix: str) -> dict:
    """The section file of each subject's document facts: that of its passage for a passage;
    the first section after the lead among the passages a node cites; for a node citing none,
    that of the first node linking to it; else the lead."""
    cited = {s: {o for (_, p, o) in facts if p == PROV_DERIVED} for s, facts in new_by_subject.items()}
    linked_from: dict = {}
    for subject, facts in sorted(new_by_subject.items(), key=lambda item: min(
            imported.order.get(f, 0) for f in item[1])):
        for fact in facts:
            for target in named_objects(fact[2]):
                linked_from.setdefault(target, subject)
    memo: dict = {}

    def target(subject, seen=()):
        if subject in memo:
            return memo[subject]
        if subject in imported.sections:
            result = imported.sections[subject]
        else:
            files = {imported.sections[p] for p in cited.get(subject, ()) if p in imported.sections}
            if files:
                result = first_after_lead(files)
            elif subject in linked_from and linked_from[subject] not in seen and subject != imported.document:
                result = target(linked_from[subject], seen + (subject,))
            else:
                result = LEAD
        memo[subject] = result
        return result

    return {s: document_prefix + target(s) for s in new_by_subject}


def _passage_offsets(imported: Imported, text: str) -> dict:
    from kg.curation.quotes import occurrences
    from kg.namespaces import OA

    offsets = {}
    for s, p, o in imported.facts:
        if p == OA.hasSelector and isinstance(o, Tree):
            found = occurrences(text, str(o.value(OA.exact)), str(o.value(OA.prefix) or ""),
                                str(o.value(OA.suffix) or ""))
            offsets[s] = found[0] if found else 0
    return offsets


# --- editing a Turtle file statement by statement -------------------------------------------------

@dataclass
class Statement:
    start: int
    end: int
    text: str
    directive: bool


def split_statements(text: str) -> list[Statement]:
    """The statements of a Turtle text (directives included), with their spans; comments and
    blank lines between them are not part of any."""
    found, i, n, start = [], 0, len(text), None
    while i < n:
        c = text[i]
        if start is None:
            if c.isspace():
                i += 1
                continue
            if c == "#":
                i = _line_end(text, i)
                continue
            start = i
        if c == "#":
            i = _line_end(text, i)
        elif c == "<":
            close = text.find(">", i)
            i = n if close == -1 else close + 1
        elif c in "\"'":
            i = _string_end(text, i)
        elif c == "." and (i + 1 == n or text[i + 1].isspace() or text[i + 1] == "#"):
            body = text[start:i + 1]
            found.append(Statement(start, i + 1, body, body.lstrip().lower().startswith(("@prefix", "@base"))))
            start = None
            i += 1
        else:
            i += 1
    return found


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end == -1 else end + 1


def _string_end(text: str, i: int) -> int:
    quote = text[i]
    if text.startswith(quote * 3, i):
        end = text.find(quote * 3, i + 3)
        while end != -1 and text[end - 1] == "\\":
            end = text.find(quote * 3, end + 1)
        return len(text) if end == -1 else end + 3
    j = i + 1
    while j < len(text) and text[j] != quote:
        j += 2 if text[j] == "\\" else 1
    return j + 1


def statement_subjects(prefixes: str, statement: Statement) -> set:
    if statement.directive:
        return set()
    subjects = set()
    for triple in ox.parse(input=(prefixes + "\n" + statement.text).encode(), format=ox.RdfFormat.TURTLE):
        subject = to_rdflib(triple.subject)
        if isinstance(subject, URIRef):
            subjects.add(subject)
        else:
            subjects.add(None)   # a blank subject: a statement the editor does not take apart
    return subjects


def edit(old_text: str | None, subjects: dict, imported: Imported, offsets: dict, folder: DataFolder,
         path: str, heading_of: dict) -> str:
    """The file's text with the statements of `subjects` replaced by their new facts (removed
    where they have none), new subjects inserted, and any missing prefix declared."""
    registry = path.startswith("registry/")
    if old_text is None:
        return new_file(subjects, imported, offsets, path, heading_of)
    statements = split_statements(old_text)
    prefixes = "".join(s.text + "\n" for s in statements if s.directive)
    owner = {}
    for index, st in enumerate(statements):
        found = statement_subjects(prefixes, st)
        if None in found or len(found) > 1:
            if found & set(subjects):
                return new_file(_all_subjects(folder, path, subjects), imported, offsets, path, heading_of)
            continue
        if found:
            owner[index] = next(iter(found))
    pieces, last, done = [], 0, set()
    for index, st in enumerate(statements):
        subject = owner.get(index)
        if subject not in subjects:
            continue
        pieces.append(old_text[last:st.start])
        if subject not in done and subjects[subject]:
            pieces.append(_render(subject, subjects[subject], imported, registry))
            last = st.end
        else:
            last = _after_blank_line(old_text, st.end)
            pieces[-1] = pieces[-1].rstrip(" ")
        done.add(subject)
    pieces.append(old_text[last:])
    text = "".join(pieces)
    fresh = [s for s in subjects if s not in done and subjects[s]]
    for subject in sorted(fresh, key=lambda s: _insert_key(s, imported, offsets)):
        text = _insert(text, subject, _render(subject, subjects[subject], imported, registry), offsets,
                       folder, path)
    return _declare_prefixes(_tidy(text))


def _all_subjects(folder: DataFolder, path: str, subjects: dict) -> dict:
    merged = {}
    for fact in folder.files[path].facts:
        merged.setdefault(fact[0], set()).add(fact)
    merged.update(subjects)
    return merged


def _after_blank_line(text: str, end: int) -> int:
    line_end = text.find("\n", end)
    if line_end == -1:
        return len(text)
    return line_end + 1


def _tidy(text: str) -> str:
    import re

    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def _render(subject, facts, imported: Imported, registry: bool) -> str:
    order = {(f[1], f[2]): imported.order.get(f, 1 << 30) for f in facts}
    return turtle.statement(subject, [(f[1], f[2]) for f in facts], compact=registry or is_shared(subject),
                            order=order)


def _insert_key(subject, imported: Imported, offsets: dict) -> tuple:
    """Passages in the order of the text, then the document's own nodes in the workbook's order,
    then what it says of shared entities (and of itself)."""
    return (subject not in offsets, is_shared(subject) or subject == imported.document,
            offsets.get(subject, 0),
            min((imported.order.get(f, 1 << 30) for f in imported.facts if f[0] == subject), default=0),
            str(subject))


def _insert(text: str, subject, rendered: str, offsets: dict, folder: DataFolder, path: str) -> str:
    """Insert a new statement: a passage among the passages in the order of the text; an entity
    of the registry among those of its kind in the order of their IRIs; anything else at the
    end."""
    statements = split_statements(text)
    prefixes = "".join(s.text + "\n" for s in statements if s.directive)
    position = None
    if subject in offsets:
        for st in statements:
            found = statement_subjects(prefixes, st)
            other = next(iter(found), None) if len(found) == 1 else None
            if other in offsets and offsets[other] > offsets[subject]:
                position = _line_start(text, st.start)
                break
        if position is None:
            passages = [st for st in statements if next(iter(statement_subjects(prefixes, st)), None) in offsets]
            position = _after_blank_line(text, passages[-1].end) if passages else None
    elif path.startswith("registry/"):
        types = {f[2] for f in folder.facts("registry/") if f[0] == subject and f[1] == RDF.type}
        same_kind = []
        for st in statements:
            found = statement_subjects(prefixes, st)
            other = next(iter(found), None) if len(found) == 1 else None
            if other is None:
                continue
            its = {f[2] for f in folder.files.get(path).facts if f[0] == other and f[1] == RDF.type} \
                if path in folder.files else set()
            if not types or its & types or not its:
                same_kind.append((str(other), st))
        later = [st for name, st in same_kind if name > str(subject)]
        if later:
            position = _line_start(text, later[0].start)
        elif same_kind:
            position = _after_blank_line(text, same_kind[-1][1].end)
    if position is None:
        return text.rstrip("\n") + "\n\n" + rendered + "\n"
    rest = text[position:]
    # one-line definitions listed without blank lines between them stay so
    tight = "\n" not in rendered and rest[:1] not in ("\n", "") and "\n" not in rest.split(" .", 1)[0] \
        and text[:position].endswith(" .\n")
    return text[:position] + rendered + ("\n" if tight else "\n\n") + rest.lstrip("\n")


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _declare_prefixes(text: str) -> str:
    statements = split_statements(text)
    declared = {st.text.split()[1].rstrip(":") for st in statements if st.directive and len(st.text.split()) > 1}
    missing = [p for p in turtle.prefixes_used(text) if p not in declared]
    if not missing:
        return text
    directives = [st for st in statements if st.directive]
    for prefix in missing:
        line = turtle.prefix_line(prefix)
        later = [st for st in directives if turtle.prefix_order_key(st.text.split()[1].rstrip(":"))
                 > turtle.prefix_order_key(prefix)]
        if later:
            at = _line_start(text, later[0].start)
        elif directives:
            at = _after_blank_line(text, directives[-1].end)
        else:
            at = 0
        text = text[:at] + line + "\n" + text[at:]
        directives = [st for st in split_statements(text) if st.directive]
    return text


def new_file(subjects: dict, imported: Imported, offsets: dict, path: str, heading_of: dict) -> str:
    registry = path.startswith("registry/")
    file_name = path.rsplit("/", 1)[-1]
    if registry:
        header = REGISTRY_HEADERS.get(file_name, f"# {file_name}") + \
            "\n# Written by kg sheet import; each entity is defined once (data/README.md).\n"
    else:
        heading = heading_of.get(file_name, "")
        where = f"section “{heading}”" if heading else "the text before its first heading"
        words = (f"{compact(imported.document)}, {where}: what it reports, entered as rows of a workbook "
                 "(kg sheet import). Passages quoted from this section come first, in the order of the text; "
                 "then the facts they support. Who and where (people, places, organisations, law) are defined "
                 "in ../../registry/.")
        header = "".join(f"# {line}\n" for line in textwrap.wrap(words, 98))
    passages = sorted((s for s in subjects if s in offsets), key=lambda s: offsets[s])
    others = sorted((s for s in subjects if s not in offsets),
                    key=lambda s: str(s) if registry else _insert_key(s, imported, offsets))
    body = "\n\n".join(_render(s, subjects[s], imported, registry) for s in passages + others if subjects[s])
    declared = "\n".join(turtle.prefix_line(p) for p in turtle.prefixes_used(body))
    return header + "\n" + declared + "\n\n" + body + "\n"


# --- validating and writing ------------------------------------------------------------------------

def validate(data_dir: Path, sources_dir: Path, change: Change, imported: Imported):
    """Build the data folder as it would be, in a temporary copy: (problems for every
    violation of the shapes, named by the row of its node; the build's result)."""
    from kg.pipeline.build import build

    with tempfile.TemporaryDirectory(prefix="kg-sheet-") as work:
        data = Path(work) / "data"
        shutil.copytree(data_dir, data)
        for name, text in change.files.items():
            (data / name).parent.mkdir(parents=True, exist_ok=True)
            (data / name).write_text(text, encoding="utf-8")
        sources = Path(work) / "sources"
        sources.mkdir()
        for copy in Path(sources_dir).iterdir():
            if copy.is_file():
                os.symlink(copy.resolve(), sources / copy.name)
        if change.archive:
            (sources / change.archive[0]).write_bytes(change.archive[1])
        result = build(output=None, data_dir=data, sources_dir=sources)
    return violations_as_problems(result.report.violations, imported), result


def violations_as_problems(violations, imported: Imported) -> list[Problem]:
    from kg.curation.vocabulary import expand

    problems = []
    for violation in violations:
        focus = violation.focus_node or ""
        iri = expand(focus) or (URIRef(focus) if focus else None)
        sheet, row = imported.where.get(iri, ("", None))
        path = f" ({violation.path})" if getattr(violation, "path", None) else ""
        value = f" [value: {violation.value}]" if getattr(violation, "value", None) else ""
        problems.append(Problem(sheet, row, None, f"{focus or 'the data'}{path}: {violation.message}{value}"))
    return problems


def write(data_dir: Path, sources_dir: Path, change: Change) -> None:
    """Write the changed files (each replaced whole, by rename) and archive the source."""
    if change.archive:
        target = Path(sources_dir) / change.archive[0]
        _replace(target, change.archive[1])
    for name, text in change.files.items():
        _replace(Path(data_dir) / name, text.encode("utf-8"))


def _replace(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.kg-sheet")
    temporary.write_bytes(data)
    os.replace(temporary, path)
