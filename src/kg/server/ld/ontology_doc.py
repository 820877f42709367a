"""The ontology at its namespace path /ontology: HTML documentation generated from the served
ontology graph for browsers, Turtle (or JSON-LD, N-Triples) for machines; and /context.jsonld."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Response, render_template, request

from kg.namespaces import CPO, DCTERMS, OWL, RDF, RDFS, SKOS
from kg.server.errors import ApiError
from kg.server.ld.blueprint import bp
from kg.server.ld.formats import (ACCEPTED, HTML, RDF_FORMS, SUFFIXES, TURTLE, jsonld_context,
                                  rdf_response)
from kg.sparql.conneg import negotiate
from kg.server.ld.readable import Link, link_to
from kg.server.ld.view import ONTOLOGY, GraphView, current_view, node, preferred_text

# A namespace document answers machines first: Turtle wins a tie with HTML (*/*).
MACHINE_FIRST = [TURTLE, HTML, "application/xhtml+xml", *(m for m in RDF_FORMS if m != TURTLE),
                 *(m for m in ACCEPTED if m not in RDF_FORMS and ACCEPTED[m] != HTML)]
ALIGNMENTS = (OWL.equivalentClass, OWL.equivalentProperty, SKOS.exactMatch, SKOS.closeMatch,
              SKOS.broadMatch, SKOS.narrowMatch, RDFS.seeAlso)


@dataclass
class Term:
    anchor: str
    iri: str
    label: str
    definition: str
    parents: list[Link] = field(default_factory=list)     # in our ontology
    alignments: list[Link] = field(default_factory=list)  # outside it
    children: list[Link] = field(default_factory=list)
    facts: list = field(default_factory=list)             # [(label, [Link or text])]


def ontology_view_terms(view: GraphView, kinds) -> list[Term]:
    subjects = {s for kind in kinds for s in view.subjects(RDF.type, node(kind), ONTOLOGY)}
    terms = [term(view, s) for s in subjects
             if isinstance(s, ox.NamedNode) and s.value.startswith(str(CPO))]
    return sorted(terms, key=lambda t: t.anchor.casefold())


def term(view: GraphView, subject: ox.NamedNode) -> Term:
    objects = lambda p: view.objects(subject, p, ONTOLOGY)
    definition = preferred_text(objects(SKOS.definition) + objects(RDFS.comment)) or ""
    upward = [o for p in (RDFS.subClassOf, RDFS.subPropertyOf) for o in objects(p)
              if isinstance(o, ox.NamedNode)]
    ours = lambda t: t.value.startswith(str(CPO))
    item = Term(anchor=subject.value[len(str(CPO)):], iri=subject.value,
                label=preferred_text(objects(RDFS.label)) or subject.value, definition=definition,
                parents=[link_to(view, o) for o in upward if ours(o)],
                alignments=[link_to(view, o) for o in upward if not ours(o)]
                + [link_to(view, o) for p in ALIGNMENTS for o in objects(p) if isinstance(o, ox.NamedNode)],
                children=[link_to(view, s) for p in (RDFS.subClassOf, RDFS.subPropertyOf)
                          for s in view.subjects(p, subject, ONTOLOGY) if isinstance(s, ox.NamedNode)])
    for label, prop in (("domain", RDFS.domain), ("range", RDFS.range), ("inverse of", OWL.inverseOf)):
        values = [link_to(view, o) for o in objects(prop) if isinstance(o, ox.NamedNode)]
        if values:
            item.facts.append((label, values))
    characteristics = [view.label(t).replace("Property", "") for t in view.types(subject, ONTOLOGY)
                       if t.value.startswith(str(OWL)) and t.value.endswith(("TransitiveProperty", "SymmetricProperty", "FunctionalProperty"))]
    if characteristics:
        item.facts.append(("characteristics", [Link(c, "", False) for c in characteristics]))
    return item


def header(view: GraphView) -> dict:
    ontology = ox.NamedNode(str(CPO)[:-1])
    text = lambda p: preferred_text(view.objects(ontology, p, ONTOLOGY)) or ""
    return {"iri": ontology.value, "title": text(DCTERMS.title) or "Ontology",
            "description": text(DCTERMS.description), "version": text(OWL.versionInfo),
            "license": view.value(ontology, DCTERMS.license, ONTOLOGY)}


def documentation(view: GraphView) -> str:
    return render_template(
        "ld/ontology.html", header=header(view),
        classes=ontology_view_terms(view, [OWL.Class]),
        properties=ontology_view_terms(view, [OWL.ObjectProperty, OWL.DatatypeProperty]),
        individuals=ontology_view_terms(view, [OWL.NamedIndividual, CPO.Currency, CPO.Kinship]))


def chosen_form(suffix: str | None) -> str:
    if suffix:
        return SUFFIXES[suffix]
    chosen = negotiate(request.headers.get("Accept"), MACHINE_FIRST)
    if chosen is None:
        raise ApiError(406, "the ontology comes as text/turtle, text/html, "
                            "application/ld+json, application/n-triples and application/rdf+xml")
    return ACCEPTED[chosen]


@bp.get("/ontology")
@bp.get("/ontology<any('.ttl', '.html', '.jsonld', '.nt', '.rdf'):suffix>")
def ontology(suffix: str | None = None):
    view = current_view()
    form = chosen_form(suffix)
    if form == HTML:
        response = Response(view.cached("ontology-html", lambda v: documentation(v)),
                            content_type="text/html; charset=utf-8")
    else:
        response = rdf_response(view, view.triples(None, None, None, ONTOLOGY), form)
    if not suffix:
        response.vary.add("Accept")
    return response


@bp.get("/context.jsonld")
def context():
    body = json.dumps({"@context": jsonld_context(current_view())}, ensure_ascii=False, indent=2)
    return Response(body, content_type="application/ld+json; charset=utf-8")
