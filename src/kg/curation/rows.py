"""A document's facts as rows of the workbook (kg sheet export).

Each fact lands in exactly one cell: a node's row takes what its sheet has columns for; its
quantities, sentence components, qualifiers, identity candidates and omissions take rows of
their own sheets; what no column can show exactly (a literal of another datatype, a blank node
of another shape) goes to 'More facts'. kg.curation.importer reads the rows back to the same
facts: the round trip is tested on every document."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from kg.curation import cells
from kg.curation.cells import CannotShow
from kg.curation.facts import Tree, by_subject, term_key
from kg.curation.schema import (COMPONENT_KINDS, EVENT_SHEETS, PROV_DERIVED, QUANTITY_KINDS, QUANTITY_PROPERTIES,
                                QUALIFIER_KINDS, SHEET_BY_NAME, SHEETS, LISTING_ORDER, STATEMENT_CLASSES, Sheet,
                                controlled, held_columns)
from kg.curation.scope import DocumentScope, is_shared
from kg.curation.vocabulary import Vocabulary, compact
from kg.linking.names import exact_key
from kg.namespaces import CPO, OA, SCHEMA, SPDX

REF_SEPARATOR = "; "
QUANTITY_HELD = held_columns("Quantities", "node")
QUANTITY_PREDICATES = {RDF.type} | {c.prop for c in QUANTITY_HELD}
COMPONENT_PREDICATES = {RDF.type, CPO.duration, CPO.lashes, CPO.banScope, CPO.wording, CPO.amount}
AMOUNT_PREDICATES = {RDF.type, SCHEMA.value, CPO.currency, CPO.wording}
QUALIFIER_HELD = held_columns("Qualifiers", "node", "property")
QUALIFIER_PREDICATES = {RDF.type, CPO.onProperty, CPO.onValue, PROV_DERIVED} | {c.prop for c in QUALIFIER_HELD}
SELECTOR_PREDICATES = {RDF.type, OA.exact, OA.prefix, OA.suffix}


@dataclass
class Names:
    """Which names stand for exactly one entity (so a cell may name it rather than give its id)."""

    holders: dict = field(default_factory=dict)     # folded name -> {IRI}
    names: dict = field(default_factory=dict)       # IRI -> its schema:name

    @staticmethod
    def of(facts) -> "Names":
        index = Names()
        for s, p, o in facts:
            if p in (SCHEMA.name, SKOS.altLabel):
                if isinstance(o, Literal):
                    index.holders.setdefault(exact_key(str(o)), set()).add(s)
                    if p == SCHEMA.name:
                        index.names.setdefault(s, str(o))
        return index

    def show(self, iri) -> str:
        """The entity's name where it names it alone, else its id."""
        name = self.names.get(iri)
        if is_shared(iri) and name and ";" not in name and "\n" not in name and name == name.strip() \
                and exact_key(name) and self.holders.get(exact_key(name)) == {iri}:
            return name
        return compact(iri)


