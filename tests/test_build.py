"""The build pipeline on the real data: inference kept apart, validation, and schema.org reach."""

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.dates import day_span, precision_of
from kg.namespaces import CPO, DATA_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, SCHEMA
import datetime as dt


def test_build_conforms_and_writes_three_named_graphs(built):
    store = ox.Store()
    store.load(path=str(built.output), format=ox.RdfFormat.N_QUADS)
    graphs = {g.value for g in store.named_graphs()}
    assert graphs == {str(ONTOLOGY_GRAPH), str(DATA_GRAPH), str(INFERRED_GRAPH)}
    assert len(store) == len(built.graphs.ontology) + len(built.graphs.data) + len(built.graphs.inferred)


def test_inferred_triples_are_kept_apart_from_asserted(built):
    g = built.graphs
    assert len(g.inferred) > 0
    assert not any(t in g.data or t in g.ontology for t in g.inferred)


def test_summary_reports_counts_classes_and_time(built):
    summary = built.summary()
    for expected in ("asserted triples:", "inferred triples:", "entities per class:", "time: parse",
                     "inference", "validation", "SHACL: conforms"):
        assert expected in summary


SCHEMA_ONLY = {
    CPO.Person: "SELECT ?x WHERE { ?x a <https://schema.org/Person> ; <https://schema.org/name> ?n }",
    CPO.Organisation: "SELECT ?x WHERE { ?x a <https://schema.org/Organization> ; <https://schema.org/name> ?n }",
    CPO.Place: "SELECT ?x WHERE { ?x a <https://schema.org/Place> ; <https://schema.org/name> ?n }",
    CPO.Event: "SELECT ?x WHERE { ?x a <https://schema.org/Event> ; <https://schema.org/name> ?n }",
}


@pytest.mark.parametrize("cpo_class", list(SCHEMA_ONLY), ids=lambda c: c.split("#")[1])
def test_schema_org_only_query_finds_every_instance(built, cpo_class):
    union = built.graphs.union()
    found = {row[0] for row in union.query(SCHEMA_ONLY[cpo_class])}
    ours = set(built.graphs.union().subjects(RDF.type, cpo_class))
    assert ours and ours <= found


def test_schema_org_dates_and_locations_of_the_slice(built):
    union = built.graphs.union()
    rows = set(union.query("""
        SELECT ?name ?date ?placeName WHERE {
          ?e a <https://schema.org/Event> ; <https://schema.org/name> ?name ;
             <https://schema.org/startDate> ?date ; <https://schema.org/location> ?p .
          ?p a <https://schema.org/Place> ; <https://schema.org/name> ?placeName }"""))
    assert (Literal("Rally in support of Azerbaijan in front of the Azerbaijani consulate in Tabriz"),
            Literal("2020-07-16", datatype=XSD.date),
            Literal("Consulate of Azerbaijan in Tabriz")) in rows
    assert (Literal("Ardabil city court sentences eleven national cultural activists"),
            Literal("2021-10-09", datatype=XSD.date), Literal("Ardabil")) in rows


def test_containment_is_transitive_after_inference(built):
    union = built.graphs.union()
    consulate = URIRef("https://w3id.org/civic-protest/id/place/azerbaijani-consulate-tabriz")
    assert (consulate, SCHEMA.containedInPlace, URIRef("https://w3id.org/civic-protest/id/place/iran")) in union


def test_month_precision_is_kept_and_bounded(built):
    union = built.graphs.union()
    event = URIRef("https://w3id.org/civic-protest/id/event/2021-01-tabriz-conviction")
    assert union.value(event, CPO.date) == Literal("2021-01", datatype=XSD.gYearMonth)
    assert union.value(event, CPO.earliestDate) == Literal(dt.date(2021, 1, 1))
    assert union.value(event, CPO.latestDate) == Literal(dt.date(2021, 1, 31))


@pytest.mark.parametrize("literal, span, precision", [
    (Literal("2020-10-01", datatype=XSD.date), (dt.date(2020, 10, 1), dt.date(2020, 10, 1)), "day"),
    (Literal("2020-02", datatype=XSD.gYearMonth), (dt.date(2020, 2, 1), dt.date(2020, 2, 29)), "month"),
    (Literal("2004", datatype=XSD.gYear), (dt.date(2004, 1, 1), dt.date(2004, 12, 31)), "year"),
])
def test_day_span_of_each_precision(literal, span, precision):
    assert day_span(literal) == span
    assert precision_of(literal) == precision


def test_inference_leaves_rdflib_literal_handling_as_it_was():
    """owlrl's 'improved datatypes' swap rdflib's process-wide literal conversions; after that,
    a graph parsed later no longer matched "2020-12"^^xsd:gYearMonth with itself."""
    from rdflib import Graph

    from kg.pipeline.infer import owl_rl_closure

    turtle = ('@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . '
              '<urn:e> <urn:date> "2020-12"^^xsd:gYearMonth .')
    query = ('SELECT ?e WHERE { ?e <urn:date> ?d '
             'FILTER(?d = "2020-12"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>) }')
    owl_rl_closure(Graph().parse(data=turtle, format="turtle"))
    later = Graph().parse(data=turtle, format="turtle")
    assert len(list(later.query(query))) == 1
