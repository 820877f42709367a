"""Before a write commits: the managed graphs, OWL-RL inference, SHACL validation, the PROV record.

Runs in the update's one-shot fork, on its private store, which already holds the state the
write would produce. The server applies what this returns, or nothing.

Which graphs are checked (decided here, documented in README "Writes"):
- ontology and data graphs (curated): any write that touches them, or the inferred graph,
  brings the inferred graph up to date as the build would make it (kg.pipeline.infer, the
  same reasoner for the same size) and validates ontology + data + inferred with the shapes,
  as `kg build` does. A write of instance data to the data graph does both from its change
  alone (kg.pipeline.incremental: what it implies, and delete-and-rederive for what it
  removes; kg.pipeline.shacl_focus: the focus nodes it can affect), with the same result;
  a write to the ontology, of schema triples, or past the limits below recomputes them all;
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
from kg.engine.delta import apply_to
from kg.engine.errors import EngineError
from kg.namespaces import CPO, bind_prefixes
from kg.pipeline.incremental import Rules, infer_change, is_schema
from kg.pipeline.infer import (DATA, DERIVED_PREDICATES, INFERRED, LARGE_GRAPH, ONTOLOGY,
                               choose_reasoner, graph_of, infer_into, owlrl_finds_ill_typed)
from kg.pipeline.materialize import Unsupported as RulesUnsupported
from kg.pipeline.shacl_focus import FocusReaders
from kg.pipeline.shacl_sparql import Unsupported as ShapesUnsupported, focused_shapes, validate_focus
from kg.pipeline.validate import load_shapes, validate, validate_store_graphs
from kg.writes.changelog import CHANGES, change_record, entity_changes

CURATED = {ONTOLOGY, DATA, INFERRED}
# The reasoner, chosen as `kg build` chooses it: owlrl + pyshacl, or for large graphs our
# rules and shapes compiled to SPARQL, so that a write leaves the inferred graph the build
# would have made. Tests set it to each reasoner.
WRITE_REASONER = "auto"
# Writes of more asserted triples than this recompute the closure (each changed triple costs
# about 0.1 ms incrementally; the whole closure of the real data about 5 s, of 10^6 a minute).
MAX_INCREMENTAL = 20_000
# False: every write recomputes (the reference the incremental path is tested against).
INCREMENTAL = True
ASSERTED = (ONTOLOGY, DATA)
VALIDATED = (ONTOLOGY, DATA, INFERRED)
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


@lru_cache(maxsize=1)
def focus_readers() -> FocusReaders | None:
    """What each shape reads (kg.pipeline.shacl_focus); None if some shape is beyond it."""
    try:
        focused_shapes(shapes_graph())
        return FocusReaders(shapes_graph())
    except ShapesUnsupported:
        return None


def preload() -> None:
    """Parse and compile the shapes (and import the reasoners) in the server, so forks
    inherit them."""
    shapes_graph()
    focus_readers()
    import owlrl  # noqa: F401
    import pyshacl  # noqa: F401


def violations_of(report) -> list[dict]:
    return [{k: v for k, v in asdict(v).items() if k != "files"} for v in report.violations]


def finish_write(store: ox.Store, delta: Delta, agent: str | None = None,
                 operation: str = "update") -> Delta:
    """The delta to commit: managed graphs brought up to date, validated, with its PROV record.

    Raises ValidationFailed if the resulting graph breaks a shape. Leaves `store` holding
    the write's result, its inferred graph included (the change record aside).
    """
    delta = _without_graph(delta, CHANGES)
    touched = touched_graphs(delta)
    inferred_added, inferred_removed = [], []
    if touched & CURATED:
        delta, inferred_added, inferred_removed = _bring_inferred_up_to_date(store, delta)
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
                 graphs_created=[g for g in delta.graphs_created if g != graph], about=delta.about)


def _bring_inferred_up_to_date(store: ox.Store, delta: Delta):
    """The inferred graph and the validation, from the change alone where it can be followed
    (_incremental), else recomputed as `kg build` would."""
    plan = _incremental_plan(store, delta) if INCREMENTAL else None
    if plan is None:
        return _recompute_inferred(store, delta)
    reasoner, rules, added, removed = plan
    change = infer_change(store, rules, added, removed, ASSERTED, INFERRED,
                          owlrl_datatypes=reasoner == "owlrl")
    _validate_change(store, reasoner, [*added, *removed, *change.added, *change.removed])
    delta.added.extend(ox.Quad(*t, INFERRED) for t in change.added)
    delta.removed.extend(ox.Quad(*t, INFERRED) for t in change.removed)
    return delta, change.added, change.removed


def _incremental_plan(store: ox.Store, delta: Delta):
    """(reasoner, rules, triples added, triples removed) when the write can be followed from
    its change alone, with the result the full recomputation would give; else None.

    That is: it changes the data graph only, by instance triples (no schema: kg.pipeline.
    incremental.is_schema), not too many of them; the build would use the same reasoner
    before and after it, one whose closure is the compiled rules' (owlrl, or sparql), and the
    rules compile; the shapes are within kg.pipeline.shacl_focus; no rule writes a derived
    term; and, for owlrl, no literal it finds ill-typed (it records an
    error node for those). The inferred graph already in the store is taken to be what the
    build (or the previous write) made of the asserted graphs, and the data to conform: so
    the store every build and every validated write leaves."""
    if touched_graphs(delta) & CURATED != {DATA} or DATA in delta.graphs_dropped \
            or DATA in delta.graphs_created or focus_readers() is None:
        return None
    changed = [q for q in (*delta.added, *delta.removed) if q.graph_name == DATA]
    if len(changed) > MAX_INCREMENTAL:
        return None
    if any(is_schema((q.subject, q.predicate, q.object)) for q in changed):
        return None
    reasoner = _same_reasoner(store, delta)
    if reasoner not in ("owlrl", "sparql"):
        return None
    if reasoner == "owlrl" and any(owlrl_finds_ill_typed(q.object) for q in changed):
        return None
    try:
        rules = Rules.of(store, ASSERTED)
    except RulesUnsupported:
        return None
    if {ox.NamedNode(str(p)) for p in DERIVED_PREDICATES} & rules.conclusions():
        return None

    def elsewhere(q):  # also asserted in another asserted graph: no change to their union
        return any(ox.Quad(q.subject, q.predicate, q.object, g) in store
                   for g in ASSERTED if g != DATA)
    added = [(q.subject, q.predicate, q.object) for q in delta.added
             if q.graph_name == DATA and not elsewhere(q)]
    removed = [(q.subject, q.predicate, q.object) for q in delta.removed
               if q.graph_name == DATA and not elsewhere(q)]
    return reasoner, rules, added, removed


def _same_reasoner(store: ox.Store, delta: Delta) -> str | None:
    """The reasoner the build would choose for the asserted graphs after the write, if it
    would have chosen the same before it (else None: the inferred graph changes reasoner)."""
    if WRITE_REASONER != "auto":
        return choose_reasoner(WRITE_REASONER, 0)
    net = sum(q.graph_name in ASSERTED for q in delta.added) \
        - sum(q.graph_name in ASSERTED for q in delta.removed)
    after = _asserted_size(store, LARGE_GRAPH + abs(net))
    chosen = choose_reasoner("auto", after)
    return chosen if choose_reasoner("auto", after - net) == chosen else None


def _asserted_size(store: ox.Store, enough: int) -> int:
    """The number of asserted quads, or `enough` if there are at least that many (found
    without counting them all: the build's choice only depends on which side of a threshold
    the count falls, and counting 10^6 quads takes a tenth of a second)."""
    counted = 0
    for graph in ASSERTED:
        rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT ?s WHERE {{ GRAPH <{graph.value}> "
                           f"{{ ?s ?p ?o }} }} LIMIT {enough - counted} }}")
        counted += int(next(iter(rows))["n"].value)
        if counted >= enough:
            return enough
    return counted


def _validate_change(store: ox.Store, reasoner: str, changed) -> None:
    """Validate the focus nodes the change can affect, with the build's validator for the
    size: the shapes compiled to SPARQL, or, where the build uses pyshacl, the same screening
    and then, if a node fails it, pyshacl on the whole graph for the report the build gives."""
    shapes = shapes_graph()
    focus = focus_readers().focus_nodes(store, VALIDATED, changed)
    if reasoner == "owlrl":
        report = validate_focus(store, shapes, focus, VALIDATED, report=False)
        if not report.conforms:
            report = validate(bind_prefixes(graph_of(store, VALIDATED)), shapes)
    else:
        report = validate_focus(store, shapes, focus, VALIDATED)
    if not report.conforms:
        raise ValidationFailed(violations_of(report), DATA.value)


def _recompute_inferred(store: ox.Store, delta: Delta):
    """Infer and validate ontology + data as `kg build` would (the same reasoner and
    validator for the same size), and replace the write's inferred graph by the result."""
    work = ox.Store()
    for graph in ASSERTED:
        work.extend(store.quads_for_pattern(None, None, None, graph))
    report = _infer_and_validate(work)
    if not report.conforms:
        raise ValidationFailed(violations_of(report), DATA.value)
    after = set(work.quads_for_pattern(None, None, None, INFERRED))
    now = set(store.quads_for_pattern(None, None, None, INFERRED))
    # The inferred graph before the write: the fork's (already written) one, undone.
    before = now - {q for q in delta.added if q.graph_name == INFERRED}
    before |= {q for q in delta.removed if q.graph_name == INFERRED}
    delta = _without_graph(delta, INFERRED)
    added, removed = list(after - before), list(before - after)
    delta.added.extend(added)
    delta.removed.extend(removed)
    apply_to(store, Delta(removed=list(now - after), added=list(after - now)))
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
