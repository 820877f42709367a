"""/store: the SPARQL 1.1 Graph Store HTTP Protocol.

Graphs are named directly (`/store/<path>`: the graph IRI is the request URL) or indirectly
(`/store?graph=IRI`, `/store?default`). GET and HEAD are public; PUT (replace), POST (merge;
to `/store` itself: a new graph, answered 201 with its IRI in Location) and DELETE need the
update token, as SPARQL updates do. Uploads: Turtle, N-Triples, JSON-LD (remote contexts
refused), RDF/XML (no external entities), N3, or multipart/form-data of those.

Writes run like SPARQL updates: parsed in full, applied, inferred and validated with SHACL in
the update's fork (kg.sparql.graph_store, kg.writes.commit), then applied to the store through
the write-ahead log, wholly or not at all; a violation is answered 422 with the report.
"""

import uuid
from urllib.parse import quote
from pathlib import PurePosixPath

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, request

from kg.engine.results import serialize_triples
from kg.formats import rdf_syntax_of_path
from kg.namespaces import CHANGES_GRAPH, INFERRED_GRAPH, PREFIXES
from kg.server.auth import authorize_write
from kg.server.cors import enable_cors
from kg.server.errors import ApiError
from kg.server.rdf_response import with_charset
from kg.server.sparql import run_in_engine
from kg.server.security import public_url
from kg.server.state import current_engine
from kg.sparql.conneg import NotAcceptable, choose_rdf
from kg.sparql.graph_store import GraphWrite, evaluate_graph_write

bp = Blueprint("graph_store", __name__)
enable_cors(bp)

DOCUMENT_PREFIXES = {p: str(ns) for p, ns in PREFIXES.items()}
MANAGED_GRAPHS = {str(INFERRED_GRAPH): "the inferred graph is derived by the server (OWL-RL)",
                  str(CHANGES_GRAPH): "the change log is written by the server only"}
METHODS = ["GET", "PUT", "POST", "DELETE"]  # HEAD comes with GET
# RFC 3986 pchar and "/", as they may stand in a path unencoded
PATH_CHARACTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/")


@bp.route("/store", methods=METHODS, strict_slashes=False)
def indirect():
    args = request.args
    if "graph" in args and "default" in args:
        raise ApiError(400, "name one graph: ?graph=IRI or ?default, not both")
    if "graph" in args:
        iri = args["graph"].strip()
        if not iri:
            raise ApiError(400, "?graph= needs a graph IRI")
        return handle(checked_iri(iri))
    if "default" in args:
        return handle(None)
    if request.method == "POST":
        iri = public_url(f"/store/{uuid.uuid4().hex}")
        response = write(iri, "POST", created_by_server=True)
        response.headers["Location"] = iri
        return response
    raise ApiError(400, "name a graph: /store/<path>, /store?graph=IRI or /store?default "
                        "(POST to /store creates a new graph)")


@bp.route("/store/<path:rest>", methods=METHODS)
def direct(rest):
    if "graph" in request.args or "default" in request.args:
        raise ApiError(400, "a graph named by its URL takes no ?graph= or ?default")
    return handle(checked_iri(public_url(encoded_path(request.path))))


def encoded_path(path: str) -> str:
    """The request path as an IRI path: what an IRI may not hold percent-encoded again."""
    return "".join(c if ord(c) > 127 or c in PATH_CHARACTERS else quote(c) for c in path)


def checked_iri(iri: str) -> str:
    try:
        return ox.NamedNode(iri).value
    except ValueError as error:
        raise ApiError(400, f"not an absolute IRI: {iri!r} ({error})") from None


def handle(graph: str | None):
    if request.method in ("GET", "HEAD"):
        return read(graph)
    return write(graph, request.method)


# --- reads ---------------------------------------------------------------------------

def read(graph: str | None) -> Response:
    try:
        media_type, fmt = choose_rdf(request.headers.get("Accept"), request.args.get("format"))
    except NotAcceptable as error:
        raise ApiError(406, str(error)) from None
    dataset = current_engine().dataset
    target = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
    with dataset.lock:
        if graph is not None and graph not in dataset.graph_names():
            raise ApiError(404, f"no graph <{graph}> in the store")
        triples = [ox.Triple(q.subject, q.predicate, q.object)
                   for q in dataset.store.quads_for_pattern(None, None, None, target)]
        version = dataset.version
    body = serialize_triples(triples, fmt, DOCUMENT_PREFIXES)
    response = Response(body, content_type=with_charset(media_type))
    response.vary.add("Accept")
    response.headers["X-KG-Dataset-Version"] = str(version)
    return response


# --- writes --------------------------------------------------------------------------

def write(graph: str | None, method: str, created_by_server: bool = False) -> Response:
    agent = authorize_write()
    if graph in MANAGED_GRAPHS:
        raise ApiError(403, f"<{graph}> cannot be written: {MANAGED_GRAPHS[graph]}")
    parts = () if method == "DELETE" else uploaded_parts()
    engine = current_engine()
    job = GraphWrite(method, graph, parts, base_iri=graph or public_url("/store"), agent=agent,
                     max_bytes=current_app.config["MAX_REQUEST_BYTES"])
    delta = run_in_engine(lambda j: engine.pool.run_update(j, evaluate=evaluate_graph_write), job)
    target = ox.NamedNode(graph) if graph is not None else None
    created = created_by_server or (target is not None and target in delta.graphs_created)
    body = jsonify(removed=sum(q.graph_name == target for q in delta.removed) if target else
                   sum(isinstance(q.graph_name, ox.DefaultGraph) for q in delta.removed),
                   added=sum(q.graph_name == target for q in delta.added) if target else
                   sum(isinstance(q.graph_name, ox.DefaultGraph) for q in delta.added),
                   dataset_version=engine.dataset.version)
    body.status_code = 201 if created else 200
    return body


def uploaded_parts() -> tuple:
    """(media type, bytes, name) of each uploaded document."""
    media_type = request.mimetype
    if media_type == "multipart/form-data":
        parts = []
        for name, upload in request.files.items(multi=True):
            parts.append((part_type(upload.mimetype, upload.filename, name), upload.read(),
                          upload.filename or name))
        for name, value in request.form.items(multi=True):  # parts sent without a filename
            parts.append((part_type(None, None, name), value.encode(), name))
        if not parts:
            raise ApiError(400, "the multipart/form-data request holds no document")
        return tuple(parts)
    if not media_type:
        raise ApiError(415, "a graph upload needs a Content-Type (text/turtle, "
                            "application/n-triples, application/ld+json, application/rdf+xml)")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8", "us-ascii", "ascii"):
        raise ApiError(415, f"uploads must be UTF-8, not {charset}")
    return ((media_type, request.get_data(cache=False), None),)


def part_type(mimetype: str | None, filename: str | None, name: str) -> str:
    if mimetype and mimetype not in ("application/octet-stream", "text/plain"):
        return mimetype
    for candidate in (filename, name):
        if candidate:
            try:
                return rdf_syntax_of_path(PurePosixPath(candidate)).media_type
            except ValueError:
                continue
    return mimetype or "text/turtle"
