"""The focus nodes a change can affect (kg.pipeline.shacl_focus) include every node whose
verdict the change turns, for shapes that use what our shapes do not (yet): sequence paths,
inverse paths (of sequences too), alternatives, sh:node into a nested shape that walks back
along another path, sh:or / sh:not of property shapes, sh:class at the end of a path,
sh:targetObjectsOf (a literal focus node too), sh:targetSubjectsOf and sh:targetNode. Property-based (hypothesis):
random graphs and random changes; for each shape and each node, the verdict before and after
(by the shapes compiled to SPARQL, kg.pipeline.shacl_sparql) is compared, and any node whose
verdict differs must be among the focus nodes found, whether the graph conformed or not.

tests/test_incremental_writes.py checks the whole write path with our own shapes."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings, strategies as st
from rdflib import Graph

from kg.pipeline.shacl_focus import FocusReaders
from kg.pipeline.shacl_sparql import targeted_shapes, validate_focus

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Sequence a sh:NodeShape ; sh:targetClass ex:A ;
    sh:property [ sh:path ( ex:p ex:q ) ; sh:class ex:B ; sh:maxCount 2 ] .
ex:Inverse a sh:NodeShape ; sh:targetClass ex:B ;
    sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ; sh:node ex:HasR ] .
ex:HasR a sh:NodeShape ; sh:property [ sh:path ex:r ; sh:minCount 1 ; sh:datatype xsd:integer ] .
ex:Objects a sh:NodeShape ; sh:targetObjectsOf ex:q ;
    sh:property [ sh:path [ sh:alternativePath ( ex:r [ sh:inversePath ex:q ] ) ] ; sh:maxCount 2 ] .
ex:Subjects a sh:NodeShape ; sh:targetSubjectsOf ex:r ; sh:not [ sh:class ex:C ] .
ex:Either a sh:NodeShape ; sh:targetClass ex:C ;
    sh:or ( [ sh:path ex:p ; sh:minCount 2 ]
            [ sh:path ( [ sh:inversePath ex:q ] ex:p ) ; sh:class ex:A ; sh:minCount 1 ] ) .
ex:Marked a sh:NodeShape ; sh:targetObjectsOf ex:r ; sh:nodeKind sh:IRI .
ex:Deep a sh:NodeShape ; sh:targetNode ex:n0, ex:n1 ;
    sh:property [ sh:path ex:p ;
                  sh:node [ sh:property [ sh:path [ sh:inversePath ( ex:q ex:r ) ] ; sh:minCount 1 ] ] ] .
"""
E = "http://e/"
NODES = [ox.NamedNode(f"{E}n{i}") for i in range(8)]
LITERALS = [ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            ox.Literal("x")]
CLASSES = [ox.NamedNode(E + c) for c in "ABC"]
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
GRAPH = ox.NamedNode("urn:x-test:data")


def triples():
    links = st.tuples(st.sampled_from(NODES), st.sampled_from([ox.NamedNode(E + p) for p in "pq"]),
                      st.sampled_from(NODES))
    values = st.tuples(st.sampled_from(NODES), st.just(ox.NamedNode(E + "r")),
                       st.sampled_from(NODES + LITERALS))
    types = st.tuples(st.sampled_from(NODES), st.just(TYPE), st.sampled_from(CLASSES))
    return st.one_of(links, values, types)


@pytest.fixture(scope="module")
def shapes():
    graph = Graph().parse(data=SHAPES, format="turtle")
    return graph, FocusReaders(graph)


def verdicts(store: ox.Store, shapes_graph: Graph) -> set:
    """(shape, node) for each node of the graph that is a focus node of the shape and violates it."""
    terms = {t for q in store for t in (q.subject, q.object)}
    found = set()
    for shape in targeted_shapes(shapes_graph):
        for node in terms:
            if not validate_focus(store, shapes_graph, {shape: {node}}, [GRAPH], report=False).conforms:
                found.add((shape, node))
    return found


