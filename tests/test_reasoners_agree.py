"""owlrl (the reference) and reasonable (the fast reasoner for large graphs) give the same
closure of the REAL data, apart from differences listed and explained here (see also
kg.reasoning). Every inferred triple about the data (the A-box: what queries see) is the same;
the differences are only about the vocabulary's own terms and the trivial owl:Thing."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

pytest.importorskip("reasonable")

from kg.build import load_graphs  # noqa: E402
from kg.inference import owl_rl_closure  # noqa: E402
from kg.reasoning import reasonable_closure  # noqa: E402

# owlrl's schema rules (scm-cls, scm-sco, scm-op, scm-dp, scm-eqc, scm-eqp, scm-dom, scm-rng):
# every class is its own sub- and equivalent class, sub-property chains carry domains and
# ranges up, classes become subclasses of owl:Thing. `reasonable` does not materialise the
# T-box; queries that need it use rdfs:subClassOf* paths.
TBOX = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.equivalentClass,
        OWL.equivalentProperty, OWL.disjointWith}
# owlrl types every datatype it meets rdfs:Datatype and annotation properties
# owl:AnnotationProperty (its axiomatic triples for them); also vocabulary-only.
TBOX_TYPES = {RDFS.Datatype, OWL.AnnotationProperty}


@pytest.fixture(scope="module")
def closures():
    graphs = load_graphs()
    asserted = graphs.asserted()
    return asserted, set(owl_rl_closure(asserted)), set(reasonable_closure(asserted))


ENTITIES = "https://w3id.org/civic-protest/id/"


def explained(triple) -> str | None:
    s, p, o = triple
    if p in TBOX and not str(s).startswith(ENTITIES):
        return "owlrl's schema (T-box) rules"
    if p == RDF.type and o in TBOX_TYPES:
        return "owlrl's typing of datatypes and annotation properties"
    if p == RDF.type and o == OWL.Thing:
        return ("rdf:type owl:Thing: both reasoners add it (cls-thing), to different sets of "
                "nodes (reasonable: every node including blank nodes and properties)")
    return None


def test_the_closures_agree_on_the_data(closures):
    _, owlrl, fast = closures
    unexplained = sorted((t for t in owlrl ^ fast if explained(t) is None), key=str)
    assert not unexplained, "\n".join(
        f"{'owlrl only' if t in owlrl else 'reasonable only'}: {t}" for t in unexplained[:20])


def test_every_inferred_fact_about_an_entity_is_the_same(closures):
    """The A-box without owl:Thing: exactly the same triples, both ways."""
    _, owlrl, fast = closures

    def about_entities(triples):
        return {t for t in triples if str(t[0]).startswith(ENTITIES)
                and not (t[1] == RDF.type and t[2] == OWL.Thing)}

    assert about_entities(owlrl) == about_entities(fast)
    assert len(about_entities(fast)) > 1000


def test_literals_come_back_as_plain_literals(closures):
    _, _, fast = closures
    assert not [o for _, _, o in fast if isinstance(o, Literal) and o.datatype == URIRef(
        "http://www.w3.org/2001/XMLSchema#string")]
