"""Read access to the served store for the pages: triple-pattern look-ups only (no query text
is ever evaluated in the server process), taken under the dataset's lock, deduplicated across
the named graphs, with per-version caches for whole-graph summaries."""

from __future__ import annotations

import pyoxigraph as ox

from kg.namespaces import DATA_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, RDF, RDFS, SCHEMA, SKOS
from kg.server.cache import VersionedCache
from kg.server.state import current_engine

DATA = ox.NamedNode(str(DATA_GRAPH))
INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
ONTOLOGY = ox.NamedNode(str(ONTOLOGY_GRAPH))
TYPE = ox.NamedNode(str(RDF.type))
NAME = ox.NamedNode(str(SCHEMA.name))
LABEL = ox.NamedNode(str(RDFS.label))
ALT_LABEL = ox.NamedNode(str(SKOS.altLabel))


def node(iri) -> ox.NamedNode:
    return iri if isinstance(iri, ox.NamedNode) else ox.NamedNode(str(iri))


class GraphView:
    """rdflib-like look-ups on the store: each returns a list, so the lock is held briefly."""

    def __init__(self, dataset, cache: VersionedCache | None = None):
        self.dataset = dataset
        self.cache = cache if cache is not None else VersionedCache()

    @property
    def version(self) -> int:
        return self.dataset.version

    def quads(self, s=None, p=None, o=None, g=None) -> list[ox.Quad]:
        with self.dataset.lock:
            return list(self.dataset.store.quads_for_pattern(s, p, o, g))

    def triples(self, s=None, p=None, o=None, g=None) -> list[ox.Triple]:
        seen, out = set(), []
        for quad in self.quads(s, p, o, g):
            triple = quad.triple
            if triple not in seen:
                seen.add(triple)
                out.append(triple)
        return out

    def objects(self, s, p, g=None) -> list:
        return unique(t.object for t in self.triples(s, node(p), None, g))

    def subjects(self, p, o, g=None) -> list:
        return unique(t.subject for t in self.triples(None, node(p), o, g))

    def value(self, s, p, g=None):
        values = self.objects(s, p, g)
        return values[0] if values else None

    def has(self, s, p, o, g=None) -> bool:
        return bool(self.quads(s, node(p), o, g))

    def types(self, s, g=None) -> list[ox.NamedNode]:
        return [t for t in self.objects(s, TYPE, g) if isinstance(t, ox.NamedNode)]

    def instances(self, cls, g=None) -> list:
        return self.subjects(TYPE, node(cls), g)

    def label(self, term) -> str:
        """A readable name: schema:name, else an English/plain rdfs:label, else the IRI's tail."""
        if isinstance(term, ox.Literal):
            return term.value
        if isinstance(term, ox.NamedNode):
            for prop in (NAME, LABEL):
                text = preferred_text(self.objects(term, prop))
                if text:
                    return text
            return local_name(term.value)
        return "(unnamed)"

    def names(self, s) -> list[str]:
        """Every spelling: the name first, then alternative labels."""
        names = [self.label(s)]
        for prop in (NAME, ALT_LABEL, LABEL):
            for value in self.objects(s, prop):
                if isinstance(value, ox.Literal) and value.value not in names:
                    names.append(value.value)
        return names

    def cached(self, key: str, compute):
        """`compute(self)` once per dataset version (whole-graph summaries)."""
        return self.cache.get(key, self.version, lambda: compute(self))


def current_view() -> GraphView:
    engine = current_engine()
    return GraphView(engine.dataset, engine.page_cache)


def unique(items) -> list:
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def preferred_text(literals) -> str | None:
    texts = [l for l in literals if isinstance(l, ox.Literal)]
    for literal in texts:
        if literal.language in (None, "en") or literal.language.startswith("en"):
            return literal.value
    return texts[0].value if texts else None


def local_name(iri: str) -> str:
    for separator in ("#", "/"):
        if separator in iri.rstrip("/"):
            return iri.rstrip("/").rsplit(separator, 1)[1]
    return iri