def assert_focus_complete(readers, shapes_graph, before: set, added: set, removed: set) -> None:
    removed = removed & before - added
    added = added - before
    store = ox.Store()
    store.extend(ox.Quad(*t, GRAPH) for t in before)
    old = verdicts(store, shapes_graph)
    for t in removed:
        store.remove(ox.Quad(*t, GRAPH))
    store.extend(ox.Quad(*t, GRAPH) for t in added)
    new = verdicts(store, shapes_graph)
    focus = readers.focus_nodes(store, [GRAPH], [*added, *removed])
    missed = {(shape, node) for shape, node in old ^ new if node not in focus.get(shape, set())}
    assert not missed, (missed, added, removed)


@settings(max_examples=200, deadline=None, database=None)
@given(before=st.sets(triples(), min_size=8, max_size=24), added=st.sets(triples(), max_size=2),
       data=st.data())
def test_every_node_whose_verdict_changes_is_a_focus_node(shapes, before, added, data):
    removed = data.draw(st.sets(st.sampled_from(sorted(before, key=str)), max_size=2))
    assert_focus_complete(*reversed(shapes), before, added, removed)


def t(s, p, o):
    term = {"p": E + "p", "q": E + "q", "r": E + "r", "a": TYPE.value}
    obj = LITERALS[0] if o == 1 else ox.NamedNode(E + o)
    return (ox.NamedNode(E + s), ox.NamedNode(term[p]), obj)


# Each: a change that turns one verdict, through one construct (read: which path leads there).
CASES = {
    "inverse path, then sh:node at the value": ({t("n1", "p", "n2"), t("n2", "a", "B"), t("n1", "r", 1)},
                                                set(), {t("n1", "r", 1)}),
    "sh:class at the end of a sequence": ({t("n0", "a", "A"), t("n0", "p", "n1"), t("n1", "q", "n2"),
                                           t("n2", "a", "B")}, set(), {t("n2", "a", "B")}),
    "targetObjectsOf, inverse in an alternative": ({t("n1", "q", "n0"), t("n2", "q", "n0")},
                                                   {t("n3", "q", "n0")}, set()),
    "sh:or, a sequence starting with an inverse": ({t("n0", "a", "C"), t("n1", "q", "n0"), t("n1", "p", "n2"),
                                                    t("n2", "a", "A")}, set(), {t("n2", "a", "A")}),
    "sh:node, the inverse of a sequence": ({t("n0", "p", "n1"), t("n2", "q", "n3"), t("n3", "r", "n1")},
                                           set(), {t("n2", "q", "n3")}),
    "targetSubjectsOf, sh:not": ({t("n0", "r", 1), t("n0", "a", "C")}, set(), {t("n0", "a", "C")}),
    "targetObjectsOf, a literal focus node": ({t("n0", "r", "n1")}, {t("n0", "r", 1)}, set()),
}


@pytest.mark.parametrize("case", CASES)
def test_each_construct_on_a_change_that_turns_a_verdict(shapes, case):
    before, added, removed = CASES[case]
    shapes_graph, readers = shapes
    store = ox.Store()
    store.extend(ox.Quad(*x, GRAPH) for x in before)
    old = verdicts(store, shapes_graph)
    store.extend(ox.Quad(*x, GRAPH) for x in added)
    for x in removed:
        store.remove(ox.Quad(*x, GRAPH))
    assert old != verdicts(store, shapes_graph), "the case must turn a verdict"
    assert_focus_complete(readers, shapes_graph, before, added, removed)


def test_every_construct_is_read(shapes):
    """Each shape above compiles to readers (none is skipped as unsupported)."""
    shapes_graph, readers = shapes
    assert {str(s).rsplit("/", 1)[-1] for s in readers.readers} >= {
        "Sequence", "Inverse", "Objects", "Subjects", "Either", "Marked", "Deep"}
