"""What happens to a job in the worker before evaluation: safety checks, content
negotiation and the protocol dataset. Runs in the forked worker (the pool's prepare
hooks), so its cost falls under the deadline and never on the server process.
"""

from dataclasses import replace

import pyoxigraph as ox

from kg.engine import worker
from kg.engine.evaluate import BNODE_FUNCTION, bnode_for, dataset_options
from kg.engine.jobs import QueryJob, UpdateJob
from kg.sparql import federation
from kg.sparql.conformance import rewrite_query
from kg.sparql.conneg import choose, for_query_form
from kg.sparql.guard import (Refused, graph_iri, inspect_query, inspect_update, resolve,
                             screen)
from kg.sparql.lexer import decode_codepoint_escapes, tokenize
from kg.sparql.dataset_clauses import with_using_clauses
from kg.sparql.update_plan import plan_update


def graph_names(store: ox.Store) -> frozenset[str]:
    return _graphs_of(store)[0]


_GRAPHS: dict = {}  # id(store) -> (names, any blank node graph), in a query worker only


def _graphs_of(store) -> tuple[frozenset[str], bool]:
    """The IRIs of the store's named graphs, and whether some graph is a blank node. A query
    worker's snapshot never changes (kg.engine.worker.SNAPSHOT_FIXED): read once per worker."""
    cached = _GRAPHS.get(id(store)) if worker.SNAPSHOT_FIXED else None
    if cached is None or cached[0] is not store:
        graphs = list(store.named_graphs())
        cached = (store, frozenset(g.value for g in graphs if isinstance(g, ox.NamedNode)),
                  any(not isinstance(g, ox.NamedNode) for g in graphs))
        if worker.SNAPSHOT_FIXED:
            _GRAPHS[id(store)] = cached
    return cached[1], cached[2]


def prepare_query(job: QueryJob, store: ox.Store) -> QueryJob:
    """Refuse unsafe queries; choose the result format for the query's form; run the
    SERVICE clauses to endpoints on the allow-list (`job.services`, from the operator's
    FEDERATION_ALLOWLIST) with kg.sparql.federation; rewrite what pyoxigraph would answer
    against the spec (kg.sparql.conformance).

    Federation runs here, in the worker: the query's deadline bounds the remote calls too,
    and the guard has refused any SERVICE off the list before a connection is made.

    Most queries need none of that: the guard's first look (`screen`) tells their form
    without tokenizing, and they go to evaluation as they are."""
    form = screen(job.text)
    if form is not None:
        media_type, result_format = choose(job.accept, job.format, *for_query_form(form))
        return replace(job, media_type=media_type, result_format=result_format,
                       prefixes=prefixes_written_in(job.text, job.prefixes))
    names = graph_names(store)
    services = frozenset(job.services)
    shape = inspect_query(job.text, names, job.base_iri, job.prefixes, services)
    media_type, result_format = choose(job.accept, job.format, *for_query_form(shape.form))
    text = job.text
    if shape.has_service:
        text = federation.federate(text, services, timeout=job.service_timeout,
                                   prefixes=job.prefixes,
                                   local=local_evaluator(job, store, names, shape))
        inspect_query(text, names, job.base_iri, job.prefixes)  # no SERVICE left for pyoxigraph
    rewritten = rewrite_query(text, active_named_graphs(job, store, names, shape))
    # A FROM / FROM NAMED in the query replaces the union default graph.
    return replace(job, text=rewritten.text, media_type=media_type, result_format=result_format,
                   prefixes=prefixes_written_in(rewritten.text, job.prefixes),
                   union_default_graph=job.union_default_graph and not shape.has_dataset_clause,
                   hidden_variables=rewritten.hidden_variables,
                   bnode_function=rewritten.uses_bnode_function)


def prefixes_written_in(text: str, prefixes: dict[str, str] | None) -> dict[str, str]:
    """The default prefixes that `text` may use: those whose `name:` occurs in it anywhere
    (a superset of its prefixed names). pyoxigraph reads every prefix it is given on every
    query, so the unused ones are left out (about 0.05 ms of 36)."""
    if not prefixes:
        return {}
    decoded = decode_codepoint_escapes(text) if "\\" in text else text
    return {name: iri for name, iri in prefixes.items()
            if f"{name}:" in text or f"{name}:" in decoded}


def local_evaluator(job: QueryJob, store: ox.Store, names: frozenset[str], shape):
    """For the bind join: evaluates the part of the query a SERVICE is joined with on this
    store, with the query's dataset and rewrites, after the guard (no SERVICE, no LOAD)."""
    graphs = active_named_graphs(job, store, names, shape)
    options = dataset_options(replace(
        job, union_default_graph=job.union_default_graph and not shape.has_dataset_clause))

    def evaluate(query: str):
        inspect_query(query, names, job.base_iri, job.prefixes)
        rewritten = rewrite_query(query, graphs)
        extra = {"custom_functions": {ox.NamedNode(BNODE_FUNCTION): bnode_for}} \
            if rewritten.uses_bnode_function else {}
        return store.query(rewritten.text, base_iri=job.base_iri, prefixes=job.prefixes or None,
                           **options, **extra)
    return evaluate


def active_named_graphs(job: QueryJob, store: ox.Store, names: frozenset[str], shape):
    """The graphs GRAPH ?g ranges over: the query's FROM NAMED, else the protocol's
    named-graph-uri, else every named graph (None when some are blank nodes: not expanded)."""
    if shape.has_dataset_clause:
        return named_graph_clauses(job.text, job.base_iri, job.prefixes)
    if job.named_graphs is not None:
        return list(job.named_graphs)
    if job.default_graphs is not None:
        return []
    if _graphs_of(store)[1]:
        return None
    return sorted(names)


def prepare_update(job: UpdateJob, store: ox.Store) -> UpdateJob:
    """Refuse unsafe updates; write the protocol's using-graph-uri into the update; read its
    operations (kg.sparql.update_plan), so that its delta comes from the update itself."""
    shape = inspect_update(job.text)
    if (job.using_graphs or job.using_named_graphs) and shape.has_using_or_with:
        raise Refused("using-graph-uri / using-named-graph-uri cannot be combined with "
                      "USING or WITH in the update (SPARQL 1.1 Protocol 2.2.3)")
    text = with_using_clauses(job.text, job.using_graphs, job.using_named_graphs)
    return replace(job, text=text, using_graphs=(), using_named_graphs=(),
                   operations=plan_update(text))


def named_graph_clauses(text: str, base_iri: str | None, prefixes: dict[str, str]) -> list[str]:
    """The IRIs of the query's FROM NAMED clauses (already checked by the guard)."""
    tokens, namespaces, base, named = tokenize(text), dict(prefixes or {}), base_iri, []
    for index, token in enumerate(tokens):
        following = tokens[index + 1:index + 3]
        if token.is_keyword("PREFIX") and len(following) == 2 and following[1].kind == "iri":
            namespaces[following[0].text[:-1]] = resolve(following[1].iri, base)
        elif token.is_keyword("BASE") and following and following[0].kind == "iri":
            base = resolve(following[0].iri, base)
        elif token.is_keyword("FROM") and len(following) == 2 and following[0].is_keyword("NAMED"):
            named.append(graph_iri(following[1], namespaces, base))
    return named
