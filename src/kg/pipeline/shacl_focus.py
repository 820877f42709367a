"""Which focus nodes a change of the data can affect, shape by shape: after a write, only they
are validated again (kg.pipeline.shacl_sparql.validate_focus), the rest of a graph that
conformed conforms still.

A node's verdict for a shape is a function of the triples its evaluation reads: the triples
that make it a focus node (its class for sh:targetClass, its triples of the predicate for
sh:targetSubjectsOf / sh:targetObjectsOf), the triples on each property shape's path from it
(which give its values, their number included), the rdf:type triples sh:class reads at the
end of a path, and, through sh:node, sh:and, sh:or and sh:not, what the nested shapes read
at the node or at the values. If none of those triples changed, in the graph before or after
the change, the verdict did not change. So each shape is compiled into "readers": a
predicate, at which end of a triple of that predicate the reading sits (and for sh:class the
class), and the path from the focus node to that end; a changed triple that a reader matches
gives its end, and walking the path backwards from there gives the focus nodes that may read
it. Walking the graph after the change is enough: on a path from a focus node to a changed
triple, in the graph before or after, the changed triple nearest the focus node has only
unchanged triples before it, so walking back from it reaches the focus node. Inverse paths,
sequences and alternatives are walked step by step; a shape using anything else (or
nesting itself) raises Unsupported, and the caller validates everything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from kg.namespaces import SH
from kg.pipeline.shacl_sparql import IGNORED, TARGETS, VALUE_CONSTRAINTS, Unsupported
from kg.terms import to_ox

RDF_TYPE = ox.NamedNode(str(RDF.type))
MAX_NESTING = 16


@dataclass(frozen=True)
class Reader:
    """A changed triple of `predicate` (whose object is `value`, when given) is read by the
    focus nodes from which `path` leads to its subject (`end` "s") or its object ("o")."""

    predicate: ox.NamedNode
    end: str
    value: object
    path: tuple


def _iri(node):
    return ("iri", to_ox(node))


class FocusReaders:
    """The readers of each targeted shape of a shapes graph."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self.readers: dict = {}
        targeted = {shape for kind in TARGETS for shape in shapes.subjects(kind, None)}
        for shape in targeted:
            readers = self._targets(shape) + self._node(shape, (), 0)
            self.readers[shape] = readers
        self.by_predicate = defaultdict(list)
        for shape, readers in self.readers.items():
            for reader in set(readers):
                self.by_predicate[reader.predicate].append((shape, reader))

    # --- compiling ---------------------------------------------------------------------

    def _targets(self, shape) -> list[Reader]:
        g = self.shapes
        readers = [Reader(RDF_TYPE, "s", to_ox(c), ()) for c in g.objects(shape, SH.targetClass)]
        readers += [Reader(to_ox(p), "s", None, ()) for p in g.objects(shape, SH.targetSubjectsOf)]
        readers += [Reader(to_ox(p), "o", None, ()) for p in g.objects(shape, SH.targetObjectsOf)]
        return readers

    def _node(self, shape, prefix: tuple, depth: int) -> list[Reader]:
        """What `shape` reads at the node `prefix` leads to (Compiler.conforms)."""
        if depth > MAX_NESTING:
            raise Unsupported(f"shapes nested deeper than {MAX_NESTING} (recursive?) at {shape}")
        if self.shapes.value(shape, SH.path) is not None:
            return self._property(shape, prefix, depth)
        readers = []
        for p, o in self.shapes.predicate_objects(shape):
            if p in VALUE_CONSTRAINTS:
                readers += self._value(p, o, prefix, depth)
            elif p == SH.property:
                readers += self._property(o, prefix, depth)
            elif p not in IGNORED and p not in {SH.alternativePath, SH.inversePath}:
                raise Unsupported(f"{p} on {shape}")
        return readers

    def _property(self, prop, prefix: tuple, depth: int) -> list[Reader]:
        path = self._path(self.shapes.value(prop, SH.path))
        readers = [Reader(q, end, None, prefix + before) for q, end, before in _touches(path)]
        for p, o in self.shapes.predicate_objects(prop):
            if p in VALUE_CONSTRAINTS:
                readers += self._value(p, o, prefix + (path,), depth)
            elif p not in IGNORED and p not in {SH.alternativePath, SH.inversePath}:
                raise Unsupported(f"{p} on {prop}")
        return readers

    def _value(self, p, o, prefix: tuple, depth: int) -> list[Reader]:
        g = self.shapes
        if p == SH["class"]:
            return [Reader(RDF_TYPE, "s", to_ox(o), prefix)]
        if p in (SH.node, SH["not"]):
            return self._node(o, prefix, depth + 1)
        if p in (SH["or"], SH["and"]):
            return [r for n in Collection(g, o) for r in self._node(n, prefix, depth + 1)]
        return []  # datatype, node kind, in, pattern, lengths, ranges: the value term alone

    def _path(self, node):
        g = self.shapes
        if isinstance(node, URIRef):
            return _iri(node)
        if (node, RDF.first, None) in g:
            return ("seq", tuple(self._path(n) for n in Collection(g, node)))
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            return ("alt", tuple(self._path(n) for n in Collection(g, alternatives)))
        inverse = g.value(node, SH.inversePath)
        if inverse is not None:
            return ("inv", self._path(inverse))
        raise Unsupported(f"path {node}")

    # --- finding the focus nodes ---------------------------------------------------------

    def focus_nodes(self, store: ox.Store, graphs, changed) -> dict:
        """For each shape, the nodes whose verdict the `changed` triples (added or removed)
        may change, walking `graphs` of the store after the change."""
        view = _View(store, graphs)
        found: dict = defaultdict(set)
        for s, p, o in changed:
            for shape, reader in self.by_predicate.get(p, ()):
                if reader.value is not None and reader.value != o:
                    continue
                anchor = s if reader.end == "s" else o
                nodes = {anchor}
                for step in reversed(reader.path):
                    nodes = view.back(step, nodes)
                found[shape] |= nodes
        return found


