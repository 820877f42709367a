"""/sparql: the SPARQL 1.1 Protocol endpoint (queries, updates, service description)."""

from flask import Blueprint, Response, current_app, jsonify, redirect, request

from kg.engine import (PoolBusy, QueryJob, QuerySyntaxError, QueryTimeout, Rejected, UpdateJob,
                       WorkerCrashed)
from kg.writes.commit import ValidationFailed, asserted_counts
from kg.engine.errors import EngineError
from kg.namespaces import PREFIXES
from kg.server.cache import cached
from kg.sparql.conneg import prefers_html
from kg.server.auth import authorize_write
from kg.server.cors import enable_cors
from kg.server.errors import ApiError
from kg.sparql.guard import MAX_NESTING_DEPTH
from kg.sparql.nesting import refuse_deep_nesting
from kg.sparql.protocol import Operation, explain_syntax_error, read_operation
from kg.server.rdf_response import rdf_response, with_charset
from kg.server.scheduler import Turned
from kg.sparql.service_description import service_description
from kg.server.security import public_url
from kg.server.state import current_engine

bp = Blueprint("sparql", __name__)
enable_cors(bp)

# Default prefixes: queries may use cpo:, cpd:, schema: ... without declaring them.
QUERY_PREFIXES = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}


@bp.route("/sparql", methods=["GET", "POST"], strict_slashes=False)
@bp.route("/sparql/", methods=["GET", "POST"], endpoint="endpoint_slash")
def endpoint():
    config = current_app.config
    operation = read_operation(request, config["MAX_REQUEST_BYTES"])
    if operation.kind:  # before any parser or worker: a cheap linear count (kg.sparql.nesting)
        refuse_deep_nesting(operation.text, MAX_NESTING_DEPTH, f"the {operation.kind}")
    if operation.kind == "query":
        return answer_query(operation)
    if operation.kind == "update":
        return answer_update(operation)
    return describe_service(operation)


def endpoint_iri() -> str:
    return public_url("/sparql")


# --- queries -------------------------------------------------------------------------

def answer_query(operation: Operation) -> Response:
    """Hand the query to a worker, which checks it (kg.sparql.prepare) and evaluates it.
    Under kg.server.front, through its fair scheduler (kg.server.scheduler)."""
    engine, config = current_engine(), current_app.config
    job = query_job(operation, endpoint_iri(), request.headers.get("Accept"), config)
    scheduler = current_app.extensions.get("kg_scheduler")
    if scheduler is None:
        run = engine.pool.run_query
    else:
        client = request.remote_addr or "unknown"
        run = lambda j: scheduler.run_blocking(client, j)  # noqa: E731
    outcome = cached(engine, job, lambda j: run_in_engine(run, j))
    response = Response(bytes(outcome.body), content_type=with_charset(outcome.media_type))
    response.vary.add("Accept")
    response.headers.extend(truncation_headers(outcome, config))
    return response


def query_job(operation: Operation, endpoint: str, accept: str | None, config) -> QueryJob:
    return QueryJob(
        text=operation.text, base_iri=endpoint,
        default_graphs=operation.default_graphs, named_graphs=operation.named_graphs,
        row_limit=config["ROW_LIMIT"], byte_limit=config["RESULT_MAX_BYTES"],
        prefixes=QUERY_PREFIXES, accept=accept, format=operation.format,
        services=tuple(config["FEDERATION_ALLOWLIST"]), service_timeout=config["FEDERATION_TIMEOUT"])


def truncation_headers(outcome, config) -> list[tuple[str, str]]:
    """What tells a client that a cap cut its result: the row cap, or the byte cap."""
    if not outcome.truncated:
        return []
    if outcome.truncated == "bytes":
        return [("X-KG-Truncated", "bytes"), ("X-KG-Byte-Limit", str(config["RESULT_MAX_BYTES"]))]
    return [("X-KG-Truncated", "true"), ("X-KG-Row-Limit", str(config["ROW_LIMIT"]))]


def run_in_engine(run, job):
    """Run a job in the pool, turning engine errors into canonical HTTP errors."""
    try:
        return run(job)
    except ValidationFailed as error:  # the write would break a shape: nothing changed
        raise ApiError(422, str(error), graph=error.graph, violations=error.violations) from None
    except Rejected as error:
        raise ApiError(error.status, str(error), error.headers) from None
    except QuerySyntaxError as error:
        detail = explain_syntax_error(getattr(job, "text", "") or "", str(error), QUERY_PREFIXES)
        raise ApiError(400, f"syntax error: {detail}", line=error.line, column=error.column) from None
    except QueryTimeout as error:
        raise ApiError(503, f"{error}; simplify it (LIMIT, narrower patterns) or try later",
                       {"Retry-After": "1"}) from None
    except PoolBusy as error:
        raise ApiError(503, str(error), {"Retry-After": "1"}) from None
    except Turned as turned:  # the fair scheduler's answer (kg.server.scheduler)
        raise ApiError(turned.status, turned.detail,
                       {"Retry-After": str(turned.retry_after)}) from None
    except WorkerCrashed:  # a runaway (memory limit, parser crash): stopped, like a timeout
        raise ApiError(503, "the request's worker ran out of its memory or crashed and was "
                            "stopped; the server keeps serving; simplify the request or try later",
                       {"Retry-After": "1"}) from None
    except EngineError as error:
        raise ApiError(400, f"the request could not be evaluated: {error}") from None


# --- updates -------------------------------------------------------------------------

def answer_update(operation: Operation) -> Response:
    agent = authorize_update()
    engine = current_engine()
    job = UpdateJob(operation.text, base_iri=endpoint_iri(), prefixes=QUERY_PREFIXES,
                    using_graphs=operation.using_graphs,
                    using_named_graphs=operation.using_named_graphs, agent=agent)
    delta = run_in_engine(engine.pool.run_update, job)
    if getattr(delta, "forwarded_to", None):  # kg.backend.remote: the store knows the counts
        return jsonify(forwarded_to=delta.forwarded_to, dataset_version=engine.dataset.version)
    removed, added = asserted_counts(delta)  # not counting inference and the change log
    return jsonify(removed=removed, added=added, dataset_version=engine.dataset.version)


def authorize_update() -> str:
    """Read-only unless a bearer token matches UPDATE_TOKEN, or OPEN_UPDATE is set; the
    token's name (kg.server.auth), which the change log records."""
    return authorize_write()


# --- service description -------------------------------------------------------------

def describe_service(operation: Operation) -> Response:
    if prefers_html(request.headers.get("Accept")) and "ui" in current_app.blueprints:
        return redirect("/", code=303)
    config = current_app.config
    updates = bool(config["OPEN_UPDATE"] or config["UPDATE_TOKEN"])
    triples = service_description(endpoint_iri(), current_engine().dataset, updates)
    return rdf_response(triples, operation.format)
