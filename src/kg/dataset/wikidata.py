"""What the Wikidata exports (QuickStatements, Mix'n'match) share: the table of Wikidata
property and item ids we may use, and reading our graph's links, documents and passages.

The table (reference/wikidata-properties.csv: id, label, evidence) lists the ids whose meaning
was checked against public evidence. An id is used only if the table has it; ids whose row says
"single source" or "re-check" are used where the modelling guide asks for them, and every
output that uses one says so, for the editor to check on Wikidata before running a batch.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import CPO, DATA_GRAPH, OA, PROV, SCHEMA, SKOS
from kg.paths import REFERENCE_DIR

PROPERTY_TABLE = REFERENCE_DIR / "wikidata-properties.csv"
WIKIDATA_ITEM = re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")
WEAK_EVIDENCE = re.compile(r"single (weak )?source|re-check", re.I)

# The document's URL and the day our copy was taken from it: schema:url of the
# cpo:SourceDocument, and PAV's retrievedOn (Provenance, Authoring and Versioning ontology).
PAV = "http://purl.org/pav/"
RETRIEVED_ON = PAV + "retrievedOn"

DATA = ox.NamedNode(str(DATA_GRAPH))


class UnknownWikidataId(KeyError):
    """An id the property table does not list: never written."""


@dataclass(frozen=True)
class TableRow:
    id: str
    label: str
    evidence: str

    @property
    def weak(self) -> bool:
        """The row's evidence is a single source or asks to re-check the id."""
        return bool(WEAK_EVIDENCE.search(self.evidence))


class PropertyTable:
    """The checked Wikidata ids (properties P..., items Q...), each with its evidence."""

    def __init__(self, rows: dict[str, TableRow]):
        self.rows = rows

    def __contains__(self, wikidata_id: str) -> bool:
        return wikidata_id in self.rows

    def row(self, wikidata_id: str) -> TableRow:
        try:
            return self.rows[wikidata_id]
        except KeyError:
            raise UnknownWikidataId(f"{wikidata_id} is not in {PROPERTY_TABLE.name}; "
                                    "it is never written") from None

    def label(self, wikidata_id: str) -> str:
        return self.row(wikidata_id).label


@lru_cache(maxsize=4)
def property_table(path: Path = PROPERTY_TABLE) -> PropertyTable:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = {r["id"].strip(): TableRow(r["id"].strip(), r["label"].strip(), r["evidence"].strip())
                for r in csv.DictReader(handle) if r.get("id")}
    return PropertyTable(rows)


def item_id(term) -> str | None:
    """'Q42' for the IRI http://www.wikidata.org/entity/Q42, else None."""
    if not isinstance(term, ox.NamedNode):
        return None
    match = WIKIDATA_ITEM.match(term.value)
    return match.group(1) if match else None


def _iri(namespace_term) -> ox.NamedNode:
    return ox.NamedNode(str(namespace_term))


EXACT_MATCH = _iri(SKOS.exactMatch)
NAME = _iri(SCHEMA.name)
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def wikidata_links(store: ox.Store) -> dict[ox.NamedNode, str]:
    """Our nodes with exactly one checked Wikidata item (skos:exactMatch in the data graph,
    which holds only the links of data/links/). A node with two items is left out: which of
    them it is must be settled first."""
    found: dict[ox.NamedNode, set[str]] = {}
    for quad in store.quads_for_pattern(None, EXACT_MATCH, None, DATA):
        qid = item_id(quad.object)
        if qid and isinstance(quad.subject, ox.NamedNode):
            found.setdefault(quad.subject, set()).add(qid)
    return {node: next(iter(ids)) for node, ids in found.items() if len(ids) == 1}


@dataclass(frozen=True)
class Document:
    iri: str
    name: str
    url: str | None          # schema:url: where the document is published
    retrieved: ox.Literal | None   # pav:retrievedOn: when our copy was taken from it
    item: str | None         # its Wikidata item (skos:exactMatch), for "stated in"
    language: str | None     # schema:inLanguage


@dataclass(frozen=True)
class Passage:
    iri: str
    document: str
    quote: str


def first(store: ox.Store, subject, predicate, graph=DATA):
    for quad in store.quads_for_pattern(subject, predicate, None, graph):
        return quad.object
    return None


def documents(store: ox.Store) -> dict[str, Document]:
    found = {}
    for quad in store.quads_for_pattern(None, TYPE, _iri(CPO.SourceDocument), DATA):
        doc = quad.subject
        url = first(store, doc, _iri(SCHEMA.url))
        language = first(store, doc, _iri(SCHEMA.inLanguage))
        items = {item_id(q.object) for q in store.quads_for_pattern(doc, EXACT_MATCH, None, DATA)} - {None}
        name = first(store, doc, NAME)
        found[doc.value] = Document(
            iri=doc.value, name=name.value if name is not None else doc.value,
            url=url.value if url is not None else None,
            retrieved=first(store, doc, ox.NamedNode(RETRIEVED_ON)),
            item=next(iter(items)) if len(items) == 1 else None,
            language=language.value if isinstance(language, ox.Literal) else None)
    return found


def passages(store: ox.Store) -> dict[str, Passage]:
    """Each passage with its document and its verbatim quote (oa:exact of its selector)."""
    found = {}
    has_source, has_selector, exact = _iri(OA.hasSource), _iri(OA.hasSelector), _iri(OA.exact)
    for quad in store.quads_for_pattern(None, TYPE, _iri(CPO.Passage), DATA):
        source = first(store, quad.subject, has_source)
        selector = first(store, quad.subject, has_selector)
        quote = first(store, selector, exact) if selector is not None else None
        if source is not None and quote is not None:
            found[quad.subject.value] = Passage(quad.subject.value, source.value, quote.value)
    return found


def cited_passages(store: ox.Store, node) -> list[str]:
    """The passages a node cites (prov:wasDerivedFrom), in a stable order."""
    return sorted(q.object.value for q in store.quads_for_pattern(node, _iri(PROV.wasDerivedFrom), None, DATA)
                  if isinstance(q.object, ox.NamedNode))


def name_of(store: ox.Store, node) -> str | None:
    value = first(store, node, NAME)
    return value.value if isinstance(value, ox.Literal) else None


def name_not_stated(store: ox.Store, node) -> bool:
    """An agent known only by a post or a description (cpo:notStated schema:name): its
    schema:name is the source's designation, not a name, so it is never matched or created."""
    return any(True for _ in store.quads_for_pattern(node, _iri(CPO.notStated), NAME, DATA))

