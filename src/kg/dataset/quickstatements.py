"""`kg export --format quickstatements`: statements for Wikidata items linked to our entities,
each with its references, in QuickStatements v1 commands.

For each of our entities with a checked Wikidata item (skos:exactMatch from data/links/), the
facts of the kinds below whose value is also a Wikidata item (or a date) become statements of
that item. Every statement carries, per passage it rests on, one reference: "stated in" (S248,
only where the source document has a checked Wikidata item), "reference URL" (S854, the
document's schema:url), "retrieved" (S813, the day our copy was taken from it, pav:retrievedOn)
and "quotation" (S1683, the passage's verbatim words with the document's language). A statement
without such a reference is not written: we never invent a URL. Dates keep their precision
(xsd:date /11, xsd:gYearMonth /10, xsd:gYear /9); a day without a year is no date, and its
bounds (cpo:notBefore / cpo:notAfter) go out as "earliest date" / "latest date" (P1319 / P1326).
The source's hedges become "sourcing circumstances" (P1480) where the hedge type has a checked
item; a fact an event's denial is about carries "statement disputed by" (P1310) the denier's
item, or P1480 "disputed" where the denier has none. Facts the curators inferred
(cpo:CuratorInference) are not exported as the source's statements; identity candidates
(cpo:possiblySameAs) go out as "said to be the same as" (P460) with the curators' reason noted.
Only ids of reference/wikidata-properties.csv are written.

The output is reviewable: a comment line (/* ... */, which QuickStatements skips) heads each
item's commands with our IRI and name, and says what was withheld and why. docs/wikidata.md
lists what is exported and what is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import pyoxigraph as ox

from kg.dates import precision_of
from kg.namespaces import CPO, DATA_GRAPH, ONTOLOGY_GRAPH, SKOS
from kg.terms import to_rdflib
from kg.dataset.wikidata import (DATA, TYPE, Document, Passage, PropertyTable, cited_passages,
                                 documents, item_id, name_not_stated, name_of, passages,
                                 property_table, wikidata_links)

ONTOLOGY = ox.NamedNode(str(ONTOLOGY_GRAPH))
# Wikibase time precision of each of our date datatypes (kg.dates.precision_of).
WIKIBASE_PRECISION = {"day": 11, "month": 10, "year": 9}
MAX_STRING = 1500          # Wikibase's longest string value
DISPUTED = "Q18912752"     # P1480 "disputed" (reference table, "P1480 value lists")


def cpo(local: str) -> ox.NamedNode:
    return ox.NamedNode(f"{CPO}{local}")


# --- values --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    qid: str

    def command(self) -> str:
        return self.qid


@dataclass(frozen=True)
class Time:
    """A Wikibase time value: +YYYY-MM-DDT00:00:00Z/precision (month and day 00 where the
    precision leaves them out, as Wikibase stores them)."""
    literal: ox.Literal
    precision: int

    def command(self) -> str:
        year, month, day = parts_of(self.literal)
        month = month if self.precision >= 10 else 0
        day = day if self.precision >= 11 else 0
        return f"+{year:04d}-{month:02d}-{day:02d}T00:00:00Z/{self.precision}"


@dataclass(frozen=True)
class SomeValue:
    """Wikibase's "unknown value": the event happened, on a day the source does not give."""

    def command(self) -> str:
        return "somevalue"


@dataclass(frozen=True)
class Text:
    """A string (a URL) or, with a language, a monolingual text (a quotation)."""
    text: str
    language: str | None = None

    def command(self) -> str:
        quoted = f'"{self.text}"'
        return f"{self.language}:{quoted}" if self.language else quoted


def parts_of(literal: ox.Literal) -> tuple[int, int, int]:
    text = literal.value
    year = int(text[:4])
    month = int(text[5:7]) if len(text) >= 7 else 0
    day = int(text[8:10]) if len(text) >= 10 else 0
    return year, month, day


def time_value(literal) -> Time | None:
    """The Wikibase time of one of our dates, at its precision; None for a day without a year
    (xsd:gMonthDay) or anything that is not a date."""
    if not isinstance(literal, ox.Literal):
        return None
    precision = WIKIBASE_PRECISION.get(precision_of(to_rdflib(literal)))
    if precision is None:
        return None
    try:
        parts_of(literal)
    except ValueError:
        return None
    return Time(literal, precision)


