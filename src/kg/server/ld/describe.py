"""The RDF document about one entity: its own triples (asserted and inferred) with the
blank-node structures hanging from it (selectors, sentence components, amounts), plus the
names of every IRI it mentions."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from kg.namespaces import bind_prefixes
from kg.terms import to_rdflib as rdflib_term
from kg.server.ld.view import LABEL, NAME, GraphView



def description(view: GraphView, entity: ox.NamedNode) -> list[ox.Triple]:
    triples = own_triples(view, entity)
    mentioned = {t.object for t in triples if isinstance(t.object, ox.NamedNode)} - {entity}
    for neighbour in sorted(mentioned, key=lambda n: n.value):
        for prop in (LABEL, NAME):
            triples.extend(t for t in view.triples(neighbour, prop) if t not in triples)
    return triples


def own_triples(view: GraphView, entity) -> list[ox.Triple]:
    """The entity's triples and, recursively, those of the blank nodes they lead to."""
    out, todo, seen = [], [entity], set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for triple in view.triples(subject):
            out.append(triple)
            if isinstance(triple.object, ox.BlankNode):
                todo.append(triple.object)
    return out


def to_rdflib(triples) -> Graph:
    graph = bind_prefixes(Graph())
    for t in triples:
        graph.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
    return graph


