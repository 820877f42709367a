"""Converting RDF terms between pyoxigraph (the engine) and rdflib (inference, SHACL, pages).

Literals keep their exact lexical form both ways (no normalisation), so a round trip through
either library never changes what the curators wrote."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

XSD_STRING = str(XSD.string)


def to_rdflib(term):
    """The rdflib term for a pyoxigraph NamedNode, BlankNode or Literal."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == XSD_STRING else URIRef(datatype),
                   normalize=False)


def to_ox(term, cache: dict | None = None):
    """The pyoxigraph term for an rdflib URIRef, BNode or Literal. With `cache`, IRIs and blank
    nodes (which repeat across millions of triples) are made once each."""
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=to_ox(term.datatype, cache))
        return ox.Literal(str(term))
    if cache is not None:
        known = cache.get(term)
        if known is None:
            known = cache[term] = _ox_resource(term)
        return known
    return _ox_resource(term)


def _ox_resource(term):
    return ox.BlankNode(str(term)) if isinstance(term, BNode) else ox.NamedNode(str(term))
