"""What the research-question tests (test_questions_*.py) share: the built graph as one rdflib graph
and a helper that runs a query with our prefixes and returns its rows as plain values."""

from decimal import Decimal

import pytest

from kg.namespaces import sparql_prologue


@pytest.fixture(scope="module")
def graph(built):
    """The union of ontology, data and inferred triples of the session's build."""
    return built.graphs.union()


def plain(value):
    """A term as a plain value: numbers and booleans as Python values (int, Decimal, bool),
    everything else (IRIs, strings, dates at their precision, durations) as its lexical form."""
    if value is None:
        return None
    python = value.toPython() if hasattr(value, "toPython") else value
    return python if isinstance(python, (int, Decimal, bool)) else str(value)


def ask(graph, query):
    """Rows of the query as tuples of plain values."""
    return [tuple(plain(v) for v in row) for row in graph.query(sparql_prologue() + query)]


def local(iri):
    """The last segment of an IRI: event:x -> "x"."""
    return iri.rsplit("/", 1)[-1]
