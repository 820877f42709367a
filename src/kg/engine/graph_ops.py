"""Graph Store Protocol writes, evaluated in the update's one-shot fork like SPARQL updates.

The uploaded documents are parsed here, in the killable fork under the deadline, in full
before anything changes: a document that fails to parse anywhere leaves nothing behind.
Parsing is pyoxigraph's: JSON-LD remote contexts are refused (no document loader is set),
RDF/XML external entities are not fetched; blank nodes are renamed (fresh per upload).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.engine.errors import Rejected
from kg.engine.store import Delta, apply_to

# Media type -> pyoxigraph format of an uploaded graph.
UPLOAD_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
    "text/xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/n3": ox.RdfFormat.N3,
}
QUAD_FORMATS = {ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS}


class UploadSyntaxError(Rejected):
    """An uploaded document is not valid RDF in its declared syntax (400)."""


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


def parse_parts(write: GraphWrite, target) -> set:
    """Every uploaded triple, as quads in `target`; all parts parsed before any is used."""
    quads = set()
    for media_type, body, name in write.parts:
        fmt = UPLOAD_FORMATS.get(media_type)
        if fmt is None:
            raise Rejected(f"unsupported media type {media_type!r}"
                           + (f" for part {name!r}" if name else ""))
        if fmt in QUAD_FORMATS:
            raise Rejected(f"{media_type} holds a dataset; the Graph Store Protocol writes one "
                           "graph: send Turtle, N-Triples, JSON-LD or RDF/XML")
        try:
            for triple in ox.parse(body, format=fmt, base_iri=write.base_iri,
                                   rename_blank_nodes=True):
                quads.add(ox.Quad(triple.subject, triple.predicate, triple.object, target))
        except SyntaxError as error:
            where = f" in part {name!r}" if name else ""
            raise UploadSyntaxError(f"the {media_type} document{where} is not valid: {error}") \
                from None
        except (ValueError, OSError) as error:
            raise UploadSyntaxError(f"the {media_type} document could not be read: {error}") \
                from None
    return quads


def evaluate_graph_write(store: ox.Store, write: GraphWrite) -> Delta:
    """Apply the write to this (forked, private) store and return what it changed."""
    target = ox.NamedNode(write.graph) if write.graph is not None else ox.DefaultGraph()
    new = parse_parts(write, target)
    existed = write.graph is None or target in set(store.named_graphs())
    old = set(store.quads_for_pattern(None, None, None, target))
    delta = Delta()
    if write.method == "PUT":
        delta.removed, delta.added = list(old - new), list(new - old)
        if not existed:
            delta.graphs_created.append(target)
    elif write.method == "POST":
        delta.added = list(new - old)
        if not existed:
            delta.graphs_created.append(target)
    elif write.method == "DELETE":
        if not existed:
            raise GraphNotFound(f"no graph <{write.graph}> in the store")
        delta.removed = list(old)
        if write.graph is not None and existed:
            delta.graphs_dropped.append(target)
    else:
        raise Rejected(f"no graph write by {write.method}")
    apply_to(store, delta)
    return delta
