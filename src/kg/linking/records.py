"""Links and their provenance as RDF.

Each link is one `skos:exactMatch` triple, plus a record of it: a reified statement
(`rdf:Statement` with `rdf:subject`, `rdf:predicate`, `rdf:object`) in its linkset
(`void:inDataset`), derived from (`prov:wasDerivedFrom`) the reference table or the reconciler,
with `cpo:matchMethod` and either `cpo:referenceLabel` + `cpo:sourceAgreement` (reference row)
or `cpo:matchScore` (reconciler). Plain RDF 1.1, so any SPARQL endpoint can query it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from kg.linking.vocabulary import (
    LINK, LINKSET, MATCH_METHOD, MATCH_SCORE, REFERENCE_LABEL, SOURCE_AGREEMENT, link_record_iri, linkset_iri,
)
from kg.namespaces import VOID, bind_prefixes


@dataclass(frozen=True)
class Link:
    subject: URIRef
    target: str                  # "wikidata" or "geonames"
    object: URIRef
    method: str                  # human-readable: how the link was established
    derived_from: URIRef         # the reference table, or the reconciler
    record_kind: str             # "reference" or "reconciler": part of the record's IRI
    reference_label: str | None = None
    source_agreement: int | None = None
    score: float | None = None


def links_graph(links, description: dict | None = None) -> Graph:
    """The links and their records, with a description of where they come from."""
    graph = bind_prefixes(Graph())
    graph.bind("link", LINK)
    graph.bind("linkset", LINKSET)
    for link in links:
        add_link(graph, link)
    if description:
        add_description(graph, **description)
    return graph


def add_link(graph: Graph, link: Link) -> URIRef:
    graph.add((link.subject, SKOS.exactMatch, link.object))
    record = link_record_iri(link.subject, link.target, link.record_kind)
    graph.add((record, RDF.type, RDF.Statement))
    graph.add((record, RDF.subject, link.subject))
    graph.add((record, RDF.predicate, SKOS.exactMatch))
    graph.add((record, RDF.object, link.object))
    graph.add((record, VOID.inDataset, linkset_iri(link.target)))
    graph.add((record, PROV.wasDerivedFrom, link.derived_from))
    graph.add((record, MATCH_METHOD, Literal(link.method)))
    if link.reference_label is not None:
        graph.add((record, REFERENCE_LABEL, Literal(link.reference_label)))
    if link.source_agreement is not None:
        graph.add((record, SOURCE_AGREEMENT, Literal(link.source_agreement, datatype=XSD.integer)))
    if link.score is not None:
        graph.add((record, MATCH_SCORE, Literal(Decimal(f"{link.score:.1f}"), datatype=XSD.decimal)))
    return record


def add_description(graph: Graph, iri: URIRef, title: str, description: str, source: str | None = None) -> None:
    graph.add((iri, RDF.type, PROV.Entity))
    graph.add((iri, DCTERMS.title, Literal(title)))
    graph.add((iri, DCTERMS.description, Literal(description)))
    if source:
        graph.add((iri, DCTERMS.source, Literal(source)))
