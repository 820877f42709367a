"""Exporting the built graph in the common RDF formats. TriG and N-Quads keep the named graphs."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Dataset, Graph

from kg.build import ensure_built
from kg.jsonld_context import build_context, compact
from kg.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, bind_prefixes

# Our format name -> (rdflib serializer, media type, file suffix).
EXPORT_FORMATS = {
    "turtle": ("turtle", "text/turtle", ".ttl"),
    "json-ld": ("json-ld", "application/ld+json", ".jsonld"),
    "nt": ("nt", "application/n-triples", ".nt"),
    "nquads": ("nquads", "application/n-quads", ".nq"),
    "trig": ("trig", "application/trig", ".trig"),
    "xml": ("xml", "application/rdf+xml", ".rdf"),
}
QUAD_FORMATS = {"nquads", "trig"}


def load_built_dataset(path: Path | None = None, inferred: bool = False) -> Dataset:
    """The built dataset as an rdflib Dataset, without the inferred graph unless asked."""
    dataset = bind_prefixes(Dataset())
    dataset.parse(str(path or ensure_built()), format="nquads")
    if not inferred:
        dataset.remove_graph(dataset.graph(INFERRED_GRAPH))
    return dataset


def union_graph(dataset: Dataset) -> Graph:
    union = bind_prefixes(Graph())
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def serialize(dataset: Dataset, fmt: str) -> bytes:
    """The dataset in format `fmt` (one of EXPORT_FORMATS); triple formats get the union."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    if fmt in QUAD_FORMATS:
        return dataset.serialize(format=EXPORT_FORMATS[fmt][0], encoding="utf-8")
    graph = union_graph(dataset)
    if fmt == "json-ld":
        return to_compact_jsonld(graph, context_source(dataset)).encode("utf-8")
    return graph.serialize(format=EXPORT_FORMATS[fmt][0], encoding="utf-8")


def context_source(dataset: Dataset) -> Graph:
    """The ontology graph the JSON-LD @context is generated from."""
    return dataset.graph(ONTOLOGY_GRAPH)


def to_compact_jsonld(graph: Graph, ontology: Graph) -> str:
    """JSON-LD compacted with our readable @context, inline so that readers fetch nothing.

    rdflib's own compaction drops blank-node objects, so compaction is left to PyLD, a
    complete JSON-LD processor; with an inline context it makes no network request.
    """
    expanded = json.loads(graph.serialize(format="json-ld"))
    context = build_context(ontology)["@context"]
    compacted = compact(expanded, context)
    return json.dumps(compacted, ensure_ascii=False, indent=2)


def export(fmt: str, inferred: bool = False, output: Path | None = None) -> bytes:
    data = serialize(load_built_dataset(inferred=inferred), fmt)
    if output is not None:
        Path(output).write_bytes(data)
    return data
