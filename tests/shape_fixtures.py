"""What the tests of SHACL-as-SPARQL share: the shape examples, the graph they are validated
with (ontology + shapes/examples/common.ttl), and a pyoxigraph store made from an rdflib graph."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from kg.pipeline.load import parse_file
from kg.paths import ONTOLOGY_DIR, SHAPES_DIR, ontology_files, turtle_files

EXAMPLES = sorted((SHAPES_DIR / "examples").glob("*Shape-*valid.ttl"))


def example_base() -> Graph:
    """The ontology and the examples' shared fixtures."""
    graph = Graph()
    for path in ontology_files(ONTOLOGY_DIR):
        graph += parse_file(path)
    common = SHAPES_DIR / "examples" / "common.ttl"
    if common.exists():
        graph += parse_file(common)
    return graph


def to_store(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store
