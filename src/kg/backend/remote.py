"""`kg serve --backend URL`: /sparql answered by an external SPARQL 1.1 store (Virtuoso,
Fuseki, GraphDB, QLever) behind our own limits.

`RemotePool` is a `kg.engine.WorkerPool` whose forked workers forward the query instead of
evaluating it: the server process is unchanged (the same `run_query(job)` / `run_update(job)`
interface, deadlines, killing, memory limit, error mapping), and every check that costs
Python time runs in the killable worker, as with the local engine. In the worker, a query:

1. passes our guard (kg.sparql.guard: no SERVICE, no LOAD, FROM / FROM NAMED only of our
   graphs, nesting limits) and is parsed as standard SPARQL 1.1 (pyoxigraph's parser, on an
   empty store): store-specific syntax (Virtuoso's DEFINE, `bif:` / `sql:` functions, which
   can read files or fetch URLs) never reaches the store; IRIs in such namespaces are refused;
2. has our predeclared prefixes and base written into it, and for a SELECT without LIMIT a
   `LIMIT row_limit+1`, so the store never sends more than the row cap needs;
3. is sent with the dataset our endpoint serves: the protocol's graphs or the query's FROM if
   given (graphs we do not serve become an empty graph), else default graph = the union of
   our graphs and named graphs = our graphs (a store's own system graphs stay invisible);
4. is answered by the store as SPARQL JSON (SELECT, ASK) or N-Triples/Turtle (CONSTRUCT,
   DESCRIBE), which we convert to what the client negotiated (every format of the local
   engine), with the row cap and its truncation marks.

The worker gives up on the store after the query's deadline (`kg serve --timeout`); the pool
kills it at the deadline anyway, answered 503 like a local runaway. The store's 400 is our
400 with its message; other failures are 502 (503 when the store cannot be reached).
Updates are forwarded (to BACKEND_UPDATE_URL, with the backend credentials) only when our
endpoint allows updates (a token or --open-update), after the same guard and parse; the
Graph Store Protocol's writes at /store are not forwarded (501).
"""

from __future__ import annotations

import json
import os
import re
import socket
import urllib.error
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

import pyoxigraph as ox

from kg.backend import http
from kg.backend.http import Credentials
from kg.engine.errors import QuerySyntaxError, Rejected
from kg.engine.jobs import QueryJob, QueryOutcome, UpdateJob
from kg.engine.pool import WorkerPool
from kg.engine.results import serialize_boolean, serialize_graph, serialize_solutions
from kg.engine import Delta
from kg.engine.worker import PARENT_CHECK_SECONDS, reply
from kg.formats import rdf_syntax_of_media_type
from kg.sparql.conneg import choose, for_query_form
from kg.sparql.guard import Refused, inspect_query, inspect_update
from kg.sparql.lexer import decode_codepoint_escapes, tokenize
from kg.sparql.dataset_clauses import with_using_clauses

# Stands for "a graph we do not serve" in the dataset sent to the store: it holds nothing.
EMPTY_GRAPH = "urn:x-kg:empty-graph"
# Namespaces of store-specific functions that reach outside the query (files, URLs, SQL).
FORBIDDEN_NAMESPACES = (
    "http://www.openlinksw.com/schemas/bif#", "http://www.openlinksw.com/schemas/sql#",
    "http://www.openlinksw.com/", "java:", "http://jena.apache.org/ARQ/system#",
)
MAX_ANSWER_BYTES = 512 * 1024 * 1024
SOLUTION_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
GRAPH_SYNTAXES = ("ntriples", "turtle", "rdfxml")  # what GRAPH_ACCEPT asks the store for


class BackendRefused(Rejected):
    """The store refused the request as malformed (its 400): our 400, with its message."""

    status = 400


class BackendFailed(Rejected):
    """The store failed or answered something unusable."""

    status = 502


class BackendUnavailable(Rejected):
    """The store could not be reached."""

    status = 503


class GraphStoreWritesNotForwarded(Rejected):
    status = 501


