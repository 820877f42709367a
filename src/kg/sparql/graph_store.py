"""Graph Store Protocol writes, evaluated in the update's one-shot fork like SPARQL updates.

The uploaded documents are checked and parsed here (kg.sparql.uploads), in the killable fork
under the deadline, in full before anything changes: a document that fails anywhere leaves
nothing behind. Blank nodes are renamed (fresh per upload).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.engine import Delta
from kg.engine.delta import apply_to
from kg.engine.errors import Rejected
from kg.terms import to_rdflib
from kg.sparql.uploads import MAX_UPLOAD_BYTES, UploadRefused, parse_upload, syntax_of


class GraphNotFound(Rejected):
    """DELETE of a graph the store does not have (404)."""

    status = 404


@dataclass(frozen=True)
class GraphWrite:
    """PUT (replace), POST (merge) or DELETE of one graph.

    `graph`: the graph IRI, or None for the default graph. `parts`: (media type, bytes,
    name) of each uploaded document (several for multipart/form-data). `agent`: who.
    """

    method: str
    graph: str | None
    parts: tuple = ()
    base_iri: str | None = None
    agent: str | None = None
    max_bytes: int = MAX_UPLOAD_BYTES


def parse_parts(write: GraphWrite, target) -> set:
    """Every uploaded triple, as quads in `target`; all parts parsed before any is used."""
    quads = set()
    for media_type, body, name in write.parts:
        where = f" (part {name!r})" if name else ""
        if syntax_of(media_type).holds_graphs:
            raise Rejected(f"{media_type} holds a dataset; the Graph Store Protocol writes one "
                           "graph: send Turtle, N-Triples, JSON-LD or RDF/XML")
        try:
            triples = parse_upload(body, media_type, write.base_iri, write.max_bytes)
        except UploadRefused as error:
            raise UploadRefused(str(error) + where, status=error.status) from None
        quads.update(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)
    return quads


def evaluate_graph_write(store: ox.Store, write: GraphWrite) -> Delta:
    """Apply the write to this (forked, private) store and return what it changed. A POST
    looks up only its own quads; PUT and DELETE replace the graph, so they read it whole."""
    target = ox.NamedNode(write.graph) if write.graph is not None else ox.DefaultGraph()
    new = parse_parts(write, target)
    existed = write.graph is None or target in set(store.named_graphs())
    delta = Delta()
    if write.method == "PUT":
        old = set(store.quads_for_pattern(None, None, None, target))
        if not same_graph(old, new):
            delta.removed, delta.added = list(old - new), list(new - old)
        if not existed:
            delta.graphs_created.append(target)
    elif write.method == "POST":
        delta.added = [quad for quad in new if quad not in store]
        if not existed:
            delta.graphs_created.append(target)
    elif write.method == "DELETE":
        if not existed:
            raise GraphNotFound(f"no graph <{write.graph}> in the store")
        delta.removed = list(store.quads_for_pattern(None, None, None, target))
        if write.graph is not None and existed:
            delta.graphs_dropped.append(target)
    else:
        raise Rejected(f"no graph write by {write.method}")
    apply_to(store, delta)
    return delta


def same_graph(old: set, new: set) -> bool:
    """True if `new` holds what `old` holds, blank nodes aside: a client that GETs a graph and
    PUTs it back unchanged gets fresh blank nodes from the parser, and changes nothing."""
    if len(old) != len(new):
        return False
    if old == new:
        return True
    ground = lambda quads: {q for q in quads if not has_blank(q)}
    if ground(old) != ground(new):
        return False
    # every triple with a blank node, on both sides: a parser may keep some labels and not others
    return isomorphic(to_rdflib_graph(old - ground(old)), to_rdflib_graph(new - ground(new)))


def has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def to_rdflib_graph(quads) -> Graph:
    graph = Graph()
    for quad in quads:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph
