"""The forms a document comes in (HTML and four RDF syntaxes), chosen by Accept or suffix,
and serializing triples in each; JSON-LD is compacted with our @context, inline."""

from __future__ import annotations

import json

from flask import Response
from rdflib import Graph

from kg.engine.results import serialize_triples
from kg.formats import RDF_BY_KEY
from kg.dataset.jsonld_context import build_context, compact
from kg.sparql.conneg import negotiate
from kg.server.ld.describe import to_rdflib
from kg.server.ld.view import ONTOLOGY, GraphView
from kg.server.rdf_response import DOCUMENT_PREFIXES, with_charset

HTML = "text/html"
# The RDF syntaxes a page also comes in (kg.formats), by canonical media type.
RDF_SYNTAXES = tuple(RDF_BY_KEY[key] for key in ("turtle", "jsonld", "ntriples", "rdfxml"))
TURTLE, JSONLD, NTRIPLES, RDFXML = (s.media_type for s in RDF_SYNTAXES)
RDF_FORMS = tuple(s.media_type for s in RDF_SYNTAXES)
SUFFIXES = {".html": HTML, **{s.suffixes[0]: s.media_type for s in RDF_SYNTAXES}}
SUFFIX_OF = {media: suffix for suffix, media in SUFFIXES.items()}
# What a client may ask for -> the form we answer with (aliases included).
ACCEPTED = {HTML: HTML, "application/xhtml+xml": HTML,
            **{m: s.media_type for s in RDF_SYNTAXES for m in s.media_types}}


def negotiated_form(accept: str | None, html: bool = True) -> str | None:
    """The form the client prefers (HTML first for */*), or None if nothing fits."""
    offers = [m for m, form in ACCEPTED.items() if html or form != HTML]
    chosen = negotiate(accept, offers)
    return ACCEPTED[chosen] if chosen else None


def split_suffix(name: str) -> tuple[str, str | None]:
    """('slug', media type) for 'slug.ttl'; ('slug', None) without a known suffix."""
    for suffix, media in SUFFIXES.items():
        if name.endswith(suffix):
            return name[: -len(suffix)], media
    return name, None


def rdf_body(view: GraphView, triples: list, media: str) -> bytes:
    if media == TURTLE:
        return serialize_triples(triples, "turtle", DOCUMENT_PREFIXES)
    if media == NTRIPLES:
        return serialize_triples(triples, "ntriples")
    if media == RDFXML:
        return serialize_triples(triples, "rdfxml", DOCUMENT_PREFIXES)
    return compact_jsonld(view, to_rdflib(triples)).encode("utf-8")


def compact_jsonld(view: GraphView, graph: Graph) -> str:
    expanded = json.loads(graph.serialize(format="json-ld"))
    context = used_terms(jsonld_context(view), {str(p) for p in graph.predicates()})
    compacted = compact(expanded, context)
    return json.dumps(compacted, ensure_ascii=False, indent=2)


def used_terms(context: dict, predicates: set[str]) -> dict:
    """Our @context cut to the prefixes and the terms of `predicates` (much faster to apply)."""
    def keep(value) -> bool:
        if isinstance(value, str):
            return value.endswith(("/", "#")) or value in predicates
        return not isinstance(value, dict) or value.get("@id") in predicates
    return {key: value for key, value in context.items() if key.startswith("@") or keep(value)}


def jsonld_context(view: GraphView) -> dict:
    """Our @context, generated from the served ontology graph (cached per version)."""
    return view.cached("jsonld-context", lambda v: build_context(ontology_graph(v))["@context"])


def ontology_graph(view: GraphView) -> Graph:
    return to_rdflib(view.triples(None, None, None, ONTOLOGY))


def rdf_response(view: GraphView, triples: list, media: str, vary: bool = True) -> Response:
    response = Response(rdf_body(view, triples, media), content_type=with_charset(media))
    if vary:
        response.vary.add("Accept")
    return response
