"""The change log: each write as a prov:Activity in the change log graph, with who, when and
what (each asserted triple added or removed as an rdf:Statement, with its graph), and the
entities (our IRIs under /id/) it added, changed or removed, which the change feed lists.

Its few terms (ch:) are under https://w3id.org/civic-protest/changes#; one activity per write
under .../change/, one prov:Agent per update token's name under .../agent/.
"""

from __future__ import annotations

import datetime
import uuid

import pyoxigraph as ox

from kg.engine import Delta
from kg.namespaces import BASE, CHANGES_GRAPH, INFERRED_GRAPH

CHANGES = ox.NamedNode(str(CHANGES_GRAPH))
INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
CHANGE_NS = BASE + "changes#"     # the change log's few terms (ch:)
CHANGE_ID = BASE + "change/"      # one prov:Activity per write
AGENT_ID = BASE + "agent/"        # one prov:Agent per token name

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = ox.NamedNode(RDF + "type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"


ENTITY_SPACE = BASE + "id/"
ENTITY_TERMS = {"added": "entityAdded", "changed": "entityChanged", "removed": "entityRemoved"}


def entity_changes(store: ox.Store, delta: Delta) -> dict[str, list[ox.NamedNode]]:
    """The entities a write added (none of their asserted triples was there before), removed
    (none is left) or changed, from `store` as the write leaves it. A blank node's triples are
    its owner's: the entity whose triple points at it."""
    own = lambda q: q.graph_name not in (INFERRED, CHANGES)
    added = {q for q in delta.added if own(q)}
    removed = [q for q in delta.removed if own(q)]
    touched = {_owner(store, delta, q.subject) for q in (*added, *removed)} - {None}
    changes = {"added": [], "changed": [], "removed": []}
    for entity in sorted(touched, key=lambda e: e.value):
        after = [q for q in store.quads_for_pattern(entity, None, None, None) if own(q)]
        before = any(q not in added for q in after) or any(q.subject == entity for q in removed)
        kind = "changed" if before and after else "added" if after else "removed" if before else None
        if kind:
            changes[kind].append(entity)
    return changes


def _owner(store: ox.Store, delta: Delta, node, hops: int = 4):
    """The entity under /id/ that `node` is, or whose blank node it is (within a few hops)."""
    for _ in range(hops):
        if isinstance(node, ox.NamedNode):
            return node if node.value.startswith(ENTITY_SPACE) else None
        if not isinstance(node, ox.BlankNode):
            return None
        holders = [q.subject for q in (*delta.added, *delta.removed) if q.object == node]
        holders = holders or [q.subject for q in store.quads_for_pattern(None, None, node, None)]
        if not holders:
            return None
        node = holders[0]
    return None


def change_record(delta: Delta, agent: str | None, operation: str,
                  inferred_added: int, inferred_removed: int,
                  entities: dict[str, list] | None = None) -> list:
    """A prov:Activity in the change log graph: who, when, what (each asserted triple
    added or removed as a reified rdf:Statement, with its graph), the entities added, changed
    and removed (`entities`, from entity_changes), and counts."""
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
    for kind, nodes in (entities or {}).items():
        triples += [(change, iri(CHANGE_NS + ENTITY_TERMS[kind]), node) for node in nodes]
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
