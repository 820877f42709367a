"""The SPARQL-compiled validator (kg.pipeline.shacl_sparql, used for large graphs) agrees with pyshacl:
on every shapes/examples file (valid and invalid) and on the real data, the same conformance
and the same (focus node, shape) pairs."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.pipeline.build import load_graphs
from kg.pipeline.load import parse_file
from kg.namespaces import SH
from kg.pipeline.infer import closure
from kg.pipeline.shacl_sparql import compile_shapes, validate_store
from kg.pipeline.validate import load_shapes
from shape_fixtures import EXAMPLES, example_base, to_store

pytest.importorskip("reasonable")
import pyshacl  # noqa: E402



@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def base() -> Graph:
    return example_base()


def pyshacl_pairs(graph: Graph, shapes: Graph) -> tuple[bool, set]:
    conforms, results, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none",
                                            advanced=True, allow_warnings=True)
    pairs = {(str(results.value(r, SH.focusNode)), str(results.value(r, SH.sourceShape)))
             for r in results.subjects(SH.focusNode, None)
             if isinstance(results.value(r, SH.focusNode), URIRef)}
    return bool(conforms), pairs


def sparql_pairs(graph: Graph, shapes: Graph) -> tuple[bool, set]:
    report = validate_store(to_store(graph), shapes)
    pairs = {(v.focus_node, v.shape) for v in report.violations if not v.focus_node.startswith("_:")}
    return report.conforms, pairs


def test_every_shape_compiles(shapes):
    assert len(compile_shapes(shapes)) > 50


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_agrees_with_pyshacl_on_the_examples(example: Path, shapes, base):
    graph = base + parse_file(example)
    closed = graph + closure(graph, "reasonable")
    expected = pyshacl_pairs(closed, shapes)
    assert sparql_pairs(closed, shapes) == expected
    assert expected[0] == example.stem.endswith("-valid")


def test_agrees_with_pyshacl_on_the_real_data(shapes):
    graphs = load_graphs()
    asserted = graphs.asserted()
    closed = asserted + closure(asserted, "reasonable")
    assert sparql_pairs(closed, shapes) == pyshacl_pairs(closed, shapes)
