"""Graphs as sets of facts, so that two versions of a document compare and diff exactly.

Our blank nodes are trees hanging from a named node (a quote's selector, a quantity, a
sentence's component, a qualifier, a checksum): a fact is (named subject, predicate, object)
where a blank object is a `Tree` of its own (predicate, object) pairs. Two trees with the same
pairs are equal, so set operations on facts are graph isomorphism restricted to such graphs, and
a changed quantity is one fact removed and one added."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Union

from rdflib import BNode, Graph, Literal, URIRef


@dataclass(frozen=True)
class Tree:
    """A blank node: its (predicate, object) pairs, sorted; objects may be trees."""

    pairs: tuple

    @staticmethod
    def of(pairs: Iterable) -> "Tree":
        return Tree(tuple(sorted(set(pairs), key=pair_key)))

    def values(self, predicate) -> list:
        return [o for p, o in self.pairs if p == predicate]

    def value(self, predicate):
        found = self.values(predicate)
        return found[0] if found else None

    def predicates(self) -> set:
        return {p for p, _ in self.pairs}


Term = Union[URIRef, Literal, Tree]
Fact = tuple  # (URIRef subject, URIRef predicate, Term)


def term_key(term) -> tuple:
    if isinstance(term, Tree):
        return (3, tuple(pair_key(p) for p in term.pairs))
    if isinstance(term, Literal):
        return (2, str(term), str(term.datatype or ""), term.language or "")
    return (1, str(term))


def pair_key(pair) -> tuple:
    return (str(pair[0]), term_key(pair[1]))


def fact_key(fact) -> tuple:
    return (str(fact[0]), str(fact[1]), term_key(fact[2]))


class NotATree(ValueError):
    """A blank node used twice, in a cycle, or as a subject of nothing named."""


def facts_of(graph: Graph, strict: bool = True) -> set:
    """The graph's triples as facts; raises NotATree for blank nodes that are not trees (unless
    not `strict`: then a shared blank node is copied into each tree, and blank nodes nothing
    named links to are left out, as a store written by other means may hold)."""
    if not strict:
        return {(s, p, tree_of(graph, o)) for s, p, o in graph if isinstance(s, URIRef)}
    uses: dict = {}
    for _, _, o in graph:
        if isinstance(o, BNode):
            uses[o] = uses.get(o, 0) + 1
    shared = sorted(str(b) for b, n in uses.items() if n > 1)
    if shared:
        raise NotATree(f"blank node(s) used as the object of more than one triple: {shared[:3]}")
    orphans = {s for s in graph.subjects() if isinstance(s, BNode) and s not in uses}
    if orphans:
        raise NotATree(f"{len(orphans)} blank node(s) that no named node links to")
    facts = set()
    for s, p, o in graph:
        if isinstance(s, URIRef):
            facts.add((s, p, tree_of(graph, o)))
    return facts


def tree_of(graph: Graph, term, path: tuple = ()):
    """The term, or for a blank node its Tree."""
    if not isinstance(term, BNode):
        return term
    if term in path:
        raise NotATree("a blank node that contains itself")
    return Tree.of((p, tree_of(graph, o, path + (term,))) for p, o in graph.predicate_objects(term))


def graph_of(facts: Iterable) -> Graph:
    """The facts as an rdflib graph, each tree a fresh blank node."""
    graph = Graph()
    for s, p, o in facts:
        graph.add((s, p, _node(graph, o)))
    return graph


def _node(graph: Graph, term):
    if not isinstance(term, Tree):
        return term
    node = BNode()
    for p, o in term.pairs:
        graph.add((node, p, _node(graph, o)))
    return node


def subjects(facts: Iterable) -> set:
    return {f[0] for f in facts}


def by_subject(facts: Iterable) -> dict:
    grouped: dict = {}
    for fact in facts:
        grouped.setdefault(fact[0], set()).add(fact)
    return grouped


def named_objects(term) -> set:
    """The IRIs a term mentions: itself, or every IRI inside a tree."""
    if isinstance(term, URIRef):
        return {term}
    if isinstance(term, Tree):
        return set().union(set(), *(named_objects(o) for _, o in term.pairs))
    return set()