class Export:
    """Fills the rows of each sheet from one document's facts."""

    def __init__(self, scope: DocumentScope, vocabulary: Vocabulary, names: Names):
        self.scope, self.vocabulary, self.names = scope, vocabulary, names
        self.subjects = by_subject(scope.facts)
        self.rows: dict[str, list[dict]] = {sheet.name: [] for sheet in SHEETS}
        self.blank_labels = 0
        self.passages = self._regular_passages()
        self.cited: set = set()
        self.order = scope.order
        self.roles = set(controlled(vocabulary, "role"))

    # --- the whole document ---------------------------------------------------------------------

    def run(self) -> dict[str, list[dict]]:
        subjects = sorted(self.subjects, key=self._position)
        for subject in subjects:
            if subject in self.passages:
                continue
            self._node_row(subject, self._sheet_of(subject))
        for passage in subjects:
            if passage in self.passages:
                rest = self.subjects[passage] - self.passages[passage][1]
                for fact in sorted(rest, key=self._fact_position):
                    self._more(fact)
                if passage not in self.cited:
                    exact, prefix, suffix = self.passages[passage][0]
                    self.rows["Passages"].append({"id": compact(passage), "quote": exact,
                                                  "prefix": prefix, "suffix": suffix})
        return {name: rows for name, rows in self.rows.items()}

    def _position(self, subject) -> tuple:
        positions = [self.order.get(f, 1 << 30) for f in self.subjects[subject]]
        return (min(positions, default=1 << 30), str(subject))

    def _fact_position(self, fact) -> tuple:
        return (self.order.get(fact, 1 << 30), str(fact[1]), term_key(fact[2]))

    def _values(self, subject, predicate) -> list:
        facts = [f for f in self.subjects.get(subject, ()) if f[1] == predicate]
        return [f[2] for f in sorted(facts, key=self._fact_position)]

    def _sheet_of(self, subject) -> Sheet:
        types = set(self._values(subject, RDF.type))
        for name in LISTING_ORDER:
            sheet = SHEET_BY_NAME[name]
            if any(types & self.vocabulary.subclasses(cls) for cls in sheet.classes):
                return sheet
        return SHEET_BY_NAME["Other things"]

    def _regular_passages(self) -> dict:
        """Passages of this document whose facts a quote cell says entirely:
        passage -> ((exact, prefix, suffix), the facts the quote stands for)."""
        found = {}
        for subject, facts in self.subjects.items():
            if (subject, RDF.type, CPO.Passage) not in facts:
                continue
            sources = [f for f in facts if f[1] == OA.hasSource]
            selectors = [f for f in facts if f[1] == OA.hasSelector]
            if len(sources) != 1 or sources[0][2] != self.scope.document or len(selectors) != 1:
                continue
            selector = selectors[0][2]
            if not isinstance(selector, Tree) or selector.predicates() - SELECTOR_PREDICATES or \
                    selector.values(RDF.type) != [OA.TextQuoteSelector] or \
                    any(len(selector.values(p)) != 1 for p in (OA.exact,)) or \
                    any(len(selector.values(p)) > 1 for p in (OA.prefix, OA.suffix)):
                continue
            words = [selector.value(OA.exact), selector.value(OA.prefix) or "", selector.value(OA.suffix) or ""]
            if not all(isinstance(w, (Literal, str)) and (w == "" or cells.is_plain(w)) for w in words):
                continue
            words = [str(w) for w in words]
            if any("\n" in w for w in words) or words[0] != words[0].strip() or not words[0]:
                continue
            found[subject] = (tuple(words), {(subject, RDF.type, CPO.Passage), sources[0], selectors[0]})
        return found

    # --- one node --------------------------------------------------------------------------------

    def _node_row(self, subject, sheet: Sheet) -> None:
        left = set(self.subjects[subject])
        row: dict = {"id": compact(subject)}
        self._types(subject, sheet, row, left)
        for column in sheet.columns:
            if column.kind in ("id", "type", "quote", "prefix", "suffix", "passages", "precision"):
                continue
            if column.kind == "sha256":
                self._checksum(subject, row, left)
            elif column.key == "name_not_stated":
                fact = (subject, CPO.notStated, SCHEMA.name)
                if fact in left:
                    row[column.key] = "yes"
                    left.discard(fact)
            elif column.prop is not None:
                self._column(subject, column, row, left)
        self._quotes(subject, row, left, sheet)
        self.rows[sheet.name].append(row)
        self._children(subject, left)
        for fact in sorted(left, key=self._fact_position):
            self._more(fact)

    def _types(self, subject, sheet: Sheet, row: dict, left: set) -> None:
        types = self._values(subject, RDF.type)
        if sheet.column("type") is None:
            if sheet.default_class in types:
                left.discard((subject, RDF.type, sheet.default_class))
            return
        allowed = self._allowed_types(sheet)
        shown = [t for t in types if allowed is None or t in allowed]
        if shown:
            row["type"] = REF_SEPARATOR.join(self.vocabulary.label(t) if allowed is not None else compact(t)
                                             for t in shown)
            left -= {(subject, RDF.type, t) for t in shown}

    def _allowed_types(self, sheet: Sheet):
        if not sheet.type_roots:
            return None
        return set(self.vocabulary.classes_under(*sheet.type_roots))

    def _column(self, subject, column, row: dict, left: set) -> None:
        values = [v for v in self._values(subject, column.prop)]
        shown, used = [], []
        for value in values:
            try:
                text = self._show(column, value)
            except CannotShow:
                continue
            if not column.multi and shown:
                break
            shown.append(text)
            used.append(value)
        if not shown:
            return
        left -= {(subject, column.prop, v) for v in used}
        if column.kind == "ref" or column.kind == "term":
            row[column.key] = REF_SEPARATOR.join(str(s) for s in shown)
        elif column.multi:
            row[column.key] = "\n".join(str(s) for s in shown)
        else:
            row[column.key] = shown[0]

    def _show(self, column, value):
        kind = column.kind
        if kind == "text" or kind == "local_file":
            return cells.show_text([value], column.multi)
        if kind in cells.SHOW:
            return cells.SHOW[kind](value)
        if kind == "ref":
            if not isinstance(value, URIRef):
                raise CannotShow(value)
            return self.names.show(value)
        if kind == "term":
            if value not in controlled(self.vocabulary, column.terms):
                raise CannotShow(value)
            return self.vocabulary.label(value)
        if kind == "statement":
            if not isinstance(value, Tree) or value.predicates() != {RDF.type, RDFS.label} or \
                    len(value.pairs) != 2 or value.value(RDF.type) not in STATEMENT_CLASSES.values():
                raise CannotShow(value)
            label = value.value(RDFS.label)
            if not isinstance(label, Literal) or label.language != "en" or "\n" in str(label) or \
                    str(label) != str(label).strip() or STATEMENT_CLASSES[column.prop] != value.value(RDF.type):
                raise CannotShow(value)
            return str(label)
        raise CannotShow(value)

    def _checksum(self, subject, row: dict, left: set) -> None:
        for value in self._values(subject, SPDX.checksum):
            if isinstance(value, Tree) and set(value.pairs) == {
                    (RDF.type, SPDX.Checksum), (SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
                    (SPDX.checksumValue, value.value(SPDX.checksumValue))} and \
                    isinstance(value.value(SPDX.checksumValue), Literal) and \
                    value.value(SPDX.checksumValue).datatype == XSD.hexBinary:
                row["sha256"] = str(value.value(SPDX.checksumValue))
                left.discard((subject, SPDX.checksum, value))
                return

    def _quotes(self, subject, row: dict, left: set, sheet: Sheet) -> None:
        if sheet.column("quote") is None:
            return
        quotes = [p for p in self._values(subject, PROV_DERIVED) if p in self.passages]
        if quotes:
            self._fill_quotes(row, quotes, with_ids=True)
            left -= {(subject, PROV_DERIVED, p) for p in quotes}

    def _fill_quotes(self, row: dict, passages: list, with_ids: bool) -> None:
        words = [self.passages[p][0] for p in passages]
        row["quote"] = "\n".join(w[0] for w in words)
        if any(w[1] for w in words):
            row["prefix"] = "\n".join(w[1] for w in words)
        if any(w[2] for w in words):
            row["suffix"] = "\n".join(w[2] for w in words)
        if with_ids:
            row["passages"] = "\n".join(compact(p) for p in passages)
        self.cited.update(passages)

    # --- rows of the child sheets -------------------------------------------------------------

    def _children(self, subject, left: set) -> None:
        node = self.names.show(subject) if is_shared(subject) else compact(subject)
        for fact in sorted(left, key=self._fact_position):
            s, p, o = fact
            if p in QUANTITY_PROPERTIES and self._quantity_row(node, p, o):
                left.discard(fact)
            elif p in self.roles and isinstance(o, URIRef) and self._sheet_of(s).name in EVENT_SHEETS:
                self.rows["Participants"].append({"event": node, "agent": self.names.show(o),
                                                  "role": self.vocabulary.label(p)})
                left.discard(fact)
            elif p == CPO.component and self._component_row(node, o):
                left.discard(fact)
            elif p == CPO.notStated and isinstance(o, URIRef):
                try:
                    self.rows["Omissions"].append({"node": node, "property": self._term(o, "property")})
                except CannotShow:
                    continue
                left.discard(fact)
        self._identity_rows(subject, node, left)
        for fact in sorted(left, key=self._fact_position):
            if fact[1] == CPO.qualifier and self._qualifier_row(subject, node, fact[2]):
                left.discard(fact)

    def _quantity_row(self, node: str, prop, tree) -> bool:
        if not isinstance(tree, Tree) or tree.predicates() - QUANTITY_PREDICATES:
            return False
        types = tree.values(RDF.type)
        kind = next((k for k, cls in QUANTITY_KINDS.items() if types == [cls]), None)
        row = {"node": node, "property": self.vocabulary.label(prop), "kind": kind}
        if kind is None or not self._held(tree, QUANTITY_HELD, row):
            return False
        self.rows["Quantities"].append(row)
        return True

    def _held(self, tree: Tree, columns: tuple, row: dict) -> bool:
        """The node's values in the columns that hold them (kg.curation.schema.held_columns); False
        if one has no column-shaped form (two values in a single column, a required one missing,
        a value its column cannot show): the node then goes to 'More facts' whole."""
        for column in columns:
            values = tree.values(column.prop)
            if (column.required and not values) or (len(values) > 1 and not column.multi):
                return False
            if not values:
                continue
            try:
                shown = [self._show(column, value) for value in values]
            except CannotShow:
                return False
            separator = REF_SEPARATOR if column.kind == "term" else "\n"
            row[column.key] = shown[0] if len(shown) == 1 else separator.join(str(s) for s in shown)
        return True

    def _term(self, value, terms: str) -> str:
        if value not in controlled(self.vocabulary, terms):
            raise CannotShow(value)
        return self.vocabulary.label(value)

    def _component_row(self, node: str, tree) -> bool:
        if not isinstance(tree, Tree) or tree.predicates() - COMPONENT_PREDICATES:
            return False
        types = tree.values(RDF.type)
        if len(types) != 1 or types[0] not in COMPONENT_KINDS or \
                any(len(tree.values(p)) > 1 for p in COMPONENT_PREDICATES - {RDF.type}):
            return False
        row = {"sentence": node, "kind": self.vocabulary.label(types[0])}
        try:
            if tree.value(CPO.duration) is not None:
                row["duration"] = cells.show_duration(tree.value(CPO.duration))
            if tree.value(CPO.lashes) is not None:
                row["lashes"] = cells.show_integer(tree.value(CPO.lashes))
            for key, predicate in (("ban_scope", CPO.banScope), ("wording", CPO.wording)):
                if tree.value(predicate) is not None:
                    row[key] = cells.show_text([tree.value(predicate)], False)
            amount = tree.value(CPO.amount)
            if amount is not None:
                row.update(self._amount(amount))
        except CannotShow:
            return False
        self.rows["Sentence components"].append(row)
        return True

    def _amount(self, amount) -> dict:
        if not isinstance(amount, Tree) or amount.predicates() - AMOUNT_PREDICATES or \
                amount.values(RDF.type) != [CPO.MonetaryAmount] or len(amount.pairs) < 2 or \
                any(len(amount.values(p)) > 1 for p in AMOUNT_PREDICATES):
            raise CannotShow(amount)
        shown = {}
        if amount.value(SCHEMA.value) is not None:
            shown["amount"] = cells.show_integer(amount.value(SCHEMA.value))
        if amount.value(CPO.currency) is not None:
            shown["currency"] = self._term(amount.value(CPO.currency), "currency")
        if amount.value(CPO.wording) is not None:
            shown["amount_wording"] = cells.show_text([amount.value(CPO.wording)], False)
        return shown

    def _identity_rows(self, subject, node: str, left: set) -> None:
        others = [f for f in sorted(left, key=self._fact_position)
                  if f[1] == CPO.possiblySameAs and isinstance(f[2], URIRef)]
        reasons = [f for f in left if f[1] == CPO.qualifier and isinstance(f[2], Tree)
                   and _identity_reason(f[2]) is not None]
        for fact in others:
            row = {"a": node, "b": self.names.show(fact[2])}
            if len(others) == 1 and len(reasons) == 1:
                row["reason"] = _identity_reason(reasons[0][2])
                left.discard(reasons[0])
            self.rows["Identity candidates"].append(row)
            left.discard(fact)

    def _qualifier_row(self, subject, node: str, tree) -> bool:
        if not isinstance(tree, Tree) or tree.predicates() - QUALIFIER_PREDICATES:
            return False
        kind = next((k for k, cls in QUALIFIER_KINDS.items() if tree.values(RDF.type) == [cls]), None)
        row = {"node": node, "kind": kind}
        if kind is None or not self._held(tree, QUALIFIER_HELD, row):
            return False
        try:
            properties = tree.values(CPO.onProperty)
            if properties:
                row["property"] = REF_SEPARATOR.join(self._term(p, "property") for p in properties)
            values = tree.values(CPO.onValue)
            if values:
                row["value"] = "\n".join(self._on_value(subject, properties, v) for v in values)
            passages = tree.values(PROV_DERIVED)
            if any(p not in self.passages for p in passages):
                return False
        except CannotShow:
            return False
        if passages:
            self._fill_quotes(row, passages, with_ids=False)
        self.rows["Qualifiers"].append(row)
        return True

    def _on_value(self, subject, properties, value) -> str:
        """A qualified value as its cell shows it: it must be one of the node's values of the
        qualified properties, and the only one that shows so."""
        candidates = [o for p in properties for o in self._values(subject, p)]
        if value not in candidates:
            raise CannotShow(value)
        shown = self.names.show(value) if isinstance(value, URIRef) else str(value)
        same = [c for c in candidates if (self.names.show(c) if isinstance(c, URIRef) else str(c)) == shown]
        if len(set(same)) != 1 or "\n" in shown or shown != shown.strip() or not shown:
            raise CannotShow(value)
        return shown

    # --- what no column holds ---------------------------------------------------------------------

    def _more(self, fact) -> None:
        s, p, o = fact
        self._more_row(compact(s), p, o)

    def _more_row(self, node: str, predicate, value) -> None:
        row = {"node": node, "property": compact(predicate)}
        if isinstance(value, Tree):
            self.blank_labels += 1
            label = f"_:b{self.blank_labels}"
            row["value"] = label
            self.rows["More facts"].append(row)
            for p, o in value.pairs:
                self._more_row(label, p, o)
            return
        if isinstance(value, Literal):
            row["value"] = str(value)
            row["datatype"] = compact(value.datatype) if value.datatype else \
                ("" if value.language else "xsd:string")
            if value.language:
                row["language"] = value.language
        else:
            row["value"] = compact(value)
        self.rows["More facts"].append(row)


def _identity_reason(tree: Tree):
    """The reason of a curators' inference that says only why two nodes may be one."""
    if set(p for p, _ in tree.pairs) == {RDF.type, CPO.onProperty, CPO.inferenceReason} and \
            len(tree.pairs) == 3 and tree.value(RDF.type) == CPO.CuratorInference and \
            tree.value(CPO.onProperty) == CPO.possiblySameAs:
        reason = tree.value(CPO.inferenceReason)
        if cells.is_plain(reason) and "\n" not in str(reason) and str(reason) == str(reason).strip() and str(reason):
            return str(reason)
    return None


def document_rows(scope: DocumentScope, vocabulary: Vocabulary, known_facts=()) -> dict[str, list[dict]]:
    """The rows of every sheet for one document."""
    names = Names.of(set(known_facts) | scope.facts)
    return Export(scope, vocabulary, names).run()
