"""What happens to a job in the worker before evaluation: safety checks, content
negotiation and the protocol dataset. Runs in the forked worker (the pool's prepare
hooks), so its cost falls under the deadline and never on the server process.
"""

from dataclasses import replace

import pyoxigraph as ox

from kg.engine.jobs import QueryJob, UpdateJob
from kg.server.conneg import choose, for_query_form
from kg.server.guard import Refused, inspect_query, inspect_update
from kg.server.update_dataset import with_using_clauses


def graph_names(store: ox.Store) -> frozenset[str]:
    return frozenset(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def prepare_query(job: QueryJob, store: ox.Store) -> QueryJob:
    """Refuse unsafe queries; choose the result format for the query's form."""
    shape = inspect_query(job.text, graph_names(store), job.base_iri, job.prefixes)
    media_type, result_format = choose(job.accept, job.format, *for_query_form(shape.form))
    # A FROM / FROM NAMED in the query replaces the union default graph.
    return replace(job, media_type=media_type, result_format=result_format,
                   union_default_graph=job.union_default_graph and not shape.has_dataset_clause)


def prepare_update(job: UpdateJob, store: ox.Store) -> UpdateJob:
    """Refuse unsafe updates; write the protocol's using-graph-uri into the update."""
    shape = inspect_update(job.text)
    if (job.using_graphs or job.using_named_graphs) and shape.has_using_or_with:
        raise Refused("using-graph-uri / using-named-graph-uri cannot be combined with "
                      "USING or WITH in the update (SPARQL 1.1 Protocol 2.2.3)")
    text = with_using_clauses(job.text, job.using_graphs, job.using_named_graphs)
    return replace(job, text=text, using_graphs=(), using_named_graphs=())
