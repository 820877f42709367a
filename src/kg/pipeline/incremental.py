"""The inferred graph brought up to date after a change of the asserted triples, from the change
alone: what the added triples imply, and, for removed ones, delete-and-rederive (DRed).

The rules are the ones kg.pipeline.materialize compiles from the ontology (its `Program`), so
the closure kept here is the one `materialize` computes from scratch, and the one owlrl
computes but for owlrl's datatype axioms (kg.pipeline.infer.owlrl_datatype_axioms, kept up to
date by the caller). Each rule is applied to single triples, in Python, with the store's
indexes answering the other premises:

- single premise (sub-property, inverse, symmetric, domain, range, sub-class), compiled into
  `Program.expand` / `Program.type_expand`: a triple's consequences are read off a table;
- prp-trp (transitive properties): a new edge joined with the edges before and after it;
- prp-spo2 (property chains): a new link joined with the links before and after it.

Insertions: semi-naive. Every triple that is new (added, or derived and not yet in any graph)
is joined once with everything in the store, its consequences that are new join the queue.

Deletions (DRed): 1. over-delete: everything derivable, in one or more steps, from a removed
triple (with the old triples as the other premises) is a suspect; 2. the suspects leave the
inferred graph; 3. rederive: a suspect that some rule still derives in one step from what is
left comes back, and insertion carries it further. What is left after step 2 is derivable
without any removed triple, so step 3 restores exactly what is still entailed.

The inferred graph holds the closure less what is asserted: a triple that becomes asserted
leaves it, an asserted triple that is removed but still entailed enters it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.pipeline.materialize import TYPE, Program, compile_program

RDF_TYPE = ox.NamedNode(TYPE)
RESOURCE = (ox.NamedNode, ox.BlankNode)


@dataclass
class Rules:
    """A compiled program as tables keyed by pyoxigraph terms, forwards and backwards."""

    program: Program
    expand: dict = field(default_factory=dict)        # p -> ([(q, forward)], s-classes, o-classes)
    supers: dict = field(default_factory=dict)        # class -> superclasses
    transitive: set = field(default_factory=set)
    chains: list = field(default_factory=list)        # (head, [(link, forward)])
    chain_links: dict = field(default_factory=lambda: defaultdict(list))  # p -> [(chain, index)]
    producers: dict = field(default_factory=lambda: defaultdict(list))    # q -> [(p, forward)]
    sub_classes: dict = field(default_factory=lambda: defaultdict(list))  # c -> classes below
    domain_of: dict = field(default_factory=lambda: defaultdict(list))    # c -> p typing subjects c
    range_of: dict = field(default_factory=lambda: defaultdict(list))     # c -> p typing objects c

    @classmethod
    def of(cls, store: ox.Store, graphs) -> "Rules":
        """The rules of the ontology in `graphs` (raises materialize.Unsupported)."""
        return cls.from_program(compile_program(store, [g.value for g in graphs]))

    @classmethod
    def from_program(cls, program: Program) -> "Rules":
        node = ox.NamedNode
        rules = cls(program)
        for p, (derived, s_classes, o_classes) in program.expand.items():
            entailed = [(node(q), forward) for q, forward in derived if (q, forward) != (p, True)]
            rules.expand[node(p)] = (entailed, [node(c) for c in s_classes], [node(c) for c in o_classes])
            for q, forward in entailed:
                rules.producers[q].append((node(p), forward))
            for c in s_classes:
                rules.domain_of[node(c)].append(node(p))
            for c in o_classes:
                rules.range_of[node(c)].append(node(p))
        for c, supers in program.type_expand.items():
            rules.supers[node(c)] = [node(d) for d in supers]
            for d in supers:
                rules.sub_classes[node(d)].append(node(c))
        rules.transitive = {node(p) for p in program.transitive}
        for head, links in program.chains:
            chain = (node(head), [(node(q), forward) for q, forward in links])
            rules.chains.append(chain)
            for index, (q, _) in enumerate(chain[1]):
                rules.chain_links[q].append((chain, index))
        return rules

    def conclusions(self) -> set:
        """Every predicate a rule writes (rdf:type too, if some rule types)."""
        typing = {RDF_TYPE} if self.supers or self.domain_of or self.range_of else set()
        return {*self.producers, *self.transitive} | {head for head, _ in self.chains} | typing


class Graphs:
    """Lookups over the union of the asserted graphs and the inferred graph of a store, plus
    `extra` triples (the removed ones, while over-deleting: the old state). Triples of the
    `derived` predicates in the inferred graph are not seen: they are derived terms
    (kg.pipeline.infer.add_derived), which the build adds after the closure, never into it."""

    def __init__(self, store: ox.Store, asserted, inferred, derived=frozenset()):
        self.store, self.asserted, self.inferred = store, list(asserted), inferred
        self.all = [*self.asserted, inferred]
        self.derived = derived
        self.extra: set = set()
        self.extra_by_po: dict = defaultdict(set)
        self.extra_by_sp: dict = defaultdict(set)

    def with_extra(self, triples) -> None:
        self.extra = set(triples)
        self.extra_by_po.clear()
        self.extra_by_sp.clear()
        for s, p, o in self.extra:
            self.extra_by_po[p, o].add(s)
            self.extra_by_sp[s, p].add(o)

    def graphs(self, p) -> list:
        return self.asserted if p in self.derived else self.all

    def is_asserted(self, s, p, o) -> bool:
        return any(ox.Quad(s, p, o, g) in self.store for g in self.asserted)

    def is_inferred(self, s, p, o) -> bool:
        return p not in self.derived and ox.Quad(s, p, o, self.inferred) in self.store

    def holds(self, s, p, o) -> bool:
        if not isinstance(s, RESOURCE):  # a literal is never a subject
            return False
        return (s, p, o) in self.extra or any(ox.Quad(s, p, o, g) in self.store for g in self.graphs(p))

    def subjects(self, p, o) -> set:
        found = {q.subject for g in self.graphs(p) for q in self.store.quads_for_pattern(None, p, o, g)}
        return found | self.extra_by_po.get((p, o), set())

    def objects(self, s, p) -> set:
        if not isinstance(s, RESOURCE):
            return set()
        found = {q.object for g in self.graphs(p) for q in self.store.quads_for_pattern(s, p, None, g)}
        return found | self.extra_by_sp.get((s, p), set())

    def has_subject(self, s, p) -> bool:
        if not isinstance(s, RESOURCE):
            return False
        return any(True for g in self.graphs(p) for _ in self.store.quads_for_pattern(s, p, None, g)) \
            or bool(self.extra_by_sp.get((s, p)))

    def has_object(self, p, o) -> bool:
        return any(True for g in self.graphs(p) for _ in self.store.quads_for_pattern(None, p, o, g)) \
            or bool(self.extra_by_po.get((p, o)))


def consequences(rules: Rules, graphs: Graphs, triple) -> list[tuple]:
    """What the rules derive in one step from `triple` and what `graphs` hold."""
    s, p, o = triple
    found = []
    if p == RDF_TYPE:
        found += [(s, RDF_TYPE, d) for d in rules.supers.get(o, ())]
    expansion = rules.expand.get(p)
    if expansion is not None:
        entailed, s_classes, o_classes = expansion
        found += [(s, q, o) if forward else (o, q, s) for q, forward in entailed]
        found += [(s, RDF_TYPE, c) for c in s_classes]
        found += [(o, RDF_TYPE, c) for c in o_classes]
    if p in rules.transitive:
        found += [(x, p, o) for x in graphs.subjects(p, s)]
        found += [(s, p, y) for y in graphs.objects(o, p)]
    for (head, links), index in rules.chain_links.get(p, ()):
        forward = links[index][1]
        start, end = (s, o) if forward else (o, s)
        for first in _walk(graphs, reversed(links[:index]), start, backwards=True):
            for last in _walk(graphs, links[index + 1:], end, backwards=False):
                found.append((first, head, last))
    return [t for t in found if isinstance(t[0], RESOURCE)]


def _walk(graphs: Graphs, links, start, backwards: bool) -> set:
    """The nodes reached from `start` along `links` (each (property, forward)), or against
    them when `backwards`."""
    nodes = {start}
    for q, forward in links:
        along = forward != backwards
        nodes = {n for node in nodes for n in (graphs.objects(node, q) if along else graphs.subjects(q, node))}
    return nodes


def derivable(rules: Rules, graphs: Graphs, triple) -> bool:
    """Whether some rule derives `triple` in one step from what `graphs` hold."""
    s, p, o = triple
    if p == RDF_TYPE:
        return (any(graphs.holds(s, RDF_TYPE, c) for c in rules.sub_classes.get(o, ()))
                or any(graphs.has_subject(s, q) for q in rules.domain_of.get(o, ()))
                or any(graphs.has_object(q, s) for q in rules.range_of.get(o, ())))
    if any(graphs.holds(s, q, o) if forward else graphs.holds(o, q, s)
           for q, forward in rules.producers.get(p, ())):
        return True
    if p in rules.transitive and graphs.objects(s, p) & graphs.subjects(p, o):
        return True
    for head, links in rules.chains:
        if head == p and o in _walk(graphs, links, s, backwards=False):
            return True
    return False


@dataclass
class InferredChange:
    added: list = field(default_factory=list)     # triples
    removed: list = field(default_factory=list)


def update_inferred(store: ox.Store, rules: Rules, added, removed, asserted, inferred,
                    derived=frozenset()) -> InferredChange:
    """Bring graph `inferred` of `store` up to date: the asserted graphs (`asserted`) already
    hold the change, whose triples are `added` (now asserted, and not before) and `removed`
    (asserted before, and no longer). `derived`: the predicates of the derived terms, which
    no rule may write (Rules.conclusions). Applies the change to the store and returns it."""
    graphs = Graphs(store, asserted, inferred, derived)
    target = inferred
    gone: set = set()    # left the inferred graph
    came: set = set()    # entered it

    def leave(t):
        store.remove(ox.Quad(*t, target))
        if t in came:
            came.discard(t)
        else:
            gone.add(t)

    def enter(t):
        store.add(ox.Quad(*t, target))
        if t in gone:
            gone.discard(t)
        else:
            came.add(t)

    # Over-delete: the old state is the store plus the removed triples.
    removed = set(removed)
    graphs.with_extra(removed)
    suspects, frontier = set(removed), list(removed)
    while frontier:
        following = []
        for triple in frontier:
            for found in consequences(rules, graphs, triple):
                if found not in suspects and graphs.is_inferred(*found):
                    suspects.add(found)
                    following.append(found)
        frontier = following
    graphs.with_extra(())
    for triple in suspects:
        if graphs.is_inferred(*triple):
            leave(triple)
    # Rederive what is still entailed, then insert: semi-naive from both.
    frontier = [t for t in suspects if not graphs.is_asserted(*t) and derivable(rules, graphs, t)]
    for triple in frontier:
        enter(triple)
    frontier += list(added)
    while frontier:
        following = []
        for triple in frontier:
            for found in consequences(rules, graphs, triple):
                if not graphs.holds(*found):
                    enter(found)
                    following.append(found)
        frontier = following
    for triple in added:  # now asserted: no longer in the inferred graph
        if graphs.is_inferred(*triple):
            leave(triple)
    return InferredChange(added=list(came), removed=list(gone))


# --- whether a change can be followed incrementally ----------------------------------------

RDF_NS, RDFS_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS, XSD_NS = "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#"
# rdfs: properties with no OWL RL rule (owlrl types them owl:AnnotationProperty, always).
ANNOTATIONS = {ox.NamedNode(RDFS_NS + n) for n in ("label", "comment", "seeAlso", "isDefinedBy")}
LISTS = {ox.NamedNode(RDF_NS + n) for n in ("first", "rest")}


def is_schema(triple) -> bool:
    """Whether a triple may change the rules themselves (the T-box): a predicate of OWL or
    RDFS other than the annotations, a list link (OWL axioms are written with lists), or a
    type from OWL, RDFS or XSD (a class, a property kind, a datatype). Such a change is
    followed by recomputing the closure (kg.writes.commit)."""
    s, p, o = triple
    if p == RDF_TYPE:
        return isinstance(o, ox.NamedNode) and o.value.startswith((OWL_NS, RDFS_NS, XSD_NS))
    return p in LISTS or (p.value.startswith((OWL_NS, RDFS_NS)) and p not in ANNOTATIONS)


# --- what else the inferred graph holds: derived terms, owlrl's datatype axioms ------------

def refresh_derived(store: ox.Store, changed, sources, target) -> InferredChange:
    """The derived terms (kg.pipeline.infer.add_derived) of every node whose neighbourhood
    the `changed` triples (asserted or inferred, added or removed) touch, recomputed the way
    the build computes them, on a scratch store holding that neighbourhood and the ontology.

    A node's terms depend on the triples within DERIVED_RADIUS hops of it (infer's contract),
    so the nodes to recompute are those from which a changed triple's subject is fewer hops
    away. Walking back over the store after the change finds them all: on a path from such
    a node to a changed triple, before or after the change, the changed triple nearest the
    node has only unchanged triples before it."""
    from kg.pipeline.infer import DERIVED_PREDICATES, DERIVED_RADIUS, ONTOLOGY, add_derived

    derived = {ox.NamedNode(str(p)) for p in DERIVED_PREDICATES}
    graphs = Graphs(store, sources, target)
    nodes = {s for s, p, _ in changed if p not in derived}
    reached = set(nodes)
    for _ in range(DERIVED_RADIUS - 1):
        reached = {q.subject for node in reached for g in graphs.all
                   for q in store.quads_for_pattern(None, None, node, g)}
        nodes |= reached
    if not nodes:
        return InferredChange()
    scratch = ox.Store()
    if ONTOLOGY in sources:
        scratch.extend(store.quads_for_pattern(None, None, None, ONTOLOGY))
    frontier, seen = set(nodes), set()
    for _ in range(DERIVED_RADIUS):
        following = set()
        for node in frontier - seen:
            seen.add(node)
            for g in graphs.all:
                for quad in store.quads_for_pattern(node, None, None, g):
                    if g == target and quad.predicate in derived:
                        continue
                    scratch.add(quad)
                    if isinstance(quad.object, RESOURCE):
                        following.add(quad.object)
        frontier = following
    before = set(scratch.quads_for_pattern(None, None, None, target))
    add_derived(scratch, sources, target)
    new = {(q.subject, q.predicate, q.object) for q in scratch.quads_for_pattern(None, None, None, target)
           if q not in before and q.subject in nodes}
    old = {(q.subject, q.predicate, q.object) for node in nodes for p in derived
           for q in store.quads_for_pattern(node, p, None, target)}
    return _replace(store, target, old, new)


def refresh_owlrl_datatypes(store: ox.Store, sources, target) -> InferredChange:
    """owlrl's datatype axioms for the literal datatypes the asserted graphs now use, in place
    of those for the ones they used (kg.pipeline.infer.owlrl_datatype_axioms)."""
    from owlrl.XsdDatatypes import OWL_RL_Datatypes

    from kg.pipeline.infer import literal_datatypes, owlrl_datatype_axioms
    from kg.terms import to_ox

    def as_ox(triples):
        return {tuple(to_ox(t) for t in triple) for triple in triples}
    graphs = Graphs(store, sources, target)
    every = as_ox(owlrl_datatype_axioms(OWL_RL_Datatypes))
    old = {t for t in every if graphs.is_inferred(*t)}
    new = {t for t in as_ox(owlrl_datatype_axioms(literal_datatypes(store, sources)))
           if not graphs.is_asserted(*t)}
    return _replace(store, target, old, new)


def _replace(store: ox.Store, target, old: set, new: set) -> InferredChange:
    change = InferredChange(added=list(new - old), removed=list(old - new))
    for triple in change.removed:
        store.remove(ox.Quad(*triple, target))
    for triple in change.added:
        store.add(ox.Quad(*triple, target))
    return change


def infer_change(store: ox.Store, rules: Rules, added, removed, asserted, inferred,
                 owlrl_datatypes: bool = False) -> InferredChange:
    """Bring graph `inferred` up to date with a change of the asserted graphs (already in the
    store): the closure (update_inferred), owlrl's datatype axioms when the inferred graph is
    owlrl's (`owlrl_datatypes`) and a changed literal has one of its datatypes, and the
    derived terms (refresh_derived). Applies it to the store and returns it."""
    from kg.pipeline.infer import DERIVED_PREDICATES, owlrl_datatype

    derived = frozenset(ox.NamedNode(str(p)) for p in DERIVED_PREDICATES)
    changes = [update_inferred(store, rules, added, removed, asserted, inferred, derived)]
    if owlrl_datatypes and any(owlrl_datatype(o) is not None for _, _, o in [*added, *removed]):
        changes.append(refresh_owlrl_datatypes(store, asserted, inferred))
    closure = changes[0]
    changes.append(refresh_derived(store, [*added, *removed, *closure.added, *closure.removed],
                                   asserted, inferred))
    net = InferredChange()
    came, gone = {}, {}
    for change in changes:
        for triple in change.removed:
            if came.pop(triple, None) is None:
                gone[triple] = True
        for triple in change.added:
            if gone.pop(triple, None) is None:
                came[triple] = True
    net.added, net.removed = list(came), list(gone)
    return net
