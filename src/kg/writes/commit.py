"""Before a write commits: the managed graphs, OWL-RL inference, SHACL validation, the PROV record.

Runs in the update's one-shot fork, on its private store, which already holds the state the
write would produce. The server applies what this returns, or nothing.

Which graphs are checked (decided here, documented in README "Writes"):
- ontology and data graphs (curated): any write that touches them, or the inferred graph,
  recomputes the inferred graph as the build does (kg.pipeline.infer, the same reasoner for
  the same size) and validates ontology + data + inferred with the shapes, as `kg build` does;
- the inferred graph is derived: clients' changes to it are replaced by the recomputation;
- the change log graph is written only by the server: clients' changes to it are dropped
  (DROP ALL leaves it), and each write appends its own prov:Activity to it;
- every other graph (the default graph, --named-graph graphs, graphs clients create) is a
  user graph: validated only if it types some node with one of our classes (cpo:), then as
  ontology + that graph closed under the same inference.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Graph

from kg.engine import Delta
from kg.engine.errors import EngineError
from kg.namespaces import CPO
from kg.pipeline.infer import DATA, INFERRED, ONTOLOGY, choose_reasoner, infer_into
from kg.pipeline.validate import load_shapes, validate_store_graphs
from kg.writes.changelog import CHANGES, change_record, entity_changes

CURATED = {ONTOLOGY, DATA, INFERRED}
# The reasoner, chosen as `kg build` chooses it: owlrl + pyshacl, or for large graphs our
# rules and shapes compiled to SPARQL, so that a write leaves the inferred graph the build
# would have made. Tests set it to each reasoner.
WRITE_REASONER = "auto"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


class ValidationFailed(EngineError):
    """The write would leave the graph violating the shapes: answered 422, nothing applied."""

    def __init__(self, violations: list[dict], graph: str):
        super().__init__(f"the write would leave {graph} violating {len(violations)} "
                         f"SHACL constraint(s); nothing was changed")
        self.violations = violations
        self.graph = graph

    def __reduce__(self):  # picklable across the worker pipe
        return (ValidationFailed, (self.violations, self.graph))


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    return load_shapes()


def preload() -> None:
    """Parse the shapes (and import the reasoners) in the server, so forks inherit them."""
    shapes_graph()
    import owlrl  # noqa: F401
    import pyshacl  # noqa: F401


def violations_of(report) -> list[dict]:
    return [{k: v for k, v in asdict(v).items() if k != "files"} for v in report.violations]


def finish_write(store: ox.Store, delta: Delta, agent: str | None = None,
                 operation: str = "update") -> Delta:
    """The delta to commit: managed graphs brought up to date, validated, with its PROV record.

    Raises ValidationFailed if the resulting graph breaks a shape.
    """
    delta = _without_graph(delta, CHANGES)
    touched = touched_graphs(delta)
    inferred_added, inferred_removed = [], []
    if touched & CURATED:
        delta, inferred_added, inferred_removed = _recompute_inferred(store, delta)
    for graph in touched - CURATED - {CHANGES}:
        _validate_user_graph(store, graph)
    if delta.is_empty():
        return delta
    delta.added.extend(change_record(delta, agent, operation, len(inferred_added),
                                     len(inferred_removed), entity_changes(store, delta)))
    return delta


def touched_graphs(delta: Delta) -> set:
    return ({q.graph_name for q in delta.added} | {q.graph_name for q in delta.removed}
            | set(delta.graphs_dropped) | set(delta.graphs_created))


def _without_graph(delta: Delta, graph) -> Delta:
    return Delta(removed=[q for q in delta.removed if q.graph_name != graph],
                 added=[q for q in delta.added if q.graph_name != graph],
                 graphs_dropped=[g for g in delta.graphs_dropped if g != graph],
                 graphs_created=[g for g in delta.graphs_created if g != graph])


def _recompute_inferred(store: ox.Store, delta: Delta):
    """Infer and validate ontology + data as `kg build` would (the same reasoner and
    validator for the same size), and replace the write's inferred graph by the result."""
    work = ox.Store()
    for graph in (ONTOLOGY, DATA):
        work.extend(store.quads_for_pattern(None, None, None, graph))
    report = _infer_and_validate(work)
    if not report.conforms:
        raise ValidationFailed(violations_of(report), DATA.value)
    after = set(work.quads_for_pattern(None, None, None, INFERRED))
    # The inferred graph before the write: the fork's (already written) one, undone.
    before = set(store.quads_for_pattern(None, None, None, INFERRED))
    before -= {q for q in delta.added if q.graph_name == INFERRED}
    before |= {q for q in delta.removed if q.graph_name == INFERRED}
    delta = _without_graph(delta, INFERRED)
    added, removed = list(after - before), list(before - after)
    delta.added.extend(added)
    delta.removed.extend(removed)
    return delta, added, removed


