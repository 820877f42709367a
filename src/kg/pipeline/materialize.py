"""OWL-RL materialization compiled from OUR ontology to SPARQL updates, run inside pyoxigraph.

The build's reasoner for large graphs (`kg build --reasoner sparql`). `reasonable` computes
the closure in Rust but hands 2.6 M Python tuples back at 10^6 triples (most of its time);
owlrl is pure Python. Here the T-box (a thousand triples) is closed in Python, and the A-box
rules it implies are compiled into one SPARQL update per data predicate and per asserted
class, anchored on that predicate (or class), which pyoxigraph evaluates without a single
term crossing into Python.

The OWL 2 RL rules our ontology (and data) use, and how each is applied:
- scm-cls, scm-op, scm-dp, scm-sco, scm-spo, scm-dom1/2, scm-rng1/2, scm-eqc2, scm-eqp2 (the
  schema closure): in Python over the T-box; written into the inferred graph as owlrl does.
- prp-spo1 (sub-property), prp-inv1/2 (inverse), prp-symp (symmetric), prp-dom, prp-rng,
  cax-sco (sub-class, with owl:Thing above every declared owl:Class, as owlrl's scm-cls makes
  it): single-premise rules, closed at compile time into, for each predicate P, the set of
  (property, direction) a P-triple entails and the classes of its subject and object; each
  becomes one `INSERT ... WHERE { ?s P ?o }`.
- prp-trp (transitive): `?a P+ ?b` over asserted + inferred; prp-spo2 (property chains, links
  possibly inverse): one join per chain. Their new triples go through the single-premise
  rules again, and both run again until they find nothing new (semi-naive: the second round
  only expands the delta).
- eq-* (owl:sameAs): not supported, nor any other OWL construct that triggers an OWL 2 RL
  rule (restrictions, functional properties, disjointness, equivalences, ...): they raise
  `Unsupported` when present in any graph, so the caller falls back to `reasonable` or owlrl
  and nothing is silently left out. Our ontology forbids owl:sameAs (see its header).

tests/test_reasoners_agree.py compares the result with owlrl's closure of the real data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
TYPE = RDF + "type"
SUBCLASS, SUBPROPERTY, DOMAIN, RANGE = (RDFS + n for n in ("subClassOf", "subPropertyOf",
                                                           "domain", "range"))
THING, NOTHING = OWL + "Thing", OWL + "Nothing"
EQ_CLASS, EQ_PROPERTY = OWL + "equivalentClass", OWL + "equivalentProperty"

# OWL vocabulary that triggers OWL 2 RL rules this compiler does not implement.
UNSUPPORTED_PREDICATES = tuple(OWL + n for n in (
    "sameAs", "differentFrom", "equivalentClass", "equivalentProperty", "disjointWith",
    "propertyDisjointWith", "intersectionOf", "unionOf", "complementOf", "oneOf",
    "someValuesFrom", "allValuesFrom", "hasValue", "onProperty", "onClass", "maxCardinality",
    "maxQualifiedCardinality", "cardinality", "minCardinality", "hasKey", "members",
    "distinctMembers", "disjointUnionOf", "sourceIndividual", "assertionProperty",
    "targetIndividual", "targetValue", "withRestrictions", "onDatatype", "hasSelf"))
UNSUPPORTED_TYPES = tuple(OWL + n for n in (
    "FunctionalProperty", "InverseFunctionalProperty", "IrreflexiveProperty",
    "AsymmetricProperty", "AllDisjointClasses", "AllDisjointProperties", "AllDifferent",
    "NegativePropertyAssertion", "Restriction"))


class Unsupported(ValueError):
    """The ontology or data uses OWL that this compiler does not materialise."""


@dataclass
class Program:
    """The compiled rules: T-box triples to add, and SPARQL updates for the A-box."""

    tbox: set = field(default_factory=set)             # (s, p, o) IRIs
    expand: dict = field(default_factory=dict)         # predicate -> ([(q, forward)], s-classes, o-classes)
    type_expand: dict = field(default_factory=dict)    # class -> superclasses to add
    transitive: list = field(default_factory=list)     # property IRIs
    chains: list = field(default_factory=list)         # (head, [(link, forward)])

    def expansion_updates(self, premises, target, asserted) -> list[str]:
        """The single-premise consequences of the triples in graphs `premises`, into `target`
        (not the triples themselves): one INSERT per predicate for the properties a triple
        entails, one per class for its instances not typed so in graphs `asserted` (each node
        once, though it reaches a class through many premises)."""
        def each_graph(pattern):
            return " UNION ".join(f"{{ GRAPH <{g}> {{ {pattern} }} }}" for g in premises)

        updates = []
        for p, (derived, _, _) in sorted(self.expand.items()):
            template = [f"?s <{q}> ?o ." if forward else f"?o <{q}> ?s ."
                        for q, forward in derived if (q, forward) != (p, True)]
            if template:
                updates.append(f"INSERT {{ GRAPH <{target}> {{ {' '.join(template)} }} }} "
                               f"WHERE {{ {each_graph(f'?s <{p}> ?o')} }}")
        for c, patterns in sorted(self.class_premises().items()):
            union = " UNION ".join(each_graph(pattern) for pattern in sorted(patterns))
            known = " ".join(f"FILTER NOT EXISTS {{ GRAPH <{g}> {{ ?x a <{c}> }} }}" for g in asserted)
            updates.append(f"INSERT {{ GRAPH <{target}> {{ ?x a <{c}> }} }} "
                           f"WHERE {{ {{ SELECT DISTINCT ?x WHERE {{ {union} }} }} {known} }}")
        return updates

    def class_premises(self) -> dict[str, set[str]]:
        """For each class, the patterns whose matches ?x are (by cax-sco, prp-dom, prp-rng over
        the entailed properties) its instances."""
        premises: dict[str, set[str]] = defaultdict(set)
        for p, (_, s_classes, o_classes) in self.expand.items():
            for c in s_classes:
                premises[c].add(f"?x <{p}> []")
            for c in o_classes:
                premises[c].add(f"[] <{p}> ?x")
        for c, supers in self.type_expand.items():
            for d in supers:
                premises[d].add(f"?x a <{c}>")
        return premises

    def derived_properties(self) -> set[str]:
        """Every property an A-box rule can write (rdf:type aside)."""
        return ({q for derived, _, _ in self.expand.values() for q, _ in derived}
                | set(self.transitive) | {head for head, _ in self.chains})

    def join_updates(self, sources, target) -> list[str]:
        """The two-premise rules (prp-trp, prp-spo2): what they derive that is not yet in
        `sources`, into `target`."""
        using = " ".join(f"USING <{g}>" for g in sources)
        updates = []
        for p in self.transitive:
            updates.append(f"INSERT {{ GRAPH <{target}> {{ ?a <{p}> ?b }} }} {using} "
                           f"WHERE {{ ?a <{p}>+ ?b FILTER NOT EXISTS {{ ?a <{p}> ?b }} }}")
        for head, links in self.chains:
            steps = " ".join(f"?x{i} {'' if forward else '^'}<{q}> ?x{i + 1} ."
                             for i, (q, forward) in enumerate(links))
            last = f"?x{len(links)}"
            updates.append(f"INSERT {{ GRAPH <{target}> {{ ?x0 <{head}> {last} }} }} {using} "
                           f"WHERE {{ {steps} FILTER NOT EXISTS {{ ?x0 <{head}> {last} }} }}")
        return updates


def _iris(store, query: str, graphs) -> list[tuple]:
    """Rows of a SELECT over the union of `graphs` whose values are all IRIs, as strings
    (blank nodes, e.g. the anonymous inverse in a property chain, are not schema terms)."""
    using = " ".join(f"FROM <{g}>" for g in graphs)
    rows = store.query(query.replace("WHERE", f"{using} WHERE", 1))
    return [tuple(term.value for term in row) for row in rows
            if all(isinstance(term, ox.NamedNode) for term in row)]


def _check_supported(store, graphs) -> None:
    using = " ".join(f"FROM <{g}>" for g in graphs)
    for p in UNSUPPORTED_PREDICATES:
        if store.query(f"ASK {using} {{ ?s <{p}> ?o }}"):
            raise Unsupported(f"<{p}> occurs in the graph")
    for c in UNSUPPORTED_TYPES:
        if store.query(f"ASK {using} {{ ?s a <{c}> }}"):
            raise Unsupported(f"something is typed <{c}>")


def _closure(edges: dict) -> dict:
    """Reflexive-transitive closure of a relation given as node -> set of nodes."""
    result = {}

    def reach(node):
        if node in result:
            return result[node]
        seen, todo = {node}, [node]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        result[node] = seen
        return seen

    for node in list(edges):
        reach(node)
    return result


def compile_program(store: ox.Store, graphs) -> Program:
    """The rules of the ontology (any T-box triples in `graphs`), ready to run."""
    _check_supported(store, graphs)
    pairs = lambda p: _iris(store, f"SELECT ?s ?o WHERE {{ ?s <{p}> ?o }}", graphs)  # noqa: E731
    typed = lambda c: {s for (s,) in _iris(store, f"SELECT ?s WHERE {{ ?s a <{c}> }}", graphs)}  # noqa: E731

    declared = typed(OWL + "Class")
    object_props, data_props = typed(OWL + "ObjectProperty"), typed(OWL + "DatatypeProperty")
    sub_class, sub_prop = defaultdict(set), defaultdict(set)
    for s, o in pairs(SUBCLASS):
        sub_class[s].add(o)
    for c in declared:                        # scm-cls: every class is between owl:Nothing
        sub_class[c].add(THING)               # and owl:Thing
        sub_class[NOTHING].add(c)
    for s, o in pairs(SUBPROPERTY):
        sub_prop[s].add(o)
    sup_c, sup_p = _closure(sub_class), _closure(sub_prop)
    sc = lambda c: sup_c.get(c, {c})          # noqa: E731
    sp = lambda p: sup_p.get(p, {p})          # noqa: E731

    domains, ranges = defaultdict(set), defaultdict(set)
    for s, o in pairs(DOMAIN):
        domains[s].add(o)
    for s, o in pairs(RANGE):
        ranges[s].add(o)

    def closed(declared_on, p):               # scm-dom1/2, scm-rng1/2
        return {d for q in sp(p) for c in declared_on.get(q, ()) for d in sc(c)}

    inverse = defaultdict(set)
    for s, o in pairs(OWL + "inverseOf"):
        inverse[s].add(o)
        inverse[o].add(s)
    symmetric = typed(OWL + "SymmetricProperty")
    transitive = typed(OWL + "TransitiveProperty")

    program = Program()
    # T-box, as owlrl writes it.
    tbox = program.tbox
    for c in declared | {THING, NOTHING}:     # cls-thing, cls-nothing1, scm-cls
        tbox |= {(c, TYPE, OWL + "Class"), (c, SUBCLASS, c), (c, EQ_CLASS, c),
                 (c, SUBCLASS, THING), (NOTHING, SUBCLASS, c)}
    for c in list(sub_class):                 # scm-sco
        for d in sc(c) - {c}:
            tbox.add((c, SUBCLASS, d))
            if c != d and c in sc(d):
                tbox.add((c, EQ_CLASS, d))
    for p in object_props | data_props:
        tbox |= {(p, SUBPROPERTY, p), (p, EQ_PROPERTY, p)}
    for p in set(sub_prop) | set(domains) | set(ranges):
        for q in sp(p) - {p}:                 # scm-spo
            tbox.add((p, SUBPROPERTY, q))
            if p != q and p in sp(q):
                tbox.add((p, EQ_PROPERTY, q))
        tbox |= {(p, DOMAIN, c) for c in closed(domains, p)}
        tbox |= {(p, RANGE, c) for c in closed(ranges, p)}

    # A-box, single premise: what a triple of each predicate entails.
    def entailed(p):
        seen, todo = {(p, True)}, [(p, True)]
        while todo:
            q, forward = todo.pop()
            nxt = [(r, forward) for r in sp(q)] + [(r, not forward) for r in inverse.get(q, ())]
            if q in symmetric:
                nxt.append((q, not forward))
            for item in nxt:
                if item not in seen:
                    seen.add(item)
                    todo.append(item)
        return seen

    # Every predicate with a consequence is named in the T-box (no scan of the data for them).
    chains = _chains(store, graphs)
    candidates = (set(sub_prop) | set(domains) | set(ranges) | set(inverse) | symmetric
                  | transitive | {head for head, _ in chains})
    for p in candidates:
        if p == TYPE:
            continue
        derived = entailed(p)
        s_classes = {d for q, fw in derived for c in (domains if fw else ranges).get(q, ())
                     for d in sc(c)}
        o_classes = {d for q, fw in derived for c in (ranges if fw else domains).get(q, ())
                     for d in sc(c)}
        if derived != {(p, True)} or s_classes or o_classes:
            program.expand[p] = (sorted(derived), s_classes, o_classes)
    for c in sub_class:
        supers = sc(c) - {c}
        if supers:
            program.type_expand[c] = supers
    program.transitive = sorted(transitive)
    program.chains = chains
    return program


def _chains(store, graphs) -> list:
    """owl:propertyChainAxiom lists, each link an IRI or [ owl:inverseOf IRI ]."""
    named = [ox.NamedNode(g) for g in graphs]

    def value(subject, predicate):
        for g in named:
            for quad in store.quads_for_pattern(subject, ox.NamedNode(predicate), None, g):
                return quad.object
        return None

    chains = []
    for g in named:
        for quad in store.quads_for_pattern(None, ox.NamedNode(OWL + "propertyChainAxiom"), None, g):
            links, node = [], quad.object
            while node != ox.NamedNode(RDF + "nil"):
                first, inverse = value(node, RDF + "first"), None
                if isinstance(first, ox.BlankNode):
                    inverse = value(first, OWL + "inverseOf")
                if isinstance(first, ox.NamedNode):
                    links.append((first.value, True))
                elif isinstance(inverse, ox.NamedNode):
                    links.append((inverse.value, False))
                else:
                    raise Unsupported(f"property chain link {first} of {quad.subject}")
                node = value(node, RDF + "rest")
            chains.append((quad.subject.value, links))
    return sorted(chains)


DELTA = "urn:x-kg:materialize:delta"


def materialize(store: ox.Store, sources, target) -> Program:
    """Add to graph `target` the OWL-RL closure of the union of graphs `sources` (IRIs), less
    what they assert. Raises Unsupported (before writing anything) for OWL it does not know."""
    sources = [str(g) for g in sources]
    target = str(target)
    program = compile_program(store, sources)
    graph = ox.NamedNode(target)
    named = [ox.NamedNode(g) for g in sources]

    def asserted(s, p, o) -> bool:
        return any(True for g in named for _ in store.quads_for_pattern(s, p, o, g))

    tbox = [tuple(map(ox.NamedNode, triple)) for triple in sorted(program.tbox)]
    store.extend([ox.Quad(*triple, graph) for triple in tbox if not asserted(*triple)])
    for update in program.expansion_updates(sources, target, sources):
        store.update(update)
    delta = ox.NamedNode(DELTA)
    while True:
        for update in program.join_updates([*sources, target], DELTA):
            store.update(update)
        if not store.query(f"ASK {{ GRAPH <{DELTA}> {{ ?s ?p ?o }} }}"):
            break
        for update in program.expansion_updates([DELTA], target, sources):
            store.update(update)
        store.update(f"ADD <{DELTA}> TO <{target}> ; DROP SILENT GRAPH <{DELTA}>")
    if delta in set(store.named_graphs()):
        store.remove_graph(delta)
    without_asserted(store, sources, target, program.derived_properties())
    return program


def without_asserted(store: ox.Store, sources, target, properties) -> None:
    """Remove from `target` the triples of `properties` that some graph of `sources` asserts
    (only properties that occur in `sources` at all are looked at: the T-box triples and the
    types are never written when asserted)."""
    using = " ".join(f"FROM <{g}>" for g in sources)
    occurring = [p for p in sorted(properties) if store.query(f"ASK {using} {{ ?s <{p}> ?o }}")]
    if not occurring:
        return
    asserted = " UNION ".join(f"{{ GRAPH <{g}> {{ ?s ?p ?o }} }}" for g in sources)
    values = " ".join(f"<{p}>" for p in occurring)
    store.update(f"DELETE {{ GRAPH <{target}> {{ ?s ?p ?o }} }} "
                 f"WHERE {{ VALUES ?p {{ {values} }} GRAPH <{target}> {{ ?s ?p ?o }} {asserted} }}")
