"""/.well-known/void (RFC 5785): VoID and DCAT description of the served dataset — size,
entities, class and property partitions, endpoint, dumps, example resources, linksets —
Turtle by default, JSON-LD or N-Triples by content negotiation (or ?format=)."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
from flask import Blueprint, current_app, redirect, render_template, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.namespaces import CPO, DCAT, DCTERMS, SCHEMA, VOID, bind_prefixes
from kg.server.ld.describe import rdflib_term, to_rdflib
from kg.server.ld.dumps import DUMPS, dump_path
from kg.server.ld.readable import link_to, prefixed
from kg.server.ld.view import DATA, TYPE, GraphView, current_view
from kg.server.rdf_response import rdf_response
from kg.sparql.conneg import prefers_html
from kg.server.security import public_base, public_url
from kg.terms import to_ox

bp = Blueprint("void", __name__)

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
EXAMPLE_CLASSES = (CPO.Person, CPO.Conviction, CPO.Rally, CPO.Place)


def base_iri() -> str:
    return current_app.config.get("BASE_IRI") or "https://w3id.org/civic-protest/"


def dataset_iri() -> URIRef:
    """The dataset described here: a fragment of this document."""
    return URIRef(public_url("/.well-known/void#dataset"))


def linking_dataset_iri() -> URIRef:
    """What kg.linking calls our dataset; its statements are moved onto ours."""
    return URIRef(base_iri() + "id/dataset")


def statistics(view: GraphView) -> dict:
    """Triples per property, subjects per class, entities: one pass over every quad."""
    properties, classes, entities = Counter(), {}, set()
    space = base_iri() + "id/"
    for quad in view.quads():
        properties[quad.predicate] += 1
        if quad.predicate == TYPE:
            classes.setdefault(quad.object, set()).add(quad.subject)
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(space):
            entities.add(quad.subject)
    return {"triples": sum(properties.values()), "properties": properties,
            "classes": {c: len(s) for c, s in classes.items()}, "entities": len(entities)}


def void_graph(view: GraphView, host: str) -> Graph:
    stats = view.cached("void-statistics", statistics)
    graph = bind_prefixes(Graph())
    dataset = dataset_iri()
    add = lambda p, o: graph.add((dataset, p, o))
    add(RDF.type, VOID.Dataset)
    add(RDF.type, DCAT.Dataset)
    add(DCTERMS.title, Literal("Civic protest knowledge graph", lang="en"))
    add(DCTERMS.description, Literal(
        "Documented civic protest and its aftermath (rallies, arrests, detentions, trials, "
        "sentences, statements, claims and denials), each fact linked to the passage of the "
        "source document it comes from.", lang="en"))
    add(DCTERMS.license, LICENSE)
    add(VOID.triples, Literal(stats["triples"]))
    add(VOID.entities, Literal(stats["entities"]))
    add(VOID.classes, Literal(len(stats["classes"])))
    add(VOID.properties, Literal(len(stats["properties"])))
    add(VOID.sparqlEndpoint, URIRef(host + "sparql"))
    add(VOID.uriSpace, Literal(base_iri() + "id/"))
    add(VOID.vocabulary, URIRef(str(CPO)))
    add(VOID.vocabulary, URIRef(str(SCHEMA)))
    add(VOID.rootResource, URIRef(host + "browse"))
    add(DCAT.landingPage, URIRef(host + "browse"))
    for example in example_resources(view):
        add(VOID.exampleResource, URIRef(example.value))
    describe_dumps(graph, dataset, host)
    describe_tables(graph, dataset, host)
    describe_partitions(graph, dataset, stats)
    add_linksets(graph, dataset, view)
    return graph


def example_resources(view: GraphView) -> list:
    space = base_iri() + "id/"
    found = []
    for cls in EXAMPLE_CLASSES:
        members = sorted((s for s in view.instances(cls, DATA)
                          if isinstance(s, ox.NamedNode) and s.value.startswith(space)),
                         key=lambda s: s.value)
        found.extend(members[:1])
    return found


def describe_dumps(graph: Graph, dataset, host: str) -> None:
    for dump in DUMPS:
        url = URIRef(host + dump_path(dump).lstrip("/"))
        graph.add((dataset, VOID.dataDump, url))
        distribution = URIRef(str(url) + "#distribution")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.downloadURL, url))
        graph.add((distribution, DCAT.mediaType,
                   URIRef("https://www.iana.org/assignments/media-types/" + dump.media_type)))
        graph.add((distribution, DCTERMS.title, Literal(dump.title, lang="en")))
        if dump.gzipped:
            graph.add((distribution, DCAT.compressFormat,
                       URIRef("https://www.iana.org/assignments/media-types/application/gzip")))


def describe_tables(graph: Graph, dataset, host: str) -> None:
    """The tables at /tables/ (kg.server.tables) as DCAT distributions."""
    from kg.server.tables import distributions

    for table in distributions():
        url = URIRef(host + table["path"].lstrip("/"))
        distribution = URIRef(str(url) + "#distribution")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.downloadURL, url))
        graph.add((distribution, DCAT.mediaType,
                   URIRef("https://www.iana.org/assignments/media-types/" + table["media_type"])))
        graph.add((distribution, DCTERMS.title, Literal(table["title"], lang="en")))
        graph.add((distribution, DCTERMS.license, LICENSE))
        if "conforms_to" in table:
            graph.add((distribution, DCTERMS.conformsTo, URIRef(table["conforms_to"])))


def describe_partitions(graph: Graph, dataset, stats: dict) -> None:
    for cls, count in sorted(stats["classes"].items(), key=lambda kv: str(kv[0])):
        part = BNode()
        graph.add((dataset, VOID.classPartition, part))
        graph.add((part, VOID["class"], rdflib_term(cls)))
        graph.add((part, VOID.entities, Literal(count)))
    for prop, count in sorted(stats["properties"].items(), key=lambda kv: str(kv[0])):
        part = BNode()
        graph.add((dataset, VOID.propertyPartition, part))
        graph.add((part, VOID.property, rdflib_term(prop)))
        graph.add((part, VOID.triples, Literal(count)))


def add_linksets(graph: Graph, dataset, view: GraphView) -> None:
    """Linksets to Wikidata, GeoNames ... described by kg.linking when it is there."""
    try:
        from kg.linking.linksets import linkset_descriptions
    except ImportError:
        return
    data = view.cached("void-data-graph", lambda v: to_rdflib(v.triples(None, None, None, DATA)))
    described = linkset_descriptions(data)
    ours = lambda term: dataset if term == linking_dataset_iri() else term
    for s, p, o in (described.triples((None, None, None)) if isinstance(described, Graph) else described):
        graph.add((ours(s), p, ours(o)))
    for linkset in set(graph.subjects(RDF.type, VOID.Linkset)):
        graph.add((dataset, VOID.subset, linkset))


def ordered_triples(graph: Graph, first) -> list[ox.Triple]:
    """Triples for pyoxigraph's writer, which keeps their order: `first`'s come first, so a
    reader looking for "the" void:Dataset meets ours before the linked datasets."""
    ordered = sorted(graph, key=lambda t: t[0] != first)
    return [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in ordered]


@bp.get("/.well-known/void")
def void_description():
    if prefers_html(request.headers.get("Accept")) and not request.args.get("format"):
        return redirect("/dataset", code=303)  # the same description, for people
    graph = void_graph(current_view(), public_base())
    return rdf_response(ordered_triples(graph, dataset_iri()), request.args.get("format"))


@bp.get("/dataset")
def dataset_page():
    """The same description for people: size, partitions, dumps, links."""
    view = current_view()
    stats = view.cached("void-statistics", statistics)
    label = view.label
    return render_template(
        "ld/dataset.html", stats=stats, dumps=DUMPS, path=dump_path,
        entity_space=base_iri() + "id/", endpoint=public_url("/sparql"),
        classes=partition_rows(view, stats["classes"]),
        properties=partition_rows(view, stats["properties"]))


def partition_rows(view: GraphView, counts: dict) -> list:
    """(link, prefixed name, count), largest first: the prefixed name tells apart the classes
    that share a label (cpo:Event, sem:Event, schema:Event)."""
    rows = [(link_to(view, term), prefixed(term.value), n) for term, n in counts.items()
            if isinstance(term, ox.NamedNode)]
    return sorted(rows, key=lambda row: (-row[2], row[1]))
