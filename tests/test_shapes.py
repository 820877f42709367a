"""Shape tests, in the manner of OGC GeoSPARQL's: every SHACL node shape has a -valid example that
conforms to all shapes and an -invalid example that breaks that shape, and the violation is
reported by that shape (or one of its property shapes) with its own message, naming the focus
node and the path.

Each example is validated as the build validates data: ontology + shapes/examples/common.ttl +
the example, closed under the build's inference (OWL-RL + date bounds), then pyshacl with the
shapes of shapes/shapes.ttl.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from kg.namespaces import CPS, SH, bind_prefixes
from kg.paths import ONTOLOGY_DIR, SHAPES_DIR, ontology_files, turtle_files
from kg.pipeline.infer import date_bounds, infer, owl_rl_closure
from kg.pipeline.load import parse_file
from kg.pipeline.validate import load_shapes, show_term, validate

EXACT = os.environ.get("KG_SHAPES_EXACT") == "1"   # run the build's inference as is, slowly
SCHEMA_PROPERTIES = (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
                     OWL.equivalentClass, OWL.equivalentProperty, OWL.inverseOf)
EXAMPLES_DIR = SHAPES_DIR / "examples"
COMMON = EXAMPLES_DIR / "common.ttl"
EXAMPLE_NAME = re.compile(r"^(?P<shape>[A-Za-z]+Shape)-(?P<kind>valid|invalid)$")
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*.ttl") if EXAMPLE_NAME.match(p.stem))


def _example_id(path: Path) -> str:
    return path.stem


# ---------------------------------------------------------------------------
# Cached inputs: the ontology, the shapes, and the closure of ontology + common fixtures
# ---------------------------------------------------------------------------

class Base:
    """Ontology + common.ttl and their inferred triples, computed once for the module."""

    def __init__(self):
        self.ontology = Graph()
        for path in ontology_files(ONTOLOGY_DIR):
            self.ontology += parse_file(path)
        self.common = parse_file(COMMON)
        self.asserted = self.ontology + self.common
        self.inferred = infer(self.asserted)
        self.closed = self.asserted + self.inferred
        vocabulary = set(self.ontology.subjects())
        # The common fixtures and what the base closure says about them (not about the vocabulary).
        self.fixtures = Graph()
        for triple in self.closed:
            if triple[0] not in vocabulary or triple in self.common:
                self.fixtures.add(triple)
        # The property chains, with their lists, and the property characteristics.
        self.axioms = Graph()
        for chain_owner, chain in self.closed.subject_objects(OWL.propertyChainAxiom):
            self.axioms.add((chain_owner, OWL.propertyChainAxiom, chain))
            self.axioms += self.closed.cbd(chain)
            for step in Collection(self.closed, chain):
                self.axioms += self.closed.cbd(step) if isinstance(step, BNode) else Graph()
        for kind in (OWL.TransitiveProperty, OWL.SymmetricProperty):
            for prop in self.closed.subjects(RDF.type, kind):
                self.axioms.add((prop, RDF.type, kind))

    def infer_with(self, example: Graph) -> Graph:
        """Exactly `infer(ontology + common + example)` (test_fast_inference_equals_the_build_inference
        checks it; set KG_SHAPES_EXACT=1 to use `infer` itself), computed in a fraction of the time.

        OWL-RL closure is monotone and idempotent, so closing (ontology + common + their closure
        + example) adds to the base closure exactly what the example entails. The triples with a
        literal object (labels, definitions, names) are left out of that second run: the ontology
        has no functional properties, keys or cardinalities, so they entail nothing about the
        example's nodes, and what they entail about their own subjects is in the base closure.
        """
        asserted = self.asserted + example
        if EXACT:
            return infer(asserted)
        inferred = owl_rl_closure(self.relevant_schema(example) + self.fixtures + example)
        inferred += self.inferred
        inferred -= asserted
        inferred += date_bounds(asserted)
        return inferred

    def relevant_schema(self, example: Graph) -> Graph:
        """The closed schema triples (subclass, subproperty, domain, range, types) of every term
        the example and the fixtures use, and of the terms those lead to."""
        data = self.fixtures + example
        terms = {p for p in data.predicates()} | set(data.objects(None, RDF.type))
        terms |= {s for s in self.axioms.subjects() if isinstance(s, URIRef)}   # e.g. cpo:hasRelative
        frontier = set(terms)
        while frontier:
            found = set()
            for term in frontier:
                for prop in SCHEMA_PROPERTIES:
                    for other in self.closed.objects(term, prop):
                        if isinstance(other, URIRef) and other not in terms:
                            found.add(other)
            terms |= found
            frontier = found
        schema = Graph()
        for term in terms:
            for triple in self.closed.triples((term, None, None)):
                if triple[1] in SCHEMA_PROPERTIES or triple[1] == RDF.type:
                    schema.add(triple)
        return schema + self.axioms

    def data(self, example: Graph, inferred: Graph | None = None) -> Graph:
        inferred = self.infer_with(example) if inferred is None else inferred
        return bind_prefixes(self.asserted + example + inferred)


@pytest.fixture(scope="module")
def base() -> Base:
    return Base()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def node_shapes(shapes: Graph) -> list:
    return sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str)


def shape_name(shape) -> str:
    return str(shape)[len(str(CPS)):]


# ---------------------------------------------------------------------------
# The examples
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLES, ids=_example_id)
def test_shape_example(path: Path, base: Base, shapes: Graph):
    match = EXAMPLE_NAME.match(path.stem)
    name, kind = match["shape"], match["kind"]
    assert path.read_text(encoding="utf-8").startswith("#"), f"{path.name}: start with a comment saying what it shows"

    example = parse_file(path)
    data = base.data(example)
    report = validate(data, shapes)

    if kind == "valid":
        assert report.conforms, f"{path.name} should conform:\n{report.describe()}"
        return

    assert not report.conforms, f"{path.name} should not conform, but does"
    node_shape = CPS[name]
    assert (node_shape, RDF.type, SH.NodeShape) in shapes, f"no node shape cps:{name} for {path.name}"
    own = {show_term(node_shape, data)} | {show_term(p, data) for p in shapes.objects(node_shape, SH.property)}
    hits = [v for v in report.violations if v.shape in own]
    assert hits, (f"{path.name} should break cps:{name} (or one of its property shapes), but only "
                  f"other shapes report:\n{report.describe()}")

    subjects = {show_term(s, data) for s in example.subjects()}
    problems = []
    for v in hits:
        shape = CPS[v.shape.split(":", 1)[1]] if v.shape.startswith("cps:") else URIRef(v.shape)
        message = str(shapes.value(shape, SH.message))
        path_of_shape = shapes.value(shape, SH.path)
        if v.message != message:
            problems.append(f"message {v.message!r} is not the sh:message of {v.shape}: {message!r}")
        elif not v.focus_node or v.focus_node not in subjects:
            problems.append(f"focus node {v.focus_node!r} is not a node of {path.name}")
        elif path_of_shape is not None and (not v.path or (
                isinstance(path_of_shape, URIRef) and v.path != show_term(path_of_shape, data))):
            problems.append(f"path {v.path!r} is not the sh:path of {v.shape}")
        else:
            return   # one violation as promised is enough
    pytest.fail(f"{path.name}: no violation of cps:{name} names its focus node, path and message:\n"
                + "\n".join(problems) + "\n\n" + report.describe())


def test_common_fixtures_conform_by_themselves(base: Base, shapes: Graph):
    report = validate(bind_prefixes(base.asserted + base.inferred), shapes)
    assert report.conforms, report.describe()


def test_fast_inference_equals_the_build_inference(base: Base):
    """The shortcut of Base.infer_with gives exactly the triples the build would infer."""
    example = parse_file(EXAMPLES_DIR / "AppealRulingShape-valid.ttl")
    expected = infer(base.asserted + example)
    got = base.infer_with(example)
    assert set(got) == set(expected)


# ---------------------------------------------------------------------------
# The shapes themselves
# ---------------------------------------------------------------------------

def test_every_node_shape_has_a_valid_and_an_invalid_example(shapes: Graph):
    names = {shape_name(s) for s in node_shapes(shapes) if isinstance(s, URIRef)}
    assert len(names) >= 30
    have = {(m["shape"], m["kind"]) for m in (EXAMPLE_NAME.match(p.stem) for p in EXAMPLES)}
    missing = sorted(f"{n}-{k}.ttl" for n in names for k in ("valid", "invalid") if (n, k) not in have)
    assert not missing, f"node shapes without examples in {EXAMPLES_DIR}: {missing}"
    stale = sorted(f"{n}-{k}.ttl" for n, k in have if n not in names)
    assert not stale, f"examples for shapes that do not exist: {stale}"


def _or_members(shapes: Graph) -> set:
    """Anonymous shapes inside logical constraints: members of sh:or lists, and the shape an
    sh:not negates (its message is the enclosing named shape's)."""
    members = set()
    for lst in shapes.objects(None, SH["or"]):
        members.update(Collection(shapes, lst))
    members |= {node for node in shapes.objects(None, SH["not"]) if isinstance(node, BNode)}
    return members


def _all_shapes(shapes: Graph) -> set:
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    found |= set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.node))
    for prop in (SH["and"], SH.xone):
        for lst in shapes.objects(None, prop):
            found.update(Collection(shapes, lst))
    found |= set(shapes.objects(None, SH["not"]))
    return found


def test_every_shape_has_an_iri_and_a_message(shapes: Graph):
    """Every shape, node or property, is a cps: IRI with an sh:message (blank nodes only as
    members of sh:or lists), and property shapes are named cps:<NodeShape>-<property>."""
    or_members = _or_members(shapes)
    problems = []
    for shape in sorted(_all_shapes(shapes), key=str):
        if isinstance(shape, BNode):
            if shape not in or_members:
                problems.append(f"blank-node shape outside sh:or / sh:not: {shape.n3()}")
            continue
        if not str(shape).startswith(str(CPS)):
            problems.append(f"{shape} is not in the cps: namespace")
        if shapes.value(shape, SH.message) is None:
            problems.append(f"{shape_name(shape)} has no sh:message")
    for node_shape in node_shapes(shapes):
        for prop in shapes.objects(node_shape, SH.property):
            if isinstance(prop, URIRef) and not shape_name(prop).startswith(shape_name(node_shape) + "-"):
                problems.append(f"property shape {shape_name(prop)} of {shape_name(node_shape)} "
                                f"is not named {shape_name(node_shape)}-<property>")
    assert not problems, "\n".join(problems)

