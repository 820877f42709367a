"""The change log: each write as a prov:Activity in the change log graph, with who, when and
what (each asserted triple added or removed as an rdf:Statement, with its graph).

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
