"""VoID descriptions of the linksets: one void:Linkset per target (Wikidata, GeoNames).

`linkset_descriptions(graph)` is what /.well-known/void serves; keep its name and signature.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, XSD

from kg.linking.vocabulary import OUR_DATASET, TARGETS, linkset_iri, target_of
from kg.namespaces import CPD, VOID, bind_prefixes


def linkset_descriptions(graph: Graph) -> Graph:
    """One void:Linkset per target, with void:target, void:linkPredicate, void:triples (distinct
    skos:exactMatch triples from our entities into the target's URI space), void:subjectsTarget
    (our dataset) and void:objectsTarget (the target dataset)."""
    counts = count_links(graph)
    description = bind_prefixes(Graph())
    description.bind("linkset", str(linkset_iri("")))
    _describe_our_dataset(description)
    for target in TARGETS:
        _describe_linkset(description, target, counts.get(target, 0))
    return description


def count_links(graph: Graph) -> dict[str, int]:
    """Distinct skos:exactMatch links from our entities, per target."""
    counts: dict[str, int] = {}
    for subject, _, obj in set(graph.triples((None, SKOS.exactMatch, None))):
        target = target_of(obj) if str(subject).startswith(str(CPD)) else None
        if target:
            counts[target] = counts.get(target, 0) + 1
    return counts


def target_dataset(target: str) -> URIRef:
    return URIRef(TARGETS[target]["homepage"])


def _describe_our_dataset(description: Graph) -> None:
    description.add((OUR_DATASET, RDF.type, VOID.Dataset))
    description.add((OUR_DATASET, DCTERMS.title, Literal("Civic protest knowledge graph", lang="en")))
    description.add((OUR_DATASET, VOID.uriSpace, Literal(str(CPD))))


def _describe_linkset(description: Graph, target: str, triples: int) -> None:
    linkset, other = linkset_iri(target), target_dataset(target)
    info = TARGETS[target]
    description.add((linkset, RDF.type, VOID.Linkset))
    description.add((linkset, DCTERMS.title, Literal(f"Links to {info['title']}", lang="en")))
    description.add((linkset, DCTERMS.description, Literal(
        f"skos:exactMatch links from our entities to {info['title']}. Each link has a record "
        "(a reified rdf:Statement with void:inDataset this linkset) giving its origin and method.",
        lang="en")))
    description.add((linkset, VOID.linkPredicate, SKOS.exactMatch))
    description.add((linkset, VOID.subjectsTarget, OUR_DATASET))
    description.add((linkset, VOID.objectsTarget, other))
    description.add((linkset, VOID.target, OUR_DATASET))
    description.add((linkset, VOID.target, other))
    description.add((linkset, VOID.triples, Literal(triples, datatype=XSD.integer)))
    description.add((OUR_DATASET, VOID.subset, linkset))
    description.add((other, RDF.type, VOID.Dataset))
    description.add((other, DCTERMS.title, Literal(info["title"])))
    description.add((other, FOAF.homepage, other))
    description.add((other, VOID.uriSpace, Literal(info["uri_space"])))
