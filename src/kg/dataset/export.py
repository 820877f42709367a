"""Exporting the built graph in the common RDF formats. TriG and N-Quads keep the named graphs.

The syntaxes are written by pyoxigraph's serialisers, which keep every literal's lexical form
as the store holds it (rdflib's Turtle writer, for one, rewrites "100"^^xsd:decimal as 100.0);
JSON-LD is then compacted by PyLD with our readable @context, inline, so readers fetch nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph

from kg.dataset.jsonld_context import build_context, compact
from kg.engine.store import load_store
from kg.formats import rdf_syntax_named
from kg.namespaces import INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES, bind_prefixes
from kg.pipeline.build import ensure_built
from kg.pipeline.infer import graph_of

# The names `kg export --format` takes (kg.formats names each syntax).
EXPORT_FORMATS = ("turtle", "json-ld", "nt", "nquads", "trig", "xml")
# For Wikidata editors: QuickStatements v1 commands and a Mix'n'match catalog (CSV).
WIKIDATA_EXPORTS = ("quickstatements", "mixnmatch")
EXPORT_PREFIXES = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
ONTOLOGY = ox.NamedNode(str(ONTOLOGY_GRAPH))


def wikidata_export(store: ox.Store, fmt: str, kinds=None) -> bytes:
    from kg.dataset.mixnmatch import mixnmatch_csv
    from kg.dataset.quickstatements import quickstatements

    if fmt == "quickstatements":
        return quickstatements(store, kinds).encode("utf-8")
    return mixnmatch_csv(store).encode("utf-8")


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


def serialize(store: ox.Store, fmt: str, inferred: bool = True) -> bytes:
    """The store's graphs in format `fmt` (one of EXPORT_FORMATS), the inferred graph only if
    `inferred`; triple syntaxes get the union of the graphs."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    syntax = rdf_syntax_named(fmt)
    quads = [q for q in store if inferred or q.graph_name != INFERRED]
    prefixes = {"prefixes": EXPORT_PREFIXES} if syntax.key in ("turtle", "trig", "rdfxml") else {}
    if syntax.holds_graphs:
        return ox.serialize(quads, format=syntax.ox, **prefixes)
    triples = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    if syntax.key == "jsonld":
        return to_compact_jsonld(triples, graph_of(store, (ONTOLOGY,))).encode("utf-8")
    return ox.serialize(triples, format=syntax.ox, **prefixes)


def to_compact_jsonld(triples, ontology: Graph) -> str:
    """JSON-LD compacted with our readable @context (generated from `ontology`), inline."""
    document = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    compacted = compact(document, build_context(ontology)["@context"])
    return json.dumps(compacted, ensure_ascii=False, indent=2)


def export(fmt: str, inferred: bool = False, output: Path | None = None, kinds=None) -> bytes:
    """`kg export`: an RDF syntax of EXPORT_FORMATS, or one of WIKIDATA_EXPORTS."""
    store = load_store(ensure_built())
    if fmt in WIKIDATA_EXPORTS:
        data = wikidata_export(store, fmt, kinds)
    else:
        data = serialize(store, fmt, inferred)
    if output is not None:
        Path(output).write_bytes(data)
    return data
