"""Rows of a workbook to facts, checking everything a documenter can get wrong, each problem named
by sheet, row and column in a sentence: a quote that is not in the document (with the closest
passage), a quote found twice, an unknown kind, an impossible date, a name close to a known one,
an id or a name that nothing has.

The facts are what the document says (kg.curation.facts); writing them (to the data folder or
a store) and validating them with the shapes is the caller's (kg.curation.files, store_write)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from kg.curation import cells
from kg.curation.cells import CellError
from kg.curation.facts import Tree
from kg.curation.matching import NameIndex, percent
from kg.curation.quotes import closest_passage, occurrences, section_at, sections, slug
from kg.curation.reading import Row, Workbook
from kg.curation.schema import (PRECISIONS, PROV_DERIVED, QUALIFIER_KINDS, QUANTITY_KINDS, SHEET_BY_NAME,
                                SHEETS, STATEMENT_CLASSES, Column, Sheet, controlled, held_columns)
from kg.curation.scope import is_shared, kind
from kg.curation.vocabulary import Vocabulary, compact, expand, fold
from kg.namespaces import CPD, CPO, ENTITY_KINDS, OA, SCHEMA, SPDX

REF_SPLIT = re.compile(r"\s*(?:\n|;)\s*")
ENTITY_NAMESPACES = {"People": ("person",), "Organisations": ("organisation", "group"),
                     "Places": ("place",), "Laws": ("law",), "Source": ("source",),
                     "Passages": ("passage",)}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def text(self) -> str:
        where = [f"sheet '{self.sheet}'"] if self.sheet else []
        if self.row:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return (", ".join(where) + ": " if where else "") + self.message

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


SOURCE_ROW = "the Source sheet needs exactly one row: the document itself"
NO_SOURCE_ROW = " (to correct a document, send the whole workbook kg sheet export wrote)"


def sheets_left_out(workbook: dict, current: dict, document: str) -> list:
    """An import replaces the whole document: a sheet missing from the workbook (a CSV file not
    sent, a sheet deleted) would delete every row the document has there. Refused, saying so,
    rather than read as 'delete them all'; a sheet kept with its header and no rows deletes."""
    return [Problem(name, None, None, f"this sheet is missing, but {document} has {len(rows)} row(s) "
                    "on it: an import replaces the whole document, so they would be deleted. Send the "
                    "whole workbook (as kg sheet export writes it), or keep the sheet with its header "
                    "and no rows to delete them")
            for name, rows in current.items() if rows and name not in workbook]


def in_workbook_order(problems: list) -> list:
    """Problems as a documenter walks the workbook: sheet by sheet, row by row, column by
    column (the whole workbook's problems first). The sort is stable: one cell's problems keep
    the order they were found in."""
    sheets = {sheet.name: index for index, sheet in enumerate(SHEETS)}
    columns = {(sheet.name, name): index for sheet in SHEETS
               for index, column in enumerate(sheet.columns) for name in (column.key, column.header)}

    def key(problem):
        return (sheets.get(problem.sheet, -1) if problem.sheet else -2, problem.row or 0,
                columns.get((problem.sheet, problem.column), -1) if problem.column else -1)
    return sorted(problems, key=key)


@dataclass
class Known:
    """What the data already holds that a workbook may refer to."""

    subjects: set = field(default_factory=set)
    names: NameIndex = field(default_factory=NameIndex)
    passages: dict = field(default_factory=dict)     # (document, exact, prefix, suffix) -> IRI
    sources: dict = field(default_factory=dict)      # document IRI -> (local file, sha256)
    retired: dict = field(default_factory=dict)      # retired IRI -> why, and what replaces it
    facts: set = field(default_factory=set)
    _own: dict = field(default_factory=dict)

    def own_nodes(self, document) -> set:
        """The nodes the document itself tells (its passages and what cites them): a workbook
        of the document without ids gives its rows these ids again."""
        if document not in self._own:
            from kg.curation.facts import graph_of
            from kg.curation.scope import store_scope

            self._own[document] = {f[0] for f in store_scope(graph_of(self.facts), document).own}
        return self._own[document]

    @staticmethod
    def of_facts(facts) -> "Known":
        known = Known(subjects={f[0] for f in facts}, names=NameIndex.of_facts(facts), facts=set(facts))
        by = {}
        for s, p, o in facts:
            by.setdefault(s, {}).setdefault(p, []).append(o)
        for s, props in by.items():
            if CPO.Passage in props.get(RDF.type, ()) and props.get(OA.hasSource) and props.get(OA.hasSelector):
                selector = props[OA.hasSelector][0]
                if isinstance(selector, Tree):
                    known.passages[(props[OA.hasSource][0], *_words(selector))] = s
            if TRUE in props.get(OWL.deprecated, ()) and isinstance(s, URIRef) and kind(s):
                known.retired[s] = _retirement(s, props)
            if CPO.SourceDocument in props.get(RDF.type, ()):
                checksum = next((t for t in props.get(SPDX.checksum, ()) if isinstance(t, Tree)), None)
                known.sources[s] = (str(props.get(CPO.localFile, [""])[0]),
                                    str(checksum.value(SPDX.checksumValue)) if checksum else "")
        return known


TRUE = Literal(True)


def _retirement(iri: URIRef, props: dict) -> str:
    """Why an IRI of data/registry/retired.ttl may no longer be used, and what to use instead."""
    reason = " ".join(str(r) for r in props.get(CPO.retirementReason, ()))
    instead = props.get(DCTERMS.isReplacedBy, ())
    return (f"{compact(iri)} is retired" + (f" ({reason.rstrip('.')})" if reason else "")
            + (f": use {compact(instead[0])} instead" if instead else ": it names nothing any more"))


def _words(selector: Tree) -> tuple:
    return tuple(str(selector.value(p) or "") for p in (OA.exact, OA.prefix, OA.suffix))


@dataclass
class Imported:
    """What a workbook says, and what is wrong with it."""

    document: URIRef | None = None
    facts: set = field(default_factory=set)
    problems: list = field(default_factory=list)
    where: dict = field(default_factory=dict)          # IRI -> (sheet, row)
    defined: set = field(default_factory=set)          # shared entities whose rows give their id
    matched: dict = field(default_factory=dict)        # shared entities found by name -> (sheet, row)
    new: list = field(default_factory=list)            # (IRI, name, sheet) of new shared entities
    sections: dict = field(default_factory=dict)       # passage IRI -> section file
    local_file: str = ""
    sha256: str = ""
    order: dict = field(default_factory=dict)          # fact -> position in the workbook

    @property
    def ok(self) -> bool:
        return not self.problems


class Importer:
    def __init__(self, workbook: Workbook, vocabulary: Vocabulary, known: Known, source_text: str,
                 source_bytes: bytes | None = None):
        self.workbook, self.vocabulary, self.known = workbook, vocabulary, known
        self.text = source_text
        self.sections = sections(source_text)
        data = source_bytes if source_bytes is not None else source_text.encode("utf-8")
        self.result = Imported(sha256=hashlib.sha256(data).hexdigest())
        self.rows_index = NameIndex()       # the workbook's own named rows
        self.ids: dict = {}                 # IRI -> (sheet, row) of the row that defines it
        self.row_iri: dict = {}             # (sheet, row number) -> IRI
        self.position = 0
        self.quote_uses: list = []          # (sheet, row, node or None, tree holder, words, id text)
        self.acknowledged: set = set()      # pairs of folded names an identity row links
        self.pending_qualifiers: list = []  # (node, pairs, passages): complete once quotes are read

    # --- helpers --------------------------------------------------------------------------------

    def problem(self, sheet: str, row, column, message: str) -> None:
        self.result.problems.append(Problem(sheet, row, column, message))

    def add(self, subject, predicate, obj) -> None:
        fact = (subject, predicate, obj)
        if fact not in self.result.facts:
            self.result.facts.add(fact)
            self.position += 1
            self.result.order[fact] = self.position

    def rows(self, sheet_name: str) -> list[Row]:
        return [row for row in self.workbook.get(sheet_name, []) if not row.empty]

    # --- the whole workbook -----------------------------------------------------------------------

    def run(self) -> Imported:
        self._run()
        self.result.problems = in_workbook_order(self.result.problems)
        return self.result

    def _run(self) -> None:
        self._note_identity_pairs()
        self._source()
        for sheet in SHEETS:
            if sheet.role in ("entity", "node"):
                for row in self.rows(sheet.name):
                    self._assign(sheet, row)
        for sheet in SHEETS:
            if sheet.role in ("entity", "node", "source"):
                for row in self.rows(sheet.name):
                    iri = self.row_iri.get((sheet.name, row.number))
                    if iri is not None:
                        self._node(sheet, row, iri)
        for row in self.rows("Passages"):
            self._quotes_of(SHEET_BY_NAME["Passages"], row, None)
        self._children()
        self._more_facts()
        self._passages()
        for node, pairs, passages in self.pending_qualifiers:
            self.add(node, CPO.qualifier, Tree.of(pairs + [(PROV_DERIVED, p) for p in passages]))

    # --- the source document ----------------------------------------------------------------------

    def _source(self) -> None:
        rows = self.rows("Source")
        if len(rows) != 1:
            self.problem("Source", rows[1].number if len(rows) > 1 else None, None,
                         SOURCE_ROW + (f" (it has {len(rows)})" if rows else NO_SOURCE_ROW))
            if not rows:
                return
        row = rows[0]
        name = cells.cell_text(row.get("name")).strip()
        given = cells.cell_text(row.get("id")).strip()
        if given:
            document = expand(given)
            if document is None or kind(document) != "source":
                self.problem("Source", row.number, "id", f"'{given}' is not a document id (source:...)")
                return
        elif name:
            document = URIRef(f"{CPD}source/{slug(name, 6)}")
        else:
            self.problem("Source", row.number, "name", "the document needs a name")
            return
        self.result.document = document
        self.row_iri[("Source", row.number)] = document
        self.ids[document] = ("Source", row.number)
        self.result.where[document] = ("Source", row.number)
        stated = cells.cell_text(row.get("sha256")).strip().lower()
        if stated and stated != self.result.sha256:
            self.problem("Source", row.number, "sha256",
                         f"the file given as the source has SHA-256 {self.result.sha256}, not {stated}: "
                         "it is not the text this workbook was made from")
        known = self.known.sources.get(document)
        if known and known[1] and known[1] != self.result.sha256:
            self.problem("Source", row.number, "id",
                         f"{compact(document)} is already in the data with another text (SHA-256 {known[1]}); "
                         "a corrected or newer version of a document is a new document: give it an id of its own")
        local = known[0] if known else cells.cell_text(row.get("local_file")).strip()
        if not local:
            local = f"{slug(document.rsplit('/', 1)[-1])}-{self.result.sha256[:16]}.txt"
        if "/" in local or "\\" in local or local in (".", "..") or not local.strip():
            self.problem("Source", row.number, "local_file", f"'{local}' is not a plain file name")
        self.result.local_file = local

    # --- ids of rows ---------------------------------------------------------------------------

    def _assign(self, sheet: Sheet, row: Row) -> None:
        given = cells.cell_text(row.get("id")).strip()
        name = cells.cell_text(row.get("name")).strip()
        others = [line for line in cells.lines(row.get("other_names"))]
        if given:
            iri = expand(given)
            allowed = ENTITY_NAMESPACES.get(sheet.name)
            if iri is None or kind(iri) not in ENTITY_KINDS:
                self.problem(sheet.name, row.number, "id", f"'{given}' is not an id of ours "
                             "(such as person:vugar-nemat or event:2020-10-01-tabriz-arrests)")
                return
            if allowed and kind(iri) not in allowed or not allowed and is_shared(iri):
                self.problem(sheet.name, row.number, "id", f"'{given}' is not an id for the {sheet.name} "
                             f"sheet ({' or '.join(p + ':' for p in allowed) if allowed else 'not a shared entity'})")
                return
            if iri in self.known.retired:
                self.problem(sheet.name, row.number, "id", self.known.retired[iri])
                return
            if is_shared(iri):
                self.result.defined.add(iri)
        elif sheet.role == "entity":
            iri = self._entity_by_name(sheet, row, name, others)
            if iri is None:
                return
        elif sheet.role == "passages":
            return  # a passage gets its id with its quote (_passages)
        else:
            iri = self._mint(sheet, row, name)
        if iri in self.ids and self.ids[iri] != (sheet.name, row.number):
            first = self.ids[iri]
            self.problem(sheet.name, row.number, "id", f"{compact(iri)} is also the id of {first[0]} row "
                         f"{first[1]}: one row per thing")
            return
        self.ids[iri] = (sheet.name, row.number)
        self.row_iri[(sheet.name, row.number)] = iri
        self.result.where.setdefault(iri, (sheet.name, row.number))
        if name:
            self.rows_index.add(iri, name, others, (sheet.name,))

    def _entity_by_name(self, sheet: Sheet, row: Row, name: str, others: list) -> URIRef | None:
        if not name:
            self.problem(sheet.name, row.number, "name", "a row without an id needs a name")
            return None
        same = self.known.names.exact(name, (sheet.name,)) | self.rows_index.exact(name, (sheet.name,))
        if len(same) > 1:
            self.problem(sheet.name, row.number, "name", f"'{name}' is the name of "
                         + " and of ".join(compact(i) for i in sorted(same)) + ": write the id of the one you mean")
            return None
        if same:
            iri = same.pop()
            if iri in self.known.subjects:
                self.result.matched[iri] = (sheet.name, row.number)
            return iri
        near = self.known.names.duplicates(name, (sheet.name,)) + self.rows_index.duplicates(name, (sheet.name,))
        near = [c for c in near if not self._acknowledged(name, c)]
        if near:
            what = {"People": "person", "Organisations": "organisation", "Places": "place",
                    "Laws": "law"}[sheet.name]
            closest = "; ".join(f"'{c.name}' ({compact(c.iri)}, {percent(c.similarity)} alike)" for c in near)
            fresh = f"{ENTITY_NAMESPACES[sheet.name][0]}:{slug(name)}"
            self.problem(sheet.name, row.number, "name",
                         f"'{name}' is not a known {what}, but it is close to {closest}. If it is the same "
                         f"{what}, write '{near[0].name}' or {compact(near[0].iri)} instead; if it is another "
                         f"{what}, give this row an id of its own (such as {fresh}); if you cannot tell, add a "
                         "row on 'Identity candidates' with both names and your reason (both are then kept, "
                         "as possibly the same)")
            return None
        namespace = ENTITY_NAMESPACES[sheet.name][0]
        if sheet.name == "Organisations" and any(
                fold(t) in ("informal group", "group", "cpo:group") for t in REF_SPLIT.split(cells.cell_text(row.get("type")))):
            namespace = "group"
        iri = self._unique(namespace, slug(name, 8) or "unnamed")
        self.result.new.append((iri, name, sheet.name))
        return iri

    def _acknowledged(self, name: str, candidate) -> bool:
        from kg.linking.names import exact_key

        spellings = {exact_key(candidate.name), exact_key(compact(candidate.iri))}
        entity = self.known.names.entities.get(candidate.iri) or self.rows_index.entities.get(candidate.iri)
        if entity is not None:
            spellings |= {exact_key(n) for n in entity.names}
        return any(frozenset((exact_key(name), s)) in self.acknowledged for s in spellings)

    def _note_identity_pairs(self) -> None:
        from kg.linking.names import exact_key

        for row in self.rows("Identity candidates"):
            a, b = (cells.cell_text(row.get(k)).strip() for k in ("a", "b"))
            if a and b:
                self.acknowledged.add(frozenset((exact_key(a), exact_key(b))))

    def _mint(self, sheet: Sheet, row: Row, name: str) -> URIRef:
        namespace = sheet.namespace
        words = slug(name, 7) if name else ""
        if sheet.role == "node" and sheet.column("date") is not None:
            try:
                date = str(cells.read_date(row.get("date"))) if row.get("date") else ""
            except CellError:
                date = ""
            date_slug = date if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date) else "undated"
            words = f"{date_slug}-{words}" if words else date_slug
        document = self.result.document.rsplit("/", 1)[-1] if self.result.document else "new"
        return self._unique(namespace, words or f"{document}-{sheet.name.lower().replace(' ', '-')}")

    def _unique(self, namespace: str, local: str) -> URIRef:
        base = URIRef(f"{CPD}{namespace}/{local}")
        own = self.known.own_nodes(self.result.document) if self.result.document else set()
        iri, count = base, 1
        while iri in self.ids or iri in self.known.subjects and iri not in own:
            count += 1
            iri = URIRef(f"{base}-{count}")
        return iri

    # --- a node's own row ---------------------------------------------------------------------

    def _node(self, sheet: Sheet, row: Row, iri: URIRef) -> None:
        self._types(sheet, row, iri)
        precision = self._precision(sheet, row)
        for column in sheet.columns:
            value = row.get(column.key)
            empty = cells.cell_text(value).strip() == ""
            if column.required and empty:
                if not (sheet.role == "entity" and column.key == "name" and not row.get("id")):
                    self.problem(sheet.name, row.number, column.header, f"the row needs its {column.header}")
                continue
            if empty or column.kind in ("id", "type", "quote", "prefix", "suffix", "passages", "precision"):
                continue
            self._cell(sheet, row, iri, column, value, precision)
        if sheet.role == "source":
            self._source_file(iri)
        self._quotes_of(sheet, row, iri)

    def _types(self, sheet: Sheet, row: Row, iri: URIRef) -> None:
        if sheet.column("type") is None:
            if sheet.default_class is not None:
                self.add(iri, RDF.type, sheet.default_class)
            return
        given = [t for t in REF_SPLIT.split(cells.cell_text(row.get("type")).strip()) if t]
        if not given:
            if sheet.default_class is not None:
                self.add(iri, RDF.type, sheet.default_class)
            elif sheet.type_roots:
                what = "place" if sheet.name == "Places" else "event" if sheet.name == "Events" else "thing"
                self.problem(sheet.name, row.number, "type", f"say what kind of {what} it is (from the list)")
            return
        allowed = self.vocabulary.classes_under(*sheet.type_roots) if sheet.type_roots else None
        for text in given:
            found = self.vocabulary.find(text, allowed) if allowed is not None else expand(text) or \
                self.vocabulary.find(text, self.vocabulary.labels.keys())
            if found is None:
                what = {"Events": "a kind of event", "Places": "a kind of place",
                        "Organisations": "a kind of organisation or group"}.get(sheet.name, "a kind allowed on this sheet")
                closest = self.vocabulary.closest(text, allowed or ())
                hint = f" (closest: {', '.join(repr(c) for c in closest)})" if closest else ""
                self.problem(sheet.name, row.number, "type",
                             f"'{text}' is not {what}: choose one from the list{hint}")
                continue
            self.add(iri, RDF.type, found)

    def _precision(self, sheet: Sheet, row: Row) -> str | None:
        text = fold(cells.cell_text(row.get("date_precision")))
        if not text:
            return None
        if text not in PRECISIONS:
            self.problem(sheet.name, row.number, "date precision", f"'{text}' is not day, month or year")
            return None
        return text

    def _cell(self, sheet: Sheet, row: Row, iri, column: Column, value, precision) -> None:
        where = (sheet.name, row.number, column.header)
        try:
            if column.key == "name_not_stated":
                if cells.read_boolean(value) == Literal("true", datatype=XSD.boolean, normalize=False):
                    self.add(iri, CPO.notStated, SCHEMA.name)
                return
            if column.kind == "sha256" or column.kind == "local_file":
                return  # computed from the file given as the source (_source_file)
            terms = self._terms(column, value, precision)
        except CellError as error:
            self.problem(*where, str(error))
            return
        for term in terms:
            if term is not None:
                self.add(iri, column.prop, term)

    def _terms(self, column: Column, value, precision=None) -> list:
        kind_ = column.kind
        if kind_ == "text":
            return cells.read_text(value, column.multi)
        if kind_ == "date":
            return [cells.read_date(value, precision if column.prop == CPO.date else None)]
        if kind_ in cells.READ:
            return [cells.READ[kind_](value)]
        if kind_ == "ref":
            return [self._ref_or_raise(text, column.targets) for text in self._ref_texts(value, column)]
        if kind_ == "term":
            found = []
            for text in self._ref_texts(value, column):
                try:
                    found.append(self._term_or_raise(text, column))
                except CellError:
                    words = text.split()   # the tables list local names separated by spaces
                    if not column.multi or len(words) < 2:
                        raise
                    found += [self._term_or_raise(word, column) for word in words]
            return found
        if kind_ == "statement":
            return [Tree.of([(RDF.type, STATEMENT_CLASSES[column.prop]), (RDFS.label, Literal(line, lang="en"))])
                    for line in cells.lines(value)]
        raise CellError(f"cannot read a column of kind {kind_}")

    @staticmethod
    def _ref_texts(value, column: Column) -> list[str]:
        text = cells.cell_text(value).strip()
        parts = REF_SPLIT.split(text) if column.multi else [text]
        return [p for p in parts if p]

    # --- references ----------------------------------------------------------------------------

    def _ref_or_raise(self, text: str, targets) -> URIRef:
        iri, message = self.resolve(text, targets)
        if iri is None:
            raise CellError(message)
        return iri

    def resolve(self, text: str, targets) -> tuple:
        """(IRI, None) for an id or a name that stands for one row or known entity of the
        target sheets; (None, the reason) otherwise."""
        text = text.strip()
        if text.startswith("_:"):
            return None, f"'{text}' names a node without an id; only 'More facts' uses those"
        iri = expand(text)
        if iri is not None:
            if iri in self.known.retired:
                return None, self.known.retired[iri]
            if iri in self.ids or iri in self.known.subjects:
                return iri, None
            return None, f"no row and nothing in the data has the id {text}"
        same = self.rows_index.exact(text, targets)
        if not same:
            same = self.known.names.exact(text, targets)
        if len(same) > 1:   # 'Iran' in a places column: the place before the body of that name
            for target in targets:
                first = self.rows_index.exact(text, (target,)) or self.known.names.exact(text, (target,))
                if first:
                    same = first
                    break
        if len(same) == 1:
            return next(iter(same)), None
        if len(same) > 1:
            return None, (f"'{text}' is the name of " + " and of ".join(compact(i) for i in sorted(same))
                          + ": write the id of the one you mean")
        what = " or ".join(sorted({s.lower() for s in targets if s in ("People", "Organisations", "Places",
                                                                         "Laws")})) or "rows"
        near = self.rows_index.near(text, targets) + self.known.names.near(text, targets)
        near = sorted(near, key=lambda c: -c.similarity)[:3]
        sheet_hint = {"People": "People", "Organisations": "Organisations", "Places": "Places"}
        add_to = next((sheet_hint[t] for t in targets if t in sheet_hint), None)
        if near:
            closest = "; ".join(f"'{c.name}' ({compact(c.iri)}, {percent(c.similarity)} alike)" for c in near)
            return None, (f"'{text}' is not a name on the workbook's {what} sheets nor a known one; "
                          f"the closest are {closest}: write one of those names or ids if you mean it, "
                          + (f"or add a row for '{text}' on the {add_to} sheet" if add_to else
                             "or add a row for it"))
        return None, (f"'{text}' is not a name on the workbook's {what} sheets nor a known one: "
                      + (f"add a row for it on the {add_to} sheet" if add_to else "add a row for it, or use an id"))

    def _term_or_raise(self, text: str, column: Column):
        if column.terms == "quantity_kind":
            found = QUANTITY_KINDS.get(fold(text))
        elif column.terms == "qualifier_kind":
            found = QUALIFIER_KINDS.get(fold(text).replace("curator_inference", "curator inference"))
        elif column.terms == "any_property":
            found = expand(text) or self.vocabulary.find(text, controlled(self.vocabulary, "property"))
        else:
            allowed = controlled(self.vocabulary, column.terms)
            found = self.vocabulary.find(text, allowed)
        if found is None:
            choices = {"quantity_kind": ["count", "money"], "qualifier_kind": ["hedge", "curator inference"]}
            closest = choices.get(column.terms) or self.vocabulary.closest(
                text, controlled(self.vocabulary, column.terms if column.terms != "any_property" else "property"))
            raise CellError(f"'{text}' is not one of the list for '{column.header}'"
                            + (f" (closest: {', '.join(repr(c) for c in closest)})" if closest else ""))
        return found

    # --- quotes --------------------------------------------------------------------------------

    def _quotes_of(self, sheet: Sheet, row: Row, node, holder=None) -> list:
        """The quote uses of a row: each line of 'quote' with its prefix, suffix and id."""
        quotes = cells.cell_text(row.get("quote")).split("\n")
        quotes = [q.strip() for q in quotes]
        prefixes = cells.cell_text(row.get("prefix")).split("\n")
        suffixes = cells.cell_text(row.get("suffix")).split("\n")
        id_cell = row.get("id") if sheet.name == "Passages" else row.get("passages")
        ids = [i.strip() for i in cells.cell_text(id_cell).split("\n")]
        uses = []
        for index, quote in enumerate(quotes):
            if not quote:
                continue
            words = (quote, _line(prefixes, index), _line(suffixes, index))
            use = (sheet.name, row.number, node, holder, words, _line(ids, index).strip())
            self.quote_uses.append(use)
            uses.append(use)
        return uses

    def _passages(self) -> None:
        document = self.result.document
        if document is None:
            return
        by_words: dict = {}
        assigned: dict = {}
        for sheet, number, node, holder, words, given in self.quote_uses:
            if given:
                iri = expand(given)
                if iri is None or kind(iri) != "passage":
                    self.problem(sheet, number, "passages", f"'{given}' is not a passage id (passage:...)")
                    continue
                if iri in assigned and assigned[iri] != words:
                    self.problem(sheet, number, "quote", f"{given} is quoted differently on "
                                 f"another row: one id, one quote")
                    continue
                assigned[iri] = words
                by_words.setdefault(words, iri)
        for sheet, number, node, holder, words, given in self.quote_uses:
            iri = expand(given) if given else None
            if iri is None or kind(iri) != "passage":
                iri = by_words.get(words) or self.known.passages.get((document, *words))
                if iri is None:
                    iri = self._unique("passage", f"{slug(document.rsplit('/', 1)[-1], 2)}-{slug(words[0], 6)}")
                    self.ids[iri] = (sheet, number)
                by_words[words] = iri
            if iri not in assigned:
                assigned[iri] = words
            elif assigned[iri] != words:
                continue
            if node is not None:
                self.add(node, PROV_DERIVED, iri)
            if holder is not None:
                holder.append(iri)
            self.result.where.setdefault(iri, (sheet, number))
        located = {}
        for sheet, number, node, holder, words, given in self.quote_uses:
            iri = by_words.get(words)
            if iri is None or iri in located:
                continue
            located[iri] = self._locate(sheet, number, words)
            if located[iri] is None:
                continue
            self.result.sections[iri] = section_at(self.sections, located[iri])[0]
            selector = [(RDF.type, OA.TextQuoteSelector), (OA.exact, Literal(words[0]))]
            selector += [(p, Literal(w)) for p, w in ((OA.prefix, words[1]), (OA.suffix, words[2])) if w]
            self.add(iri, RDF.type, CPO.Passage)
            self.add(iri, OA.hasSource, document)
            self.add(iri, OA.hasSelector, Tree.of(selector))

    def _locate(self, sheet: str, number: int, words: tuple):
        exact, prefix, suffix = words
        found = occurrences(self.text, exact, prefix, suffix)
        if len(found) == 1:
            return found[0]
        if not found:
            if prefix or suffix and occurrences(self.text, exact):
                self.problem(sheet, number, "prefix" if prefix else "suffix",
                             "the quote is in the document, but not with these words before or after it")
            else:
                closest = closest_passage(self.text, exact)
                self.problem(sheet, number, "quote", f"the quote “{_short(exact)}” is not in the document"
                             + (f": the closest passage is “{closest}”" if closest else ""))
            return None
        heading = section_at(self.sections, found[0])[1] or "the lead"
        self.problem(sheet, number, "quote",
                     f"the quote “{_short(exact)}” occurs {len(found)} times in the document (first in "
                     f"“{heading}”): add the words just before it in 'prefix' (or just after it in "
                     "'suffix') so that it points at one place")
        return None

    # --- the source's file ------------------------------------------------------------------------

    def _source_file(self, document: URIRef) -> None:
        self.add(document, CPO.localFile, Literal(self.result.local_file))
        self.add(document, SPDX.checksum, Tree.of([
            (RDF.type, SPDX.Checksum), (SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
            (SPDX.checksumValue, Literal(self.result.sha256, datatype=XSD.hexBinary, normalize=False))]))

    # --- rows of the child sheets ----------------------------------------------------------------

    def _children(self) -> None:
        for row in self.rows("Participants"):
            self._participant(row)
        for row in self.rows("Quantities"):
            self._quantity(row)
        for row in self.rows("Sentence components"):
            self._component(row)
        for row in self.rows("Identity candidates"):
            self._identity(row)
        for row in self.rows("Omissions"):
            self._omission(row)
        for row in self.rows("Qualifiers"):
            self._qualifier(row)

    def _read(self, sheet: Sheet, row: Row, key: str):
        """The terms of one cell, or None (with a problem) if it cannot be read."""
        column = sheet.column(key)
        value = row.get(key)
        if cells.cell_text(value).strip() == "":
            if column.required:
                self.problem(sheet.name, row.number, column.header, f"the row needs its {column.header}")
                return None
            return []
        try:
            return self._terms(column, value)
        except CellError as error:
            self.problem(sheet.name, row.number, column.header, str(error))
            return None

    def _read_all(self, sheet_name: str, row: Row, keys) -> dict | None:
        sheet = SHEET_BY_NAME[sheet_name]
        values = {key: self._read(sheet, row, key) for key in keys}
        return None if any(v is None for v in values.values()) else values

    def _participant(self, row: Row) -> None:
        values = self._read_all("Participants", row, ("event", "agent", "role"))
        if values is not None:
            self.add(values["event"][0], values["role"][0], values["agent"][0])
            self._quotes_of(SHEET_BY_NAME["Participants"], row, values["event"][0])

    def _quantity(self, row: Row) -> None:
        held = held_columns("Quantities", "node")
        values = self._read_all("Quantities", row, ("node", "property", "kind", *(c.key for c in held)))
        if values is None:
            return
        node, prop = values["node"][0], values["property"][0]
        cls = values["kind"][0] if values["kind"] else (
            CPO.MonetaryAmount if values["currency"] or prop in (CPO.bail, CPO.amount) else CPO.Quantity)
        pairs = [(RDF.type, cls)] + [(c.prop, v) for c in held for v in values[c.key]]
        self.add(node, prop, Tree.of(pairs))
        self._quotes_of(SHEET_BY_NAME["Quantities"], row, node)

    def _component(self, row: Row) -> None:
        values = self._read_all("Sentence components", row, ("sentence", "kind", "duration", "lashes",
                                                             "ban_scope", "amount", "currency",
                                                             "amount_wording", "wording"))
        if values is None:
            return
        sentence = values["sentence"][0]
        pairs = [(RDF.type, values["kind"][0])]
        for key, predicate in (("duration", CPO.duration), ("lashes", CPO.lashes), ("ban_scope", CPO.banScope),
                               ("wording", CPO.wording)):
            pairs += [(predicate, v) for v in values[key]]
        amount = [(SCHEMA.value, v) for v in values["amount"]] + [(CPO.currency, v) for v in values["currency"]] \
            + [(CPO.wording, v) for v in values["amount_wording"]]
        if amount:
            pairs.append((CPO.amount, Tree.of([(RDF.type, CPO.MonetaryAmount), *amount])))
        self.add(sentence, CPO.component, Tree.of(pairs))
        self._quotes_of(SHEET_BY_NAME["Sentence components"], row, sentence)

    def _identity(self, row: Row) -> None:
        values = self._read_all("Identity candidates", row, ("a", "b", "reason"))
        if values is None:
            return
        a, b = values["a"][0], values["b"][0]
        if a == b:
            self.problem("Identity candidates", row.number, "b", "a and b are the same row")
            return
        self.add(a, CPO.possiblySameAs, b)
        if values["reason"]:
            self.add(a, CPO.qualifier, Tree.of([(RDF.type, CPO.CuratorInference), (CPO.onProperty, CPO.possiblySameAs),
                                                (CPO.inferenceReason, values["reason"][0])]))
        self._quotes_of(SHEET_BY_NAME["Identity candidates"], row, a)

    def _omission(self, row: Row) -> None:
        values = self._read_all("Omissions", row, ("node", "property"))
        if values is not None:
            self.add(values["node"][0], CPO.notStated, values["property"][0])
            self._quotes_of(SHEET_BY_NAME["Omissions"], row, values["node"][0])

    def _qualifier(self, row: Row) -> None:
        sheet = SHEET_BY_NAME["Qualifiers"]
        held = held_columns("Qualifiers", "node", "property")
        values = self._read_all("Qualifiers", row, ("node", "property", "kind", *(c.key for c in held)))
        if values is None:
            return
        node, properties = values["node"][0], values["property"]
        pairs = [(RDF.type, values["kind"][0])] + [(CPO.onProperty, p) for p in properties]
        for text in cells.lines(row.get("value")):
            found = self._on_value(node, properties, text)
            if found is None:
                what = ", ".join(self.vocabulary.label(p) for p in properties) or "any property"
                self.problem("Qualifiers", row.number, "value", f"'{text}' is not a value of {what} on that row"
                             + ("" if properties else ": name the property first"))
                return
            pairs.append((CPO.onValue, found))
        pairs += [(c.prop, v) for c in held for v in values[c.key]]
        passages: list = []
        self._quotes_of(sheet, row, None, passages)
        self.pending_qualifiers.append((node, pairs, passages))

    def _on_value(self, node, properties, text: str):
        candidates = [f[2] for f in self.result.facts if f[0] == node and f[1] in properties]
        for candidate in candidates:
            if isinstance(candidate, Literal) and str(candidate) == text:
                return candidate
        iri, _ = self.resolve(text, ())
        return iri if iri in candidates else None

    # --- what no column holds ------------------------------------------------------------------

    def _more_facts(self) -> None:
        rows = self.rows("More facts")
        triples, blank_subjects, used_as_value = [], {}, {}
        for row in rows:
            node_text = cells.cell_text(row.get("node")).strip()
            prop_text = cells.cell_text(row.get("property")).strip()
            value_text = cells.cell_text(row.get("value"))
            datatype = cells.cell_text(row.get("datatype")).strip()
            language = cells.cell_text(row.get("language")).strip()
            subject = self._more_node(row, node_text)
            if subject is None:
                continue
            try:
                predicate = self._term_or_raise(prop_text, SHEET_BY_NAME["More facts"].column("property"))
            except CellError as error:
                self.problem("More facts", row.number, "property", str(error))
                continue
            value = self._more_value(row, value_text, datatype, language)
            if value is None:
                continue
            if isinstance(value, BlankLabel):
                if value in used_as_value:
                    self.problem("More facts", row.number, "value", f"{value} is already the value of row "
                                 f"{used_as_value[value]}: a node without an id belongs to one fact")
                    continue
                used_as_value[value] = row.number
            triples.append((subject, predicate, value, row.number))
            if isinstance(subject, BlankLabel):
                blank_subjects.setdefault(subject, row.number)
        self._blank_trees(triples, blank_subjects, used_as_value)

    def _more_node(self, row: Row, text: str):
        if text.startswith("_:") and len(text) > 2:
            return BlankLabel(text)
        iri = expand(text) if text else None
        if iri is None:
            iri, message = self.resolve(text, ()) if text else (None, "the row needs its node")
            if iri is None:
                self.problem("More facts", row.number, "node", message or f"'{text}' is not an id")
                return None
        return iri

    def _more_value(self, row: Row, text: str, datatype: str, language: str):
        if language:
            return Literal(text, lang=language)
        if datatype:
            iri = expand(datatype)
            if iri is None:
                self.problem("More facts", row.number, "datatype", f"'{datatype}' is not a datatype (xsd:date ...)")
                return None
            return Literal(text) if iri == XSD.string else Literal(text, datatype=iri, normalize=False)
        text = text.strip()
        if text.startswith("_:") and len(text) > 2:
            return BlankLabel(text)
        iri = expand(text)
        if iri is None:
            self.problem("More facts", row.number, "value", f"'{text}' is not an id: for a literal give "
                         "its datatype (xsd:string for text)")
        return iri

    def _blank_trees(self, triples, blank_subjects, used_as_value) -> None:
        pairs_of: dict = {}
        for subject, predicate, value, number in triples:
            if isinstance(subject, BlankLabel):
                pairs_of.setdefault(subject, []).append((predicate, value))
        for label, number in blank_subjects.items():
            if label not in used_as_value:
                self.problem("More facts", number, "node", f"{label} is the value of no row: a node "
                             "without an id must hang from a row that has one")

        def build(label, path=()):
            if label in path:
                raise CellError(f"{label} contains itself")
            return Tree.of((p, build(v, path + (label,)) if isinstance(v, BlankLabel) else v)
                           for p, v in pairs_of.get(label, ()))

        for subject, predicate, value, number in triples:
            if isinstance(subject, BlankLabel):
                continue
            try:
                self.add(subject, predicate, build(value) if isinstance(value, BlankLabel) else value)
            except CellError as error:
                self.problem("More facts", number, "value", str(error))


class BlankLabel(str):
    """'_:b1' in 'More facts': a node without an id, within this workbook."""


def _line(lines: list, index: int) -> str:
    return lines[index] if index < len(lines) else ""


def _short(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[:width] + "…"


def import_rows(workbook: Workbook, vocabulary: Vocabulary, known: Known, source_text: str,
                source_bytes: bytes | None = None) -> Imported:
    return Importer(workbook, vocabulary, known, source_text, source_bytes).run()
