"""kg.pipeline.shacl_sparql.validate_store screens each shape with one query before running its checks
(the fast build's validation at 10^6 triples): the screening must never hide a violation.
On every shapes/examples file (valid and invalid) and on the real data, the screened report is
exactly the unscreened one (every check run), violation for violation."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from kg.pipeline.build import load_graphs
from kg.pipeline.load import parse_file
from kg.pipeline.infer import closure
from kg.pipeline.shacl_sparql import Compiler, validate_store, validate_store_unscreened
from kg.pipeline.validate import load_shapes
from shape_fixtures import EXAMPLES, example_base, to_store



@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def base() -> Graph:
    return example_base()


def same_reports(store: ox.Store, shapes: Graph):
    screened, full = validate_store(store, shapes), validate_store_unscreened(store, shapes)
    assert screened.conforms == full.conforms
    assert screened.violations == full.violations
    return screened


def test_every_targeted_shape_is_screened(shapes):
    groups = Compiler(shapes).groups()
    assert len(groups) > 20 and all(screen.startswith("ASK") for screen, _ in groups)
    assert sum(len(checks) for _, checks in groups) == len(Compiler(shapes).checks())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_screening_hides_no_violation_of_the_examples(example: Path, shapes, base):
    graph = base + parse_file(example)
    report = same_reports(to_store(graph + closure(graph, "sparql")), shapes)
    assert report.conforms == example.stem.endswith("-valid")


def test_screening_on_the_real_data(shapes):
    asserted = load_graphs().asserted()
    assert same_reports(to_store(asserted + closure(asserted, "sparql")), shapes).conforms