def _infer_and_validate(work: ox.Store):
    """The build's inference into `work`'s inferred graph, then its validation of the whole."""
    asserted = sum(1 for g in (ONTOLOGY, DATA) for _ in work.quads_for_pattern(None, None, None, g))
    reasoner = choose_reasoner(WRITE_REASONER, asserted)
    infer_into(work, "auto-sparql" if WRITE_REASONER == "auto" and reasoner == "sparql" else reasoner)
    return validate_store_graphs(work, shapes_graph(), "pyshacl" if reasoner == "owlrl" else "sparql")


def _validate_user_graph(store: ox.Store, graph) -> None:
    """Validate a user graph only if it types nodes with our classes: then as the ontology
    plus that graph, closed under the same inference."""
    ours = any(q.object.value.startswith(str(CPO))
               for q in store.quads_for_pattern(None, RDF_TYPE, None, graph)
               if isinstance(q.object, ox.NamedNode))
    if not ours:
        return
    work = ox.Store()
    work.extend(store.quads_for_pattern(None, None, None, ONTOLOGY))
    work.extend(ox.Quad(q.subject, q.predicate, q.object, DATA)
                for q in store.quads_for_pattern(None, None, None, graph))
    report = _infer_and_validate(work)
    if not report.conforms:
        name = graph.value if isinstance(graph, ox.NamedNode) else "the default graph"
        raise ValidationFailed(violations_of(report), name)


def finish_job(store: ox.Store, delta: Delta, job) -> Delta:
    """The pool's `finish_update` hook: `finish_write` for a SPARQL update, a graph write or any
    other job naming its `operation`. A job that knows where its nodes come from (`where`:
    node IRI -> (sheet, row), filled while it was evaluated) gets them on its violations."""
    method = getattr(job, "method", None)
    if method:
        operation = f"Graph Store {method} {job.graph or 'default graph'}"
    else:
        operation = getattr(job, "operation", None) or "SPARQL Update"
    try:
        return finish_write(store, delta, getattr(job, "agent", None), operation)
    except ValidationFailed as error:
        where = getattr(job, "where", None)
        if where:
            error.violations = [_located(v, where) for v in error.violations]
        raise


def _located(violation: dict, where: dict) -> dict:
    from kg.namespaces import PREFIXES

    focus = str(violation.get("focus_node") or "")
    prefix, _, local = focus.partition(":")
    iri = str(PREFIXES[prefix]) + local if prefix in PREFIXES and local and "/" not in prefix else focus
    sheet, row = where.get(iri, (None, None))
    return {**violation, "sheet": sheet, "row": row} if sheet else violation


def asserted_counts(delta: Delta) -> tuple[int, int]:
    """(removed, added): the write's own quads, without the inferred graph and change log."""
    def own(quads):
        return sum(q.graph_name not in (INFERRED, CHANGES) for q in quads)
    return own(delta.removed), own(delta.added)
