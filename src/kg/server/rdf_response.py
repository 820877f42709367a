"""Serving an RDF document (service description, VoID) by content negotiation."""

from flask import Response, request

from kg.engine.results import serialize_triples
from kg.namespaces import PREFIXES
from kg.sparql.conneg import NotAcceptable, choose_rdf
from kg.server.errors import ApiError

DOCUMENT_PREFIXES = {**{p: str(ns) for p, ns in PREFIXES.items()},
                     "sd": "http://www.w3.org/ns/sparql-service-description#",
                     "formats": "http://www.w3.org/ns/formats/"}


def rdf_response(triples, format_param: str | None = None) -> Response:
    try:
        media_type, fmt = choose_rdf(request.headers.get("Accept"), format_param)
    except NotAcceptable as error:
        raise ApiError(406, str(error)) from None
    body = serialize_triples(triples, fmt, DOCUMENT_PREFIXES)
    response = Response(body, content_type=with_charset(media_type))
    response.vary.add("Accept")
    return response


def with_charset(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml"))
    return f"{media_type}; charset=utf-8" if textual else media_type
