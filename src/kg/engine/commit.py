"""Before a write commits: the managed graphs, OWL-RL inference, SHACL validation, the PROV record.

Runs in the update's one-shot fork, on its private store, which already holds the state the
write would produce. The server applies what this returns, or nothing.

Which graphs are checked (decided here, documented in README "Writes"):
- ontology and data graphs (curated): any write that touches them, or the inferred graph,
  recomputes the inferred graph as the build does (`kg.inference.infer` of ontology + data)
  and validates ontology + data + inferred with the shapes, exactly as `kg build` does;
- the inferred graph is derived: clients' changes to it are replaced by the recomputation;
- the change log graph is written only by the server: clients' changes to it are dropped
  (DROP ALL leaves it), and each write appends its own prov:Activity to it;
- every other graph (the default graph, --named-graph graphs, graphs clients create) is a
  user graph: validated only if it types some node with one of our classes (cpo:), then as
  ontology + that graph closed under the same inference.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import asdict
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Graph

from kg.engine.errors import EngineError
from kg.engine.store import Delta
from kg.namespaces import BASE, CPO, DATA_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from kg.terms import to_ox, to_rdflib

CHANGES_GRAPH_IRI = BASE + "graph/changes"
CHANGES = ox.NamedNode(CHANGES_GRAPH_IRI)
ONTOLOGY = ox.NamedNode(str(ONTOLOGY_GRAPH))
DATA = ox.NamedNode(str(DATA_GRAPH))
INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
CURATED = {ONTOLOGY, DATA, INFERRED}
CHANGE_NS = BASE + "changes#"     # the change log's few terms (ch:)
CHANGE_ID = BASE + "change/"      # one prov:Activity per write
AGENT_ID = BASE + "agent/"        # one prov:Agent per token name

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"


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
    from kg.validation import load_shapes
    return load_shapes()


def preload() -> None:
    """Parse the shapes (and import the reasoner) in the server, so forks inherit them."""
    shapes_graph()
    import owlrl  # noqa: F401
    import pyshacl  # noqa: F401


# --- ox <-> rdflib: kg.terms ---------------------------------------------------------------



def graph_of(store: ox.Store, graph) -> Graph:
    g = Graph()
    for quad in store.quads_for_pattern(None, None, None, graph):
        g.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return g


def violations_of(report) -> list[dict]:
    return [{k: v for k, v in asdict(v).items() if k != "files"} for v in report.violations]


# --- the check -------------------------------------------------------------------------

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
    delta.added.extend(change_record(delta, agent, operation,
                                     len(inferred_added), len(inferred_removed)))
    return delta


def touched_graphs(delta: Delta) -> set:
    return ({q.graph_name for q in delta.added} | {q.graph_name for q in delta.removed}
            | set(delta.graphs_dropped) | set(delta.graphs_created))


def _without_graph(delta: Delta, graph) -> Delta:
    return Delta(removed=[q for q in delta.removed if q.graph_name != graph],
                 added=[q for q in delta.added if q.graph_name != graph],
                 graphs_dropped=[g for g in delta.graphs_dropped if g != graph],
                 graphs_created=[g for g in delta.graphs_created if g != graph])


# The reasoner, chosen as `kg build` chooses it (kg.reasoning.choose): owlrl + pyshacl, or for
# large graphs kg.materialize + SHACL compiled to SPARQL (kg.fast_build), so that the inferred
# graph a write leaves is the one the build would have made.
WRITE_REASONER = "auto"


def _recompute_inferred(store: ox.Store, delta: Delta):
    from kg.reasoning import choose

    asserted = sum(1 for g in (ONTOLOGY, DATA)
                   for _ in store.quads_for_pattern(None, None, None, g))
    chosen = choose(WRITE_REASONER, asserted)
    if chosen != "owlrl":
        after, report = _infer_and_validate_fast(store, "auto" if WRITE_REASONER == "auto" else chosen)
    else:
        after, report = _infer_and_validate(store)
    if not report.conforms:
        raise ValidationFailed(violations_of(report), DATA.value)
    # The inferred graph before the write: the fork's (already written) one, undone.
    before = set(store.quads_for_pattern(None, None, None, INFERRED))
    before -= {q for q in delta.added if q.graph_name == INFERRED}
    before |= {q for q in delta.removed if q.graph_name == INFERRED}
    delta = _without_graph(delta, INFERRED)
    added, removed = list(after - before), list(before - after)
    delta.added.extend(added)
    delta.removed.extend(removed)
    return delta, added, removed


def _infer_and_validate(store: ox.Store):
    """kg.build's way: owlrl closure + date bounds (kg.inference.infer), pyshacl."""
    from kg.inference import infer
    from kg.validation import validate

    ontology, data = graph_of(store, ONTOLOGY), graph_of(store, DATA)
    inferred = infer(ontology + data)
    report = validate(ontology + data + inferred, shapes_graph())
    return {ox.Quad(to_ox(s), to_ox(p), to_ox(o), INFERRED) for s, p, o in inferred}, report