def writable(text: str) -> bool:
    """Whether QuickStatements v1 carries the text unchanged: commands are tab-separated lines
    whose values are trimmed, and "/* ... */" at a line's end is taken as an edit summary."""
    return (bool(text) and text == text.strip() and len(text) <= MAX_STRING
            and not any(c in text for c in "\t\r\n") and "/*" not in text and "*/" not in text)


# --- statements ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Reference:
    passage: str
    stated_in: str | None
    url: str
    retrieved: Time
    quote: Text

    def commands(self) -> list[str]:
        pairs = [("S248", self.stated_in)] if self.stated_in else []
        pairs += [("S854", Text(self.url).command()), ("S813", self.retrieved.command()),
                  ("S1683", self.quote.command())]
        return [part for pair in pairs for part in pair]


@dataclass(frozen=True)
class Statement:
    """One Wikidata statement and the triples of ours it says (for review and round trips)."""
    kind: str
    entity: str                # our IRI of the subject
    subject: str               # its Wikidata item
    property: str
    value: Item | Time | SomeValue
    qualifiers: tuple[tuple[str, Item | Time | SomeValue], ...]
    references: tuple[Reference, ...]
    facts: tuple[tuple[str, str, str], ...]   # (subject, predicate, object) as N-Triples terms

    def lines(self) -> list[str]:
        """One command per reference: QuickStatements adds a reference to a statement that
        already has the same value, so each passage becomes its own reference group."""
        head = [self.subject, self.property, self.value.command()]
        for prop, value in self.qualifiers:
            head += [prop, value.command()]
        return ["\t".join(head + reference.commands()) for reference in self.references]