@dataclass(frozen=True)
class Backend:
    """Where queries (and updates) go, and the dataset they see there."""

    url: str
    update_url: str | None = None
    credentials: Credentials | None = None
    graphs: tuple[str, ...] | None = None  # None: the named graphs of the local dataset
    timeout: float = 30.0

    def __repr__(self) -> str:
        return f"Backend({self.url!r})"


class ForwardedUpdate(Delta):
    """What an update forwarded to the store returns: the store knows what changed, we do not."""

    def __init__(self, backend_url: str):
        super().__init__()
        self.forwarded_to = backend_url


# --- the pool ----------------------------------------------------------------------------

class RemotePool(WorkerPool):
    """A WorkerPool whose workers forward queries to `backend` (see the module docstring)."""

    def __init__(self, dataset, backend: Backend, size: int = 2, deadline: float = 30.0,
                 memory_budget: int | None = None):
        self.backend = backend
        super().__init__(dataset, size, deadline, memory_budget,
                         serve=partial(serve_remote, backend=backend))

    def run_update(self, job, deadline=None, evaluate=None):
        if evaluate is not None:
            raise GraphStoreWritesNotForwarded(
                "this endpoint answers from an external SPARQL store; the Graph Store Protocol's "
                "writes are not forwarded to it (use SPARQL Update, or kg publish)")
        delta = super().run_update(job, deadline,
                                   evaluate=partial(_forward_update, backend=self.backend))
        self.dataset.mark_changed()  # the served data changed: no cached answer survives
        return delta


def _forward_update(store, job, backend: Backend) -> ForwardedUpdate:
    return forward_update(job, store, backend)


def serve_remote(conn, store, backend: Backend, prepare=None) -> None:
    """A worker's loop, as kg.engine.worker.serve_queries, forwarding each query."""
    parent = os.getppid()
    while True:
        if not conn.poll(PARENT_CHECK_SECONDS):
            if os.getppid() != parent:
                return
            continue
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(reply(lambda s, j: forward_query(j, s, backend), store, job))


def backend_from(config) -> Backend | None:
    url = config.get("BACKEND_URL")
    if not url:
        return None
    auth, token = config.get("BACKEND_AUTH"), config.get("BACKEND_TOKEN")
    graphs = config.get("BACKEND_GRAPHS")
    return Backend(url=url, update_url=config.get("BACKEND_UPDATE_URL") or url,
                   credentials=Credentials(auth, token) if (auth or token) else None,
                   graphs=tuple(graphs) if graphs else None,
                   timeout=float(config["QUERY_TIMEOUT"]) + 5.0)


def start_remote_pool(dataset, config) -> RemotePool:
    """The pool of the app's engine when BACKEND_URL is set. The result cache is off unless
    configured (the store's data can change without our dataset version knowing)."""
    config.setdefault("RESULT_CACHE_BYTES", 0)
    return RemotePool(dataset, backend_from(config), config["WORKERS"], config["QUERY_TIMEOUT"],
                      memory_budget=config["WORKER_MEMORY_BYTES"])


# --- in the worker: queries --------------------------------------------------------------

