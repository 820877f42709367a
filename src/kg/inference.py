"""OWL-RL inference: the closure of ontology + data, kept apart from what was asserted."""

from __future__ import annotations

import owlrl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL

from kg.dates import date_bounds


def owl_rl_closure(asserted: Graph) -> Graph:
    """The triples that OWL-RL inference adds to `asserted` (not including `asserted` itself)."""
    work = Graph()
    for triple in asserted:
        work.add(triple)
    # improved_datatypes=False: otherwise owlrl swaps rdflib's process-wide lexical-to-Python
    # conversions and "restores" its own notion of them, after which rdflib no longer finds
    # "2020-12"^^xsd:gYearMonth equal to itself in any graph parsed later in the process.
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False,
                           improved_datatypes=False).expand(work)
    inferred = Graph()
    for triple in work:
        if triple not in asserted and not _is_noise(triple):
            inferred.add(triple)
    return inferred


def infer(asserted: Graph) -> Graph:
    """Everything the build derives: the OWL-RL closure plus the day bounds of dates."""
    inferred = owl_rl_closure(asserted)
    inferred += date_bounds(asserted)
    return inferred


def _is_noise(triple) -> bool:
    """Triples a reader cannot use: reflexive owl:sameAs (one per resource), and the
    generalized-RDF triples owlrl makes about literals, which RDF syntaxes cannot even write."""
    s, p, o = triple
    return isinstance(s, Literal) or not isinstance(p, URIRef) or (p == OWL.sameAs and s == o)
