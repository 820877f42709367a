"""Retired IRIs keep answering: an entity IRI once published is never a 404.

The registry of retired IRIs (data/registry/retired.ttl: cpo:retirementReason, owl:deprecated true and,
for a merge, dcterms:isReplacedBy) decides the answer: an IRI merged into another entity is
moved permanently (301) to that entity's IRI, with the record in the body; a withdrawn IRI is
gone (410) with the reason. HTML for browsers, the record in RDF by content negotiation.
"""

from __future__ import annotations

from html import escape

import pyoxigraph as ox
from flask import Response, abort, request

from kg.namespaces import CPO
from kg.server.ld.describe import own_triples
from kg.server.ld.formats import HTML, negotiated_form, rdf_response
from kg.server.ld.iris import entity_parts
from kg.server.ld.view import DATA, GraphView

RETIREMENT_REASON = ox.NamedNode(f"{CPO}retirementReason")
IS_REPLACED_BY = ox.NamedNode("http://purl.org/dc/terms/isReplacedBy")
MAX_HOPS = 10   # the shape forbids chains; a guard against a registry edited by hand


def retirement(view: GraphView, entity: ox.NamedNode) -> tuple[str, ox.NamedNode | None] | None:
    """(reason, the live entity it was merged into, or None) for a retired IRI, else None."""
    reason = view.value(entity, RETIREMENT_REASON, DATA)
    if reason is None:
        return None
    replacement, hops = view.value(entity, IS_REPLACED_BY, DATA), 0
    while isinstance(replacement, ox.NamedNode) and hops < MAX_HOPS:
        onward = view.value(replacement, IS_REPLACED_BY, DATA)
        if onward is None:
            break
        replacement, hops = onward, hops + 1
    return reason.value, replacement if isinstance(replacement, ox.NamedNode) else None


def answer_if_retired(view: GraphView, entity: ox.NamedNode) -> None:
    """Abort with 301 (merged) or 410 (withdrawn) if `entity` is a retired IRI."""
    record = retirement(view, entity)
    if record is None:
        return
    reason, replacement = record
    status = 301 if replacement is not None and entity_parts(replacement.value) else 410
    form = negotiated_form(request.headers.get("Accept")) or HTML
    if form == HTML:
        response = Response(retired_page(entity, reason, replacement), status=status,
                            content_type="text/html; charset=utf-8")
    else:
        response = rdf_response(view, own_triples(view, entity), form)
        response.status_code = status
    if status == 301:
        kind, slug = entity_parts(replacement.value)
        response.headers["Location"] = f"/id/{kind}/{slug}"
        response.headers["Link"] = f'<{replacement.value}>; rel="http://purl.org/dc/terms/isReplacedBy"'
    response.vary.add("Accept")
    abort(response)


def retired_page(entity: ox.NamedNode, reason: str, replacement: ox.NamedNode | None) -> str:
    what = (f'merged into <a href="/id/{"/".join(entity_parts(replacement.value))}">{escape(replacement.value)}</a>'
            if replacement is not None and entity_parts(replacement.value) else "withdrawn")
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Retired: "
            f"{escape(entity.value)}</title></head><body><main><h1>{escape(entity.value)}</h1>"
            f"<p>This IRI no longer names an entity of the dataset: it was {what}.</p>"
            f"<p>Reason: {escape(reason)}</p></main></body></html>")