def _inverse(path):
    kind = path[0]
    if kind == "iri":
        return ("inv", path)
    if kind == "inv":
        return path[1]
    if kind == "seq":
        return ("seq", tuple(_inverse(p) for p in reversed(path[1])))
    return ("alt", tuple(_inverse(p) for p in path[1]))


def _touches(path) -> list[tuple]:
    """(predicate, end, before) for each step of `path`: a triple of the predicate lies on the
    path from x where `before` leads from x to its subject ("s", a forward step) or its object
    ("o", an inverse step)."""
    kind = path[0]
    if kind == "iri":
        return [(path[1], "s", ())]
    if kind == "inv":
        inner = path[1]
        if inner[0] == "iri":
            return [(inner[1], "o", ())]
        return _touches(_inverse(inner))
    if kind == "seq":
        found = []
        for index, step in enumerate(path[1]):
            found += [(q, end, path[1][:index] + before) for q, end, before in _touches(step)]
        return found
    return [t for step in path[1] for t in _touches(step)]


class _View:
    """Path steps walked over some graphs of a store."""

    def __init__(self, store: ox.Store, graphs):
        self.store, self.graphs = store, list(graphs)

    def back(self, path, nodes: set) -> set:
        """The nodes from which `path` leads to one of `nodes`."""
        kind = path[0]
        if kind == "iri":
            p = path[1]
            return {q.subject for n in nodes for g in self.graphs
                    for q in self.store.quads_for_pattern(None, p, n, g)}
        if kind == "inv":
            return self.forward(path[1], nodes)
        if kind == "seq":
            for step in reversed(path[1]):
                nodes = self.back(step, nodes)
            return nodes
        return {n for step in path[1] for n in self.back(step, nodes)}

    def forward(self, path, nodes: set) -> set:
        """The nodes `path` leads to from one of `nodes`."""
        kind = path[0]
        if kind == "iri":
            p = path[1]
            starts = [n for n in nodes if isinstance(n, (ox.NamedNode, ox.BlankNode))]
            return {q.object for n in starts for g in self.graphs
                    for q in self.store.quads_for_pattern(n, p, None, g)}
        if kind == "inv":
            return self.back(path[1], nodes)
        if kind == "seq":
            for step in path[1]:
                nodes = self.forward(step, nodes)
            return nodes
        return {n for step in path[1] for n in self.forward(step, nodes)}
