"""Comparing RDF read back by rdflib with what we wrote, as graphs: both sides canonicalised
with RDFC-1.0 (pyoxigraph, in Rust), whose canonical forms are equal exactly when the
datasets are isomorphic. rdflib's own `isomorphic` takes seconds on the real data."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Dataset, Graph

from kg.terms import to_ox


def canonical(data: Graph | Dataset, graph_names: bool = True) -> set:
    """The canonical quads of an rdflib graph or dataset (empty graphs left out; without
    `graph_names`, every triple in the default graph: a graph compared as one graph)."""
    if not isinstance(data, Dataset):
        data, graph_names = [(s, p, o, None) for s, p, o in data], False
    else:
        data = data.quads((None, None, None, None))
    quads = []
    for s, p, o, g in data:
        name = getattr(g, "identifier", g)
        graph = to_ox(name) if graph_names and not _is_default(name) else ox.DefaultGraph()
        quads.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph))
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def _is_default(name) -> bool:
    return name is None or str(name).startswith("urn:x-rdflib:")
