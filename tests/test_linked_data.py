"""Linked Data on a live server (on loopback, the session's real build): every entity
IRI answers 303 to its document, whose HTML answers 200 and whose Turtle, JSON-LD and
N-Triples parse and hold the entity's asserted triples; the VoID parses and counts every
triple; content negotiation picks the right form."""

import gzip
import http.client
import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import BNode, URIRef

from server_fixtures import live_server

ID_SPACE = "https://w3id.org/civic-protest/id/"
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
RDF_FORMS = {".ttl": "turtle", ".jsonld": "json-ld", ".nt": "nt"}


@pytest.fixture(scope="module")
def site(built):
    with live_server(dataset_path=str(built.output)) as base:
        yield base


def fetch(base: str, path: str, accept: str | None = None) -> tuple[int, dict, bytes]:
    """One GET without following redirects: (status, headers, body)."""
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept": accept} if accept else {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# pyoxigraph's store keeps numbers in canonical form (xsd:nonNegativeInteger as xsd:integer,
# "50.0"^^xsd:decimal as "50"): the same values, so numbers are compared by value.
XSD = rdflib.namespace.XSD
INTEGER_TYPES = {XSD.nonNegativeInteger, XSD.positiveInteger, XSD.nonPositiveInteger,
                 XSD.negativeInteger, XSD.long, XSD.int, XSD.short, XSD.byte, XSD.unsignedLong,
                 XSD.unsignedInt, XSD.unsignedShort, XSD.unsignedByte}


def as_stored(term):
    if isinstance(term, rdflib.Literal) and term.datatype in INTEGER_TYPES | {XSD.integer, XSD.decimal}:
        return ("number", XSD.decimal if term.datatype == XSD.decimal else XSD.integer,
                term.toPython())
    return term


def entities(data: rdflib.Graph) -> list[URIRef]:
    return sorted({s for s in data.subjects() if isinstance(s, URIRef) and str(s).startswith(ID_SPACE)})


def asserted_triples(data: rdflib.Graph, entity: URIRef) -> set:
    """The entity's data-graph triples whose object is not a blank node (those are compared
    by their own triples below, blank-node labels being local to each document)."""
    return {(s, p, as_stored(o)) for s, p, o in data.triples((entity, None, None))
            if not isinstance(o, BNode)}


def blank_structure(graph: rdflib.Graph, entity: URIRef) -> set:
    """(predicate, and the predicate/object pairs of the blank node) for each blank object."""
    return {(p, frozenset((pp, as_stored(oo)) for _, pp, oo in graph.triples((o, None, None))
                          if not isinstance(oo, BNode)))
            for _, p, o in graph.triples((entity, None, None)) if isinstance(o, BNode)}


def check_entity(site: str, data: rdflib.Graph, entity: URIRef) -> list[str]:
    """Everything wrong with one entity's documents (empty when all is well)."""
    problems = []
    kind_slug = str(entity)[len(ID_SPACE):]
    status, headers, _ = fetch(site, f"/id/{kind_slug}", "text/html")
    if status != 303 or headers.get("location", "").split(site)[-1] != f"/doc/{kind_slug}":
        problems.append(f"{entity}: /id answered {status} -> {headers.get('location')}")
    status, headers, body = fetch(site, f"/doc/{kind_slug}")
    if status != 200 or not headers["content-type"].startswith("text/html"):
        problems.append(f"{entity}: HTML answered {status}")
    expected = asserted_triples(data, entity)
    for suffix, syntax in RDF_FORMS.items():
        status, _, body = fetch(site, f"/doc/{kind_slug}{suffix}")
        if status != 200:
            problems.append(f"{entity}{suffix}: {status}")
            continue
        document = rdflib.Graph().parse(data=body, format=syntax)
        missing = expected - {(s, p, as_stored(o)) for s, p, o in document}
        if missing:
            problems.append(f"{entity}{suffix}: missing {sorted(missing)[:3]}")
        found = blank_structure(document, entity)
        for prop, pairs in blank_structure(data, entity):
            if not any(prop == p and pairs <= other for p, other in found):
                problems.append(f"{entity}{suffix}: its {prop} part is missing or incomplete")
    return problems