@dataclass
class EntityReport:
    iri: str
    name: str
    item: str
    statements: list[Statement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


# --- what the graph says about a node --------------------------------------------------------

@dataclass(frozen=True)
class Qualifier:
    kind: str                 # "hedge" or "inference"
    properties: frozenset
    values: frozenset
    hedge_type: ox.NamedNode | None
    wording: str | None
    reason: str | None

    def covers(self, predicate: ox.NamedNode, value) -> bool:
        return ((not self.properties or predicate in self.properties)
                and (not self.values or value in self.values))


class Graph:
    """Look-ups on the built store (ontology, data, inferred graphs) for the export."""

    def __init__(self, store: ox.Store, table: PropertyTable):
        self.store = store
        self.table = table
        self.links = wikidata_links(store)
        self.documents = documents(store)
        self.passages = passages(store)
        self.hedge_items = self._hedge_items()
        self._qualifiers: dict = {}

    def select(self, query: str):
        prologue = f"PREFIX cpo: <{CPO}>\nPREFIX skos: <{SKOS}>\n"
        return self.store.query(prologue + query, use_default_graph_as_union=True)

    def is_a(self, node, cls: ox.NamedNode) -> bool:
        return any(True for _ in self.store.quads_for_pattern(node, TYPE, cls, None))

    def objects(self, node, predicate, graph=DATA) -> list:
        return [q.object for q in self.store.quads_for_pattern(node, predicate, None, graph)]

    def label(self, node) -> str:
        return name_of(self.store, node) or node.value.rsplit("/", 1)[-1]

    def qualifiers(self, node) -> list[Qualifier]:
        if node not in self._qualifiers:
            self._qualifiers[node] = list(self._read_qualifiers(node))
        return self._qualifiers[node]

    def _read_qualifiers(self, node):
        for qualifier in self.objects(node, cpo("qualifier")):
            kind = ("hedge" if self.is_a(qualifier, cpo("Hedge"))
                    else "inference" if self.is_a(qualifier, cpo("CuratorInference")) else None)
            if kind is None:
                continue
            one = lambda p: next(iter(self.objects(qualifier, cpo(p))), None)
            wording, reason = one("wording"), one("inferenceReason")
            yield Qualifier(kind, frozenset(self.objects(qualifier, cpo("onProperty"))),
                            frozenset(self.objects(qualifier, cpo("onValue"))), one("hedgeType"),
                            wording.value if wording is not None else None,
                            reason.value if reason is not None else None)

    def inferred_by_curators(self, node, predicate, value) -> Qualifier | None:
        return next((q for q in self.qualifiers(node)
                     if q.kind == "inference" and q.covers(predicate, value)), None)

    def hedges(self, node, predicate, value) -> list[Qualifier]:
        return [q for q in self.qualifiers(node) if q.kind == "hedge" and q.covers(predicate, value)]

    def _hedge_items(self) -> dict[ox.NamedNode, str]:
        """Each hedge type's P1480 item: its skos:closeMatch in the ontology, if the reference
        table lists that item."""
        found = {}
        for quad in self.store.quads_for_pattern(None, TYPE, cpo("HedgeType"), ONTOLOGY):
            for match in self.objects(quad.subject, ox.NamedNode(f"{SKOS}closeMatch"), ONTOLOGY):
                qid = item_id(match)
                if qid and qid in self.table:
                    found[quad.subject] = qid
        return found

    def deniers(self, node) -> list:
        """Authors of the denials about an event (cpo:Denial cpo:about it)."""
        if not self.is_a(node, cpo("Event")):
            return []
        denials = [q.subject for q in self.store.quads_for_pattern(None, cpo("about"), node, DATA)
                   if self.is_a(q.subject, cpo("Denial"))]
        return sorted({a for d in denials for a in self.objects(d, cpo("author"))}, key=str)

    def conflicts(self, node) -> list:
        return [q.subject for q in self.store.quads_for_pattern(None, cpo("conflictingVersion"), node, DATA)]


# --- the kinds of facts --------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    """A fact of ours that could become a statement of `entity`'s item."""
    kind: str
    entity: ox.NamedNode
    property: str
    value: object                       # our value node, or a Time / SomeValue
    node: ox.NamedNode                  # whose passages, hedges and inferences apply
    facts: tuple                        # ((s, p, o), ...) ox terms
    dated: bool = False                 # qualified by the node's dates (start, end, bounds)
    qualifiers: tuple = ()              # (P, value) fixed by the kind


def detention(graph: Graph):
    """Where a linked person was held: place of detention (P2632), with the detention's or
    arrest's start and end times."""
    for row in graph.select("""
            SELECT ?entity ?role ?node ?value WHERE {
              GRAPH <%s> { ?node ?role ?entity ; cpo:heldAt ?value }
              VALUES ?role { cpo:detainee cpo:arrestee } }""" % DATA_GRAPH):
        entity, role, node, value = row["entity"], row["role"], row["node"], row["value"]
        yield Candidate("detention", entity, "P2632", value, node,
                        ((node, role, entity), (node, cpo("heldAt"), value)), dated=True)


def simple(kind: str, predicate: str, wikidata_property: str, doc: str):
    def kind_of_fact(graph: Graph):
        for row in graph.select("SELECT ?entity ?value WHERE { GRAPH <%s> { ?entity cpo:%s ?value } }"
                                % (DATA_GRAPH, predicate)):
            entity, value = row["entity"], row["value"]
            yield Candidate(kind, entity, wikidata_property, value, entity,
                            ((entity, cpo(predicate), value),))
    kind_of_fact.__doc__ = doc
    return kind_of_fact


def residence(graph: Graph):
    """Where a linked person lives (P551); a group's residence ("Azerbaijanis living in Iran")
    is not a residence in Wikidata's sense."""
    for candidate in simple("residence", "residence", "P551", "")(graph):
        if graph.is_a(candidate.entity, cpo("Person")):
            yield candidate



membership = simple("membership", "memberOf", "P463", "What a linked agent is a member of (P463).")


def identity(graph: Graph):
    """Identity candidates (cpo:possiblySameAs) between two linked nodes: said to be the same
    as (P460), both ways, as Wikidata keeps it."""
    for row in graph.select("SELECT ?a ?b WHERE { GRAPH <%s> { ?a cpo:possiblySameAs ?b } }" % DATA_GRAPH):
        a, b = row["a"], row["b"]
        for entity, value in ((a, b), (b, a)):
            yield Candidate("identity", entity, "P460", value, a, ((a, cpo("possiblySameAs"), b),))


def location(graph: Graph):
    """Where a linked place lies: located in the administrative territorial entity (P131) for
    a province, city or town; country (P17) for a country; and a body's country (P17)."""
    for row in graph.select("""
            SELECT ?entity ?predicate ?value WHERE {
              GRAPH <%s> { ?entity ?predicate ?value } VALUES ?predicate { cpo:locatedIn cpo:country } }"""
                            % DATA_GRAPH):
        entity, predicate, value = row["entity"], row["predicate"], row["value"]
        if graph.is_a(value, cpo("Country")):
            prop = "P17"
        elif predicate == cpo("locatedIn") and any(graph.is_a(value, cpo(c)) for c in ("Province", "City", "Town")):
            prop = "P131"
        else:
            continue  # a region, a river, a site: no administrative entity to say it with
        yield Candidate("location", entity, prop, value, entity, ((entity, predicate, value),))


def organisation(graph: Graph):
    """Which larger body a linked organisation is part of (P361)."""
    for row in graph.select("SELECT ?entity ?value WHERE { GRAPH <%s> { ?entity cpo:partOfOrganisation ?value } }"
                            % DATA_GRAPH):
        entity, value = row["entity"], row["value"]
        yield Candidate("organisation", entity, "P361", value, entity,
                        ((entity, cpo("partOfOrganisation"), value),))


EVENT_ROLES = {"place": "P276", "participant": "P710", "protester": "P710", "organiser": "P664",
               "subEventOf": "P361", "wasPartOfWave": "P361"}


def event(graph: Graph):
    """Linked events: when (point in time P585, or start P580 and end P582), where (location
    P276), who took part (participant P710, organizer P664) and what they were part of (P361)."""
    rows = graph.select("""
            SELECT DISTINCT ?entity WHERE { ?entity a cpo:Event . GRAPH <%s> { ?entity skos:exactMatch ?item } }"""
                        % DATA_GRAPH)
    for row in rows:
        entity = row["entity"]
        yield from event_dates(graph, entity)
        for local, prop in EVENT_ROLES.items():
            for value in graph.objects(entity, cpo(local)):
                yield Candidate("event", entity, prop, value, entity, ((entity, cpo(local), value),))


def event_dates(graph: Graph, entity):
    date = next(iter(graph.objects(entity, cpo("date"))), None)
    end = next(iter(graph.objects(entity, cpo("endDate"))), None)
    if date is not None and time_value(date) is not None:
        facts = ((entity, cpo("date"), date),)
        if end is not None and time_value(end) is not None:
            yield Candidate("event", entity, "P580", time_value(date), entity, facts)
            yield Candidate("event", entity, "P582", time_value(end), entity,
                            ((entity, cpo("endDate"), end),))
        else:
            yield Candidate("event", entity, "P585", time_value(date), entity, facts)
        return
    bounds = [(prop, b) for prop, local in (("P1319", "notBefore"), ("P1326", "notAfter"))
              for b in graph.objects(entity, cpo(local)) if time_value(b) is not None]
    if bounds:  # it happened, on a day the source leaves without a year: unknown value, bounded
        facts = tuple((entity, cpo("notBefore" if p == "P1319" else "notAfter"), b) for p, b in bounds)
        yield Candidate("event", entity, "P585", SomeValue(), entity, facts,
                        qualifiers=tuple((p, time_value(b)) for p, b in bounds))


KINDS = {"detention": detention, "residence": residence, "membership": membership,
         "identity": identity, "location": location, "organisation": organisation, "event": event}


# --- from candidates to statements ------------------------------------------------------------

def nt(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    return str(term)


class Exporter:
    def __init__(self, store: ox.Store, table: PropertyTable | None = None):
        self.graph = Graph(store, table or property_table())
        self.table = self.graph.table
        self.reports: dict[str, EntityReport] = {}

    def report_for(self, entity: ox.NamedNode) -> EntityReport:
        key = entity.value
        if key not in self.reports:
            self.reports[key] = EntityReport(key, self.graph.label(entity), self.graph.links[entity])
        return self.reports[key]

    def run(self, kinds: Iterable[str]) -> list[EntityReport]:
        for kind in kinds:
            for candidate in KINDS[kind](self.graph):
                if candidate.entity in self.graph.links and not name_not_stated(self.graph.store, candidate.entity):
                    self.consider(candidate)
        for report in self.reports.values():
            report.statements = sorted(set(report.statements), key=statement_order)
        return [self.reports[k] for k in sorted(self.reports)]

    def consider(self, candidate: Candidate) -> None:
        report = self.report_for(candidate.entity)
        graph = self.graph
        prop = candidate.property
        what = f"{prop} ({self.table.label(prop)})"
        value = candidate.value
        if isinstance(value, ox.NamedNode):
            qid = graph.links.get(value)
            if qid is None or name_not_stated(graph.store, value):
                report.note(f"not exported: {what} {graph.label(value)} <{value.value}>: "
                            "it has no checked Wikidata item")
                return
            value = Item(qid)
        if candidate.kind != "identity":
            for s, p, o in candidate.facts:
                inference = graph.inferred_by_curators(s, p, o)
                if inference is not None:
                    report.note(f"not exported: {what} {describe_value(graph, candidate.value)}: "
                                f"the curators inferred it ({inference.reason})")
                    return
        qualifiers = list(candidate.qualifiers)
        if candidate.dated:
            qualifiers += self.date_qualifiers(candidate.node, report, what)
        qualifiers += self.hedge_qualifiers(candidate, report, what)
        qualifiers += self.dispute_qualifiers(candidate.node, report, what)
        for conflict in graph.conflicts(candidate.node):
            report.note(f"review {what}: the source gives it differently elsewhere "
                        f"(<{conflict.value}>); each version is exported with its own passage")
        if candidate.kind == "identity":
            inference = next((q for q in graph.qualifiers(candidate.node) if q.kind == "inference"
                              and q.covers(cpo("possiblySameAs"), candidate.facts[0][2])), None)
            report.note(f"review {what} {describe_value(graph, candidate.value)}: the curators' "
                        f"identity candidate, not the source's statement"
                        + (f" ({inference.reason})" if inference and inference.reason else ""))
        references = self.references(candidate.node, report, what)
        if not references:
            return
        statement = Statement(candidate.kind, candidate.entity.value, graph.links[candidate.entity], prop,
                              value, tuple(dict.fromkeys(qualifiers)), tuple(references),
                              tuple((nt(s), nt(p), nt(o)) for s, p, o in candidate.facts))
        report.statements.append(statement)

    def date_qualifiers(self, node, report: EntityReport, what: str) -> list:
        graph = self.graph
        found = {}
        for local in ("date", "endDate", "notBefore", "notAfter"):
            for literal in graph.objects(node, cpo(local)):
                inference = graph.inferred_by_curators(node, cpo(local), literal)
                # a hedge on the date itself; one on all the node's facts qualifies the statement
                hedged = [h for h in graph.hedges(node, cpo(local), literal) if h.properties]
                if inference is not None or hedged:
                    why = (f"the curators inferred it ({inference.reason})" if inference
                           else f"the source hedges it ({hedged[0].wording})")
                    report.note(f"{what}: cpo:{local} {literal.value} of <{node.value}> left out: {why}")
                    continue
                value = time_value(literal)
                if value is not None:
                    found[local] = value
        qualifiers = []
        if "date" in found:
            qualifiers.append(("P580", found["date"]))
            if "endDate" in found:
                qualifiers.append(("P582", found["endDate"]))
        else:
            qualifiers += [(p, found[local]) for p, local in (("P1319", "notBefore"), ("P1326", "notAfter"))
                           if local in found]
        return qualifiers

    def hedge_qualifiers(self, candidate: Candidate, report: EntityReport, what: str) -> list:
        qualifiers = []
        for s, p, o in candidate.facts:
            for hedge in self.graph.hedges(s, p, o):
                qid = self.graph.hedge_items.get(hedge.hedge_type)
                if qid:
                    qualifiers.append(("P1480", Item(qid)))
                else:
                    kind = hedge.hedge_type.value.rsplit("#", 1)[-1] if hedge.hedge_type else "hedge"
                    report.note(f"review {what}: the source says '{hedge.wording}' ({kind}), which "
                                "has no checked Wikidata item; exported without P1480")
        return qualifiers

    def dispute_qualifiers(self, node, report: EntityReport, what: str) -> list:
        qualifiers = []
        for author in self.graph.deniers(node):
            qid = self.graph.links.get(author)
            if qid:
                qualifiers.append(("P1310", Item(qid)))
            else:
                qualifiers.append(("P1480", Item(DISPUTED)))
                report.note(f"{what}: denied by {self.graph.label(author)}, who has no checked "
                            "Wikidata item: sourcing circumstances 'disputed' (P1480)")
        return qualifiers

    def references(self, node, report: EntityReport, what: str) -> list[Reference]:
        graph = self.graph
        references = []
        for iri in cited_passages(graph.store, node):
            passage = graph.passages.get(iri)
            if passage is None:
                continue
            reference, problem = reference_for(passage, graph.documents.get(passage.document))
            if reference:
                references.append(reference)
            else:
                report.note(f"withheld {what}: {problem}")
        if not references and not cited_passages(graph.store, node):
            report.note(f"withheld {what}: <{node.value}> cites no passage")
        return references


def reference_for(passage: Passage, document: Document | None) -> tuple[Reference | None, str]:
    if document is None:
        return None, f"the passage <{passage.iri}> names no known document"
    if not document.url:
        return None, f"no URL is known for the document <{document.iri}>, so no reference URL (S854)"
    if not document.url.startswith(("https://", "http://")) or not writable(document.url):
        return None, f"the URL of <{document.iri}> is not an http(s) URL QuickStatements can carry"
    retrieved = time_value(document.retrieved) if document.retrieved is not None else None
    if retrieved is None:
        return None, f"no retrieval date (pav:retrievedOn) is known for <{document.iri}> (S813)"
    if not document.language:
        return None, f"no language (schema:inLanguage) for the quotation of <{document.iri}> (S1683)"
    if not writable(passage.quote):
        return None, (f"the quotation of <{passage.iri}> cannot be written verbatim in QuickStatements "
                      f"(over {MAX_STRING} characters, a tab or line break, or '/*', '*/')")
    return Reference(passage.iri, document.item, document.url, retrieved,
                     Text(passage.quote, document.language)), ""


def describe_value(graph: Graph, value) -> str:
    if isinstance(value, ox.NamedNode):
        return f"{graph.label(value)} <{value.value}>"
    if isinstance(value, (Time, SomeValue)):
        return value.command()
    return str(value)


def statement_order(statement: Statement):
    return (statement.property, statement.value.command(), statement.qualifiers and
            tuple(p + v.command() for p, v in statement.qualifiers), statement.facts)


# --- the output --------------------------------------------------------------------------------

def comment(text: str) -> str:
    """A comment line: QuickStatements v1 skips a line that is only "/* ... */"."""
    return "/* " + text.replace("*/", "* /").replace("/*", "/ *").replace("\n", " ") + " */"


def quickstatements(store: ox.Store, kinds: Iterable[str] | None = None,
                    table: PropertyTable | None = None) -> str:
    """The QuickStatements v1 commands (tab-separated) for the chosen kinds of facts."""
    chosen = list(kinds) if kinds else list(KINDS)
    unknown = sorted(set(chosen) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown kinds of facts: {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    exporter = Exporter(store, table)
    reports = exporter.run(chosen)
    return render(reports, exporter.table, chosen)


def render(reports: list[EntityReport], table: PropertyTable, kinds: list[str]) -> str:
    statements = [s for r in reports for s in r.statements]
    used = sorted({i for s in statements for i in used_ids(s)}, key=lambda i: (i[0], int(i[1:])))
    weak = [i for i in used if table.row(i).weak]  # raises for an id the table does not list
    withheld = sum(1 for r in reports for n in r.notes if n.startswith(("withheld", "not exported")))
    lines = [
        comment("Civic protest knowledge graph: QuickStatements v1 commands for Wikidata items "
                "linked to our entities (kinds: " + ", ".join(kinds) + ")"),
        comment(f"{len(statements)} statement(s) on {sum(1 for r in reports if r.statements)} item(s), "
                f"{sum(len(s.references) for s in statements)} command line(s); {withheld} fact(s) "
                "not exported, each noted under its item"),
        comment("Every statement carries per passage: S248 stated in (where the document has an "
                "item), S854 reference URL, S813 retrieved, S1683 quotation"),
    ]
    if weak:
        lines.append(comment("Check on Wikidata before running: the reference table gives a single "
                             "source for " + ", ".join(f"{i} ({table.label(i)})" for i in weak)))
    for report in reports:
        lines.append("")
        lines.append(comment(f"{report.iri} {report.name} = {report.item}"))
        lines += [comment(note) for note in report.notes]
        for statement in report.statements:
            lines += statement.lines()
    return "\n".join(lines) + "\n"


def used_ids(statement: Statement) -> set[str]:
    """The ids of the reference table a statement writes: its properties, the reference
    properties and the items of sourcing circumstances (never our entities' own items)."""
    ids = {statement.property} | {p for p, _ in statement.qualifiers}
    ids |= {v.qid for p, v in statement.qualifiers if p == "P1480" and isinstance(v, Item)}
    for reference in statement.references:
        ids |= {"P854", "P813", "P1683"} | ({"P248"} if reference.stated_in else set())
    return ids