def _infer_and_validate_fast(store: ox.Store, reasoner: str = "auto"):
    """kg.fast_build's way, for large graphs: kg.materialize (or reasonable), SHACL compiled
    to SPARQL."""
    from kg.fast_build import infer_into
    from kg.shacl_sparql import validate_store

    work = ox.Store()
    for graph in (ONTOLOGY, DATA):
        work.extend(store.quads_for_pattern(None, None, None, graph))
    infer_into(work, reasoner)
    report = validate_store(work, shapes_graph())
    return set(work.quads_for_pattern(None, None, None, INFERRED)), report


def _validate_user_graph(store: ox.Store, graph) -> None:
    """Validate a user graph only if it types nodes with our classes (then with the ontology)."""
    ours = any(q.object.value.startswith(str(CPO))
               for q in store.quads_for_pattern(None, RDF_TYPE, None, graph)
               if isinstance(q.object, ox.NamedNode))
    if not ours:
        return
    from kg.inference import infer
    from kg.validation import validate

    asserted = graph_of(store, ONTOLOGY) + graph_of(store, graph)
    report = validate(asserted + infer(asserted), shapes_graph())
    if not report.conforms:
        name = graph.value if isinstance(graph, ox.NamedNode) else "the default graph"
        raise ValidationFailed(violations_of(report), name)


# --- the change log as PROV ------------------------------------------------------------

def change_record(delta: Delta, agent: str | None, operation: str,
                  inferred_added: int, inferred_removed: int) -> list:
    """A prov:Activity in the change log graph: who, when, what (each asserted triple
    added or removed as a reified rdf:Statement, with its graph), and counts."""
    now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="microseconds")
    change = ox.NamedNode(CHANGE_ID + uuid.uuid4().hex)
    who = ox.NamedNode(AGENT_ID + _slug(agent or "anonymous"))

    def iri(local):
        return ox.NamedNode(local)

    def literal(value, datatype):
        return ox.Literal(str(value), datatype=iri(XSD + datatype))

    asserted_added = [q for q in delta.added if q.graph_name != INFERRED]
    asserted_removed = [q for q in delta.removed if q.graph_name != INFERRED]
    triples = [
        (change, RDF_TYPE, iri(PROV + "Activity")),
        (change, RDFS_LABEL, ox.Literal(operation)),
        (change, iri(PROV + "wasAssociatedWith"), who),
        (change, iri(PROV + "startedAtTime"), literal(now, "dateTime")),
        (change, iri(CHANGE_NS + "triplesAdded"), literal(len(asserted_added), "integer")),
        (change, iri(CHANGE_NS + "triplesRemoved"), literal(len(asserted_removed), "integer")),
        (change, iri(CHANGE_NS + "inferredAdded"), literal(inferred_added, "integer")),
        (change, iri(CHANGE_NS + "inferredRemoved"), literal(inferred_removed, "integer")),
        (who, RDF_TYPE, iri(PROV + "Agent")),
        (who, RDFS_LABEL, ox.Literal(agent or "anonymous")),
    ]
    for graph in delta.graphs_created:
        triples.append((change, iri(CHANGE_NS + "graphCreated"), graph))
    for graph in delta.graphs_dropped:
        triples.append((change, iri(CHANGE_NS + "graphDropped"), graph))
    for kind, quads in (("added", asserted_added), ("removed", asserted_removed)):
        for n, quad in enumerate(quads):
            statement = ox.NamedNode(f"{change.value}/{kind}/{n}")
            triples += [
                (change, iri(CHANGE_NS + kind), statement),
                (statement, RDF_TYPE, iri(RDF + "Statement")),
                (statement, iri(RDF + "subject"), quad.subject),
                (statement, iri(RDF + "predicate"), quad.predicate),
                (statement, iri(RDF + "object"), quad.object),
            ]
            if isinstance(quad.graph_name, ox.NamedNode):
                triples.append((statement, iri(CHANGE_NS + "graph"), quad.graph_name))
    return [ox.Quad(s, p, o, CHANGES) for s, p, o in triples]


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "anonymous"


def finish_job(store: ox.Store, delta: Delta, job) -> Delta:
    """The pool's `finish_update` hook: `finish_write` for a SPARQL update or a graph write."""
    method = getattr(job, "method", None)
    if method:
        operation = f"Graph Store {method} {job.graph or 'default graph'}"
    else:
        operation = "SPARQL Update"
    return finish_write(store, delta, getattr(job, "agent", None), operation)


def asserted_counts(delta: Delta) -> tuple[int, int]:
    """(removed, added): the write's own quads, without the inferred graph and change log."""
    def own(quads):
        return sum(q.graph_name not in (INFERRED, CHANGES) for q in quads)
    return own(delta.removed), own(delta.added)