def test_every_entity_is_dereferenceable_in_every_form(site, built):
    data = built.graphs.data
    walked = entities(data)
    assert len(walked) > 100
    with ThreadPoolExecutor(max_workers=4) as pool:
        problems = [p for found in pool.map(lambda e: check_entity(site, data, e), walked)
                    for p in found]
    assert not problems, "\n".join(problems[:20])


def test_rdf_documents_name_the_neighbours(site):
    _, _, body = fetch(site, "/doc/event/2021-10-09-ardabil-conviction.ttl")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    court = URIRef(ID_SPACE + "organisation/ardabil-city-court")
    assert graph.value(court, URIRef("https://schema.org/name")) is not None


def test_jsonld_uses_our_context(site):
    _, _, body = fetch(site, "/doc/person/yaseman-zafari.jsonld")
    document = json.loads(body)
    assert "@context" in document and document["@context"].get("altLabel")
    assert "Yasemen Zafari" in body.decode()


def test_void_counts_every_triple_of_the_dataset(site, built):
    status, headers, body = fetch(site, "/.well-known/void")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    void = rdflib.Graph().parse(data=body, format="turtle")
    dataset = next(void.subjects(VOID.sparqlEndpoint, None))
    assert (dataset, rdflib.RDF.type, VOID.Dataset) in void
    store = ox.Store()
    store.load(path=str(built.output), format=ox.RdfFormat.N_QUADS)
    assert void.value(dataset, VOID.triples).toPython() == len(store)
    assert void.value(dataset, VOID.entities).toPython() >= len(entities(built.graphs.data))
    assert str(void.value(dataset, VOID.sparqlEndpoint)).endswith("/sparql")
    assert str(void.value(dataset, VOID.uriSpace)) == ID_SPACE
    assert len(list(void.objects(dataset, VOID.classPartition))) > 10
    assert len(list(void.objects(dataset, VOID.propertyPartition))) > 10
    assert list(void.objects(dataset, VOID.exampleResource))
    dumps = sorted(str(d) for d in void.objects(dataset, VOID.dataDump))
    assert len(dumps) == 8


def test_a_dump_listed_in_the_void_downloads_and_parses(site):
    status, _, body = fetch(site, "/dumps/civic-protest.nt.gz")
    assert status == 200
    assert len(rdflib.Graph().parse(data=gzip.decompress(body), format="nt")) > 1000


def test_context_and_ontology(site):
    status, headers, body = fetch(site, "/context.jsonld")
    assert status == 200 and "@context" in json.loads(body)
    status, headers, body = fetch(site, "/ontology", "text/html,application/xhtml+xml,*/*;q=0.8")
    assert headers["content-type"].startswith("text/html") and b'id="Person"' in body
    status, headers, body = fetch(site, "/ontology", "text/turtle")
    assert headers["content-type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=body, format="turtle")) > 500


@pytest.mark.parametrize("accept, location_suffix, content_type", [
    (None, "", "text/html"),
    ("*/*", "", "text/html"),
    ("text/html", "", "text/html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "", "text/html"),
    ("text/turtle", ".ttl", "text/turtle"),
    ("application/x-turtle", ".ttl", "text/turtle"),
    ("application/ld+json", ".jsonld", "application/ld+json"),
    ("application/json", ".jsonld", "application/ld+json"),
    ("application/n-triples", ".nt", "application/n-triples"),
    ("text/plain", ".nt", "application/n-triples"),
    ("text/turtle;q=0.5, application/ld+json", ".jsonld", "application/ld+json"),
])
def test_conneg(site, accept, location_suffix, content_type):
    path = "/id/person/yaseman-zafari"
    status, headers, _ = fetch(site, path, accept)
    assert status == 303 and headers["location"].endswith("/doc/person/yaseman-zafari" + location_suffix)
    assert "accept" in headers.get("vary", "").lower()
    status, headers, _ = fetch(site, "/doc/person/yaseman-zafari", accept)
    assert status == 200 and headers["content-type"].startswith(content_type)


def test_unacceptable_and_unknown(site):
    assert fetch(site, "/id/person/yaseman-zafari", "image/png")[0] == 406
    assert fetch(site, "/id/person/nobody-of-that-name")[0] == 404
    assert fetch(site, "/doc/person/nobody-of-that-name.ttl")[0] == 404
