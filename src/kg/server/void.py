"""/.well-known/void: a basic VoID description of the dataset (RFC 5785 location)."""

import pyoxigraph as ox
from flask import Blueprint, request, url_for

from kg.namespaces import CPD, DCTERMS, VOID
from kg.server.cors import enable_cors
from kg.server.rdf_response import rdf_response
from kg.server.service_description import RDF_TYPE
from kg.server.state import current_engine

bp = Blueprint("void", __name__)
enable_cors(bp)


@bp.get("/.well-known/void")
def void_description():
    dataset = ox.NamedNode(request.base_url + "#dataset")
    endpoint = ox.NamedNode(url_for("sparql.endpoint", _external=True))
    triples = [
        ox.Triple(dataset, RDF_TYPE, ox.NamedNode(str(VOID.Dataset))),
        ox.Triple(dataset, ox.NamedNode(str(DCTERMS.title)),
                  ox.Literal("Civic protest knowledge graph", language="en")),
        ox.Triple(dataset, ox.NamedNode(str(VOID.triples)),
                  ox.Literal(current_engine().dataset.quad_count())),
        ox.Triple(dataset, ox.NamedNode(str(VOID.sparqlEndpoint)), endpoint),
        ox.Triple(dataset, ox.NamedNode(str(VOID.uriSpace)), ox.Literal(str(CPD))),
    ]
    return rdf_response(triples, request.args.get("format"))
