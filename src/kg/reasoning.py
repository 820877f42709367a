"""The OWL-RL reasoners the build can use: owlrl (pure Python), reasonable (Rust) and sparql
(kg.materialize: the rules of our ontology compiled to SPARQL updates run inside pyoxigraph,
the default for large graphs; compared with owlrl in tests/test_reasoners_agree.py too).

owlrl is the reference: it is slow (about 7 s for the real data's 5k triples, 35 s at 10^5)
but complete for our ontology. `reasonable` computes the same closure in a fraction of the
time (0.2 s for the real data, about 2 s at 10^5, 20 s at 10^6), so the build uses it for
large graphs. tests/test_reasoners_agree.py compares both on the real data; the differences
that remain after `normalise` are listed and explained there:

- owlrl adds T-box triples about the ontology's own terms (reflexive rdfs:subClassOf and
  rdfs:subPropertyOf, owl:equivalentClass/Property with themselves, domains and ranges
  inherited through sub-properties, rdf:type rdfs:Datatype, owl:AnnotationProperty), which
  no query over the data uses;
- reasonable types every individual owl:Thing (rule cls-thing applied to the A-box);
- reasonable does not apply property chains whose first link is an inverse
  (`owl:propertyChainAxiom ( [ owl:inverseOf cpo:person ] cpo:relative )`), so it misses
  cpo:hasRelative and its super-property schema:relatedTo; `complete_chains` adds them.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from kg.namespaces import CPO, SCHEMA

REASONERS = ("owlrl", "reasonable", "sparql")
# At or above this many asserted triples, `auto` picks the fast build (kg.fast_build) with
# `sparql` (kg.materialize: our ontology's OWL-RL rules compiled to SPARQL, inside
# pyoxigraph), which falls back to `reasonable` if the ontology uses OWL it does not compile.
# Measured (benchmarks/README.md, "Build at 10^6"): at 10^6 triples sparql infers in about
# 17 s of CPU against about 100 s for reasonable (most of it converting its 2.6 M Python
# tuples); owlrl takes 35 s at 10^5. Below this size the owlrl build is kept: it is the
# reference, and pyshacl's reports name the source file of each violation.
LARGE_GRAPH = 50_000


def choose(reasoner: str, asserted_triples: int) -> str:
    if reasoner == "auto":
        return "sparql" if asserted_triples >= LARGE_GRAPH else "owlrl"
    if reasoner not in REASONERS:
        raise ValueError(f"unknown reasoner {reasoner!r} (choose from {', '.join(REASONERS)}, auto)")
    return reasoner


def normalise(term):
    """reasonable writes plain literals as "x"^^xsd:string; RDF 1.1 says they are the same."""
    if isinstance(term, Literal) and term.language is None and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def is_noise(triple) -> bool:
    """Triples a reader cannot use: reflexive owl:sameAs, generalized RDF (literal subjects,
    blank-node predicates), and reasonable's rdf:type owl:Thing on every individual."""
    s, p, o = triple
    return (isinstance(s, Literal) or not isinstance(p, URIRef) or (p == OWL.sameAs and s == o)
            )


def reasonable_closure(asserted: Graph) -> Graph:
    """The triples OWL-RL inference (by `reasonable`) adds to `asserted`."""
    import reasonable

    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(asserted)
    inferred = Graph()
    add = inferred.add
    for s, p, o in reasoner.reason():
        triple = (s, p, normalise(o))
        if not is_noise(triple) and triple not in asserted:
            add(triple)
    complete_chains(asserted, inferred)
    return inferred


def complete_chains(asserted: Graph, inferred: Graph) -> None:
    """cpo:hasRelative from family relations (the chain reasonable leaves out), symmetric,
    and its super-property schema:relatedTo; only what is not already there."""
    both = asserted + inferred
    for relation in both.subjects(CPO.person, None):
        for person in both.objects(relation, CPO.person):
            for relative in both.objects(relation, CPO.relative):
                for a, b in ((person, relative), (relative, person)):
                    for p in (CPO.hasRelative, SCHEMA.relatedTo):
                        if (a, p, b) not in asserted:
                            inferred.add((a, p, b))