def served_graphs(store, backend: Backend) -> frozenset[str]:
    if backend.graphs is not None:
        return frozenset(backend.graphs)
    return frozenset(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def forward_query(job: QueryJob, store, backend: Backend) -> QueryOutcome:
    names = served_graphs(store, backend)
    shape = inspect_query(job.text, names, job.base_iri, job.prefixes)  # no SERVICE at all
    refuse_store_extensions(job.text)
    form = parsed_form(job)
    media_type, result_format = choose(job.accept, job.format, *for_query_form(form))
    text = with_prologue(job.text, job.base_iri, job.prefixes)
    if form == "SELECT":
        text = with_row_limit(text, job.row_limit)
    params = [("query", text)] + dataset_params(job, shape.has_dataset_clause, names)
    accept = GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else SOLUTION_ACCEPT
    with send(backend.url, params, accept, backend, "query") as response:
        if form in ("CONSTRUCT", "DESCRIBE"):
            triples = read_triples(response)
            body, rows, truncated = serialize_graph(triples, result_format, job.row_limit, job.prefixes,
                                                    job.byte_limit)
            return QueryOutcome(body, rows=rows, truncated=truncated, media_type=media_type)
        answer = read_json(response)
    if form == "ASK":
        if not isinstance(answer.get("boolean"), bool):
            raise BackendFailed("the SPARQL backend's answer to an ASK query has no boolean")
        return QueryOutcome(serialize_boolean(answer["boolean"], result_format), rows=1,
                            media_type=media_type)
    body, rows, truncated = serialize_solutions(Solutions(answer), result_format, job.row_limit,
                                                (), job.byte_limit)
    return QueryOutcome(body, rows=rows, truncated=truncated, media_type=media_type)


def parsed_form(job: QueryJob) -> str:
    """Parse as standard SPARQL 1.1 (evaluating on an empty store: cheap) and tell the form."""
    try:
        result = ox.Store().query(job.text, base_iri=job.base_iri, prefixes=job.prefixes or None)
    except SyntaxError as error:
        raise QuerySyntaxError(str(error)) from None
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        raise Refused(f"the query could not be prepared: {error}") from None
    if isinstance(result, ox.QueryBoolean):
        return "ASK"
    if isinstance(result, ox.QuerySolutions):
        return "SELECT"
    return "CONSTRUCT"  # and DESCRIBE: both answer with triples


def refuse_store_extensions(text: str) -> None:
    for reading in {text, decode_codepoint_escapes(text)}:
        for token in tokenize(reading):
            if token.kind == "iri" and token.iri.startswith(FORBIDDEN_NAMESPACES):
                raise Refused(f"<{token.iri}> names a store-specific extension; this endpoint "
                              "accepts standard SPARQL 1.1 only")


def with_prologue(text: str, base_iri: str | None, prefixes: dict[str, str] | None) -> str:
    """Our base and the predeclared prefixes the text does not declare itself, written in."""
    tokens = tokenize(text)
    declared = {tokens[i + 1].text[:-1] for i, t in enumerate(tokens[:-1])
                if t.is_keyword("PREFIX") and tokens[i + 1].kind == "pname"}
    lines = [f"BASE <{base_iri}>"] if base_iri else []
    lines += [f"PREFIX {p}: <{ns}>" for p, ns in (prefixes or {}).items() if p not in declared]
    return "\n".join(lines + [text])


def with_row_limit(text: str, row_limit: int) -> str:
    """A SELECT with no LIMIT (and no trailing VALUES) at the top gets LIMIT row_limit+1;
    not one with ORDER BY: Virtuoso refuses to sort for a LIMIT above its MaxSortedTopRows
    (10000 by default), and the whole answer is read anyway (MAX_ANSWER_BYTES bounds it)."""
    top = [t for t in tokenize(text) if t.depth == 0]
    if any(t.is_keyword("LIMIT", "VALUES", "ORDER") for t in top):
        return text
    return f"{text}\nLIMIT {int(row_limit) + 1}"


def dataset_params(job: QueryJob, has_dataset_clause: bool, names: frozenset[str]) -> list:
    """The protocol's dataset for the store (see the module docstring, point 3)."""
    if has_dataset_clause:
        return []  # the guard checked that FROM / FROM NAMED name our graphs
    if job.default_graphs is None and job.named_graphs is None:
        default = named = sorted(names)
    else:
        default = [g for g in job.default_graphs or () if g in names]
        named = [g for g in job.named_graphs or () if g in names]
    return ([("default-graph-uri", g) for g in default or [EMPTY_GRAPH]]
            + [("named-graph-uri", g) for g in named or [EMPTY_GRAPH]])


def send(url: str, params: list, accept: str, backend: Backend, what: str):
    body = urlencode(params).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
    try:
        return http.request("POST", url, body, headers, backend.credentials, backend.timeout)
    except urllib.error.HTTPError as error:
        message = http.error_message(error).split(" SPARQL query:")[0]  # not Virtuoso's echo
        if error.code == 400:
            raise BackendRefused(f"the SPARQL backend refused the {what}: {message}") from None
        raise BackendFailed(f"the SPARQL backend answered HTTP {error.code}: {message}") from None
    except (socket.timeout, TimeoutError):
        raise BackendFailed(f"the SPARQL backend did not answer within {backend.timeout:g} s") from None
    except (urllib.error.URLError, OSError) as error:
        raise BackendUnavailable(f"the SPARQL backend cannot be reached "
                                 f"({getattr(error, 'reason', error)}); try later") from None


def read_json(response) -> dict:
    try:
        answer = json.loads(http.read_bounded(response, MAX_ANSWER_BYTES))
    except ValueError as error:
        raise BackendFailed(f"the SPARQL backend's answer is not SPARQL JSON results ({error})") from None
    if not isinstance(answer, dict):
        raise BackendFailed("the SPARQL backend's answer is not SPARQL JSON results")
    return answer


def read_triples(response):
    """The store's triples, parsed as they arrive (the row cap stops reading early)."""
    media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    syntax = rdf_syntax_of_media_type(media_type)
    if syntax is None or syntax.key not in GRAPH_SYNTAXES:
        raise BackendFailed(f"the SPARQL backend answered a graph as {media_type or 'no type'}, "
                            "not N-Triples, Turtle or RDF/XML")

    def triples():
        try:
            for quad in ox.parse(response, format=syntax.ox):
                yield ox.Triple(quad.subject, quad.predicate, quad.object)
        except SyntaxError as error:
            raise BackendFailed(f"the SPARQL backend's graph does not parse: {error}") from None
    return triples()


# --- SPARQL JSON results -> pyoxigraph terms -----------------------------------------------

class Solutions:
    """SPARQL 1.1 JSON results as kg.engine.results.serialize_solutions reads solutions."""

    def __init__(self, answer: dict):
        try:
            self.variables = [ox.Variable(v) for v in answer["head"]["vars"]]
            self._bindings = answer["results"]["bindings"]
        except (KeyError, TypeError, ValueError) as error:
            raise BackendFailed(f"the SPARQL backend's results lack {error}") from None

    def __iter__(self):
        for binding in self._bindings:
            yield _Row({name: term(value) for name, value in binding.items()})


class _Row(dict):
    """A solution: row[variable or name] is its term, or None when unbound."""

    def __getitem__(self, variable):
        return self.get(variable.value if isinstance(variable, ox.Variable) else variable)


_BNODE_LABEL = re.compile(r"[^A-Za-z0-9_\-]")


def term(value: dict):
    """One JSON-encoded RDF term (also Virtuoso's "typed-literal" and "nodeID://" labels)."""
    try:
        kind, text = value["type"], value["value"]
        if kind == "uri":
            return ox.NamedNode(text)
        if kind == "bnode":
            return ox.BlankNode(_BNODE_LABEL.sub("_", text) or "b")
        if kind in ("literal", "typed-literal"):
            language = value.get("xml:lang")
            if language:
                return ox.Literal(text, language=language)
            datatype = value.get("datatype")
            return ox.Literal(text, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(text)
        if kind == "triple":
            return ox.Triple(term(text["subject"]), term(text["predicate"]), term(text["object"]))
    except (KeyError, TypeError, ValueError) as error:
        raise BackendFailed(f"the SPARQL backend sent a malformed term ({error})") from None
    raise BackendFailed(f"the SPARQL backend sent a term of unknown type {kind!r}")


# --- in the worker: updates --------------------------------------------------------------

def forward_update(job: UpdateJob, store, backend: Backend) -> ForwardedUpdate:
    shape = inspect_update(job.text)  # LOAD and SERVICE refused
    refuse_store_extensions(job.text)
    if (job.using_graphs or job.using_named_graphs) and shape.has_using_or_with:
        raise Refused("using-graph-uri / using-named-graph-uri cannot be combined with "
                      "USING or WITH in the update (SPARQL 1.1 Protocol 2.2.3)")
    text = with_using_clauses(job.text, job.using_graphs, job.using_named_graphs)
    try:
        ox.Store().update(text, base_iri=job.base_iri, prefixes=job.prefixes or None)
    except SyntaxError as error:
        raise QuerySyntaxError(str(error)) from None
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        raise Refused(f"the update could not be prepared: {error}") from None
    url = backend.update_url or backend.url
    with send(url, [("update", with_prologue(text, job.base_iri, job.prefixes))],
              "*/*", backend, "update") as response:
        response.read(1024 * 1024)
    return ForwardedUpdate(url)
