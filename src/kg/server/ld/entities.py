"""Cool URIs: /id/<kind>/<slug> answers 303 See Other to /doc/<kind>/<slug>, which serves
HTML, Turtle, JSON-LD, N-Triples or RDF/XML by content negotiation or by suffix."""

import pyoxigraph as ox
from flask import Response, abort, redirect, render_template, request

from kg.server.errors import ApiError
from kg.server.ld.blueprint import bp
from kg.server.ld.describe import description
from kg.server.ld.facts import entity_page
from kg.server.ld.formats import HTML, SUFFIX_OF, negotiated_form, rdf_response, split_suffix
from kg.server.ld.iris import entity_iri
from kg.server.ld.retired import answer_if_retired
from kg.server.ld.view import GraphView, current_view


@bp.get("/id/<kind>/<path:slug>")
def thing(kind: str, slug: str):
    view = current_view()
    entity = known_entity(view, kind, slug)
    form = acceptable_form(request.headers.get("Accept"))
    suffix = "" if form == HTML else SUFFIX_OF[form]
    response = redirect(f"/doc/{kind}/{slug}{suffix}", code=303)
    response.vary.add("Accept")
    return response


@bp.get("/doc/<kind>/<path:name>")
def document(kind: str, name: str):
    slug, form = split_suffix(name)
    view = current_view()
    entity = known_entity(view, kind, slug)
    negotiated = form is None
    if negotiated:
        form = acceptable_form(request.headers.get("Accept"))
    response = (html_document(view, entity) if form == HTML
                else rdf_response(view, description(view, entity), form, vary=negotiated))
    if negotiated:
        response.headers["Content-Location"] = f"/doc/{kind}/{slug}{SUFFIX_OF[form]}"
        response.vary.add("Accept")
    return response


def html_document(view: GraphView, entity: ox.NamedNode) -> Response:
    page = entity_page(view, entity)
    return Response(render_template("ld/entity.html", page=page),
                    content_type="text/html; charset=utf-8")


def known_entity(view: GraphView, kind: str, slug: str) -> ox.NamedNode:
    try:
        entity = ox.NamedNode(entity_iri(kind, slug))
    except ValueError:
        abort(404, description="not an IRI of this dataset")
    answer_if_retired(view, entity)  # merged: 301 to the entity; withdrawn: 410 with the reason
    if not (view.quads(entity) or view.quads(None, None, entity)):
        abort(404, description=f"nothing is known about {entity.value}")
    return entity


def acceptable_form(accept: str | None) -> str:
    form = negotiated_form(accept)
    if form is None:
        raise ApiError(406, f"none of the accepted media types ({accept}) is available; "
                            "documents come as text/html, text/turtle, application/ld+json, "
                            "application/n-triples and application/rdf+xml")
    return form
