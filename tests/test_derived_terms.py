"""The terms the build derives (kg.pipeline.derive, docs/modelling.md section 10): date windows
and their precision with ACLED's codes, the years of a day without a year, place precision with
ACLED's codes, and each node's most specific classes."""

import datetime as dt

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.dates import date_window, month_day_days, window_precision
from kg.namespaces import CPO
from kg.paths import ONTOLOGY_DIR, ontology_files
from kg.pipeline.derive import DERIVED_PREDICATES, DERIVED_RADIUS
from kg.pipeline.infer import DATA as DATA_GRAPH, INFERRED, ONTOLOGY, add_derived, derived_terms, infer, owl_rl_closure
from kg.pipeline.load import parse_files

D = dt.date


def lit(text, datatype):
    return Literal(text, datatype=getattr(XSD, datatype))


@pytest.mark.parametrize("parts, earliest, latest_start, latest, years", [
    ({"date": lit("2020-10-01", "date")}, D(2020, 10, 1), D(2020, 10, 1), D(2020, 10, 1), ()),
    ({"date": lit("2020-10", "gYearMonth")}, D(2020, 10, 1), D(2020, 10, 31), D(2020, 10, 31), ()),
    # 'In 2020', and before the release of 5 October 2020
    ({"date": lit("2020", "gYear"), "not_after": lit("2020-10-05", "date")},
     D(2020, 1, 1), D(2020, 10, 5), D(2020, 10, 5), ()),
    # no date, only 'later than 22 July 2004'
    ({"not_before": lit("2004-07-22", "date")}, D(2004, 7, 22), None, None, ()),
    # a detention from 16 to 20 July
    ({"date": lit("2020-07-16", "date"), "end": lit("2020-07-20", "date")},
     D(2020, 7, 16), D(2020, 7, 16), D(2020, 7, 20), ()),
    # 'on August 14', after 18 October 2020 and before the end of February 2023
    ({"date": lit("--08-14", "gMonthDay"), "not_before": lit("2020-10-18", "date"),
      "not_after": lit("2023-02", "gYearMonth")}, D(2021, 8, 14), D(2022, 8, 14), D(2022, 8, 14), (2021, 2022)),
])
def test_date_window(parts, earliest, latest_start, latest, years):
    window = date_window(**parts)
    assert (window.earliest, window.latest_start, window.latest, window.years) == (earliest, latest_start, latest, years)


def test_a_day_without_a_year_and_without_both_bounds_has_no_window():
    assert date_window(date=lit("--08-14", "gMonthDay"), not_before=lit("2020", "gYear")) is None
    assert month_day_days(lit("--02-29", "gMonthDay"), D(2021, 1, 1), D(2024, 12, 31)) == [D(2024, 2, 29)]


def test_contradictory_bounds_give_an_empty_window_the_quality_check_finds():
    window = date_window(date=lit("2020-10", "gYearMonth"), not_after=lit("2020-09-30", "date"))
    assert window.earliest > window.latest_start


@pytest.mark.parametrize("days, expected", [
    (1, ("dayPrecision", 1)), (2, ("weekPrecision", 2)), (7, ("weekPrecision", 2)),
    (8, ("monthPrecision", 3)), (31, ("monthPrecision", 3)), (32, ("yearPrecision", 3)),
    (366, ("yearPrecision", 3)), (367, ("yearsPrecision", 3))])
def test_window_precision_and_acled_time_precision(days, expected):
    assert window_precision(days) == expected


DATA = """
@prefix cpo: <https://w3id.org/civic-protest/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://w3id.org/civic-protest/id/event/> .
@prefix pl: <https://w3id.org/civic-protest/id/place/> .
@prefix org: <https://w3id.org/civic-protest/id/organisation/> .

pl:iran a cpo:Country ; schema:name "Iran" .
pl:province a cpo:Province ; schema:name "East Azerbaijan Province" ; cpo:locatedIn pl:iran .
pl:tabriz a cpo:City ; schema:name "Tabriz" ; cpo:locatedIn pl:province .
pl:garadagh a cpo:Region ; schema:name "Garadagh" ; cpo:locatedIn pl:province .
pl:south-azerbaijan a cpo:Region ; schema:name "South Azerbaijan" ; cpo:locatedIn pl:iran .
pl:square a cpo:Square ; schema:name "A square" ; cpo:locatedIn pl:tabriz .
org:prison a cpo:Prison ; schema:name "Tabriz prison" ; cpo:locatedIn pl:tabriz .

ex:rally a cpo:Rally ; cpo:date "2020-10-01"^^xsd:date ; cpo:place pl:square, pl:tabriz .
ex:regional a cpo:Rally ; cpo:date "2020-10"^^xsd:gYearMonth ; cpo:place pl:garadagh .
ex:large a cpo:Rally ; cpo:date "2023-03"^^xsd:gYearMonth ; cpo:place pl:south-azerbaijan .
ex:held a cpo:Detention ; cpo:heldAt org:prison .
ex:interview a cpo:Interview, cpo:Claim .
ex:release a cpo:Release ; cpo:date "--08-14"^^xsd:gMonthDay ;
    cpo:notBefore "2020-10-18"^^xsd:date ; cpo:notAfter "2023-02"^^xsd:gYearMonth .
"""


@pytest.fixture(scope="module")
def derived():
    asserted = parse_files(ontology_files(ONTOLOGY_DIR)) + Graph().parse(data=DATA, format="turtle")
    return derived_terms(asserted, owl_rl_closure(asserted))


E = "https://w3id.org/civic-protest/id/event/"
P = "https://w3id.org/civic-protest/id/place/"


def values(graph, node, prop):
    return sorted(str(o) for o in graph.objects(URIRef(node), prop))


def test_an_event_takes_its_coarsest_place(derived):
    assert values(derived, E + "rally", CPO.placePrecision) == [str(CPO.townPrecision)]
    assert values(derived, E + "rally", CPO.acledGeoPrecision) == ["1"]
    assert values(derived, P + "square", CPO.placePrecision) == [str(CPO.sitePrecision)]


def test_a_region_within_a_province_is_acled_2_and_a_larger_one_3(derived):
    assert values(derived, E + "regional", CPO.acledGeoPrecision) == ["2"]
    assert values(derived, E + "large", CPO.acledGeoPrecision) == ["3"]
    assert values(derived, E + "large", CPO.placePrecision) == [str(CPO.regionPrecision)]


def test_a_prison_where_someone_is_held_is_an_exact_site(derived):
    assert values(derived, E + "held", CPO.placePrecision) == [str(CPO.sitePrecision)]


def test_date_precision_bounds_and_possible_years(derived):
    assert values(derived, E + "rally", CPO.datePrecision) == [str(CPO.dayPrecision)]
    assert values(derived, E + "regional", CPO.acledTimePrecision) == ["3"]
    assert values(derived, E + "release", CPO.possibleYear) == ["2021", "2022"]
    assert values(derived, E + "release", CPO.earliestDate) == ["2021-08-14"]
    assert values(derived, E + "release", CPO.datePrecision) == [str(CPO.yearPrecision)]  # 366 days


def test_direct_type_leaves_out_inferred_superclasses(derived):
    assert values(derived, E + "rally", CPO.directType) == [str(CPO.Rally)]
    assert values(derived, E + "interview", CPO.directType) == [str(CPO.Claim), str(CPO.Interview)]


def test_the_build_infers_the_derived_terms():
    asserted = parse_files(ontology_files(ONTOLOGY_DIR)) + Graph().parse(data=DATA, format="turtle")
    assert (URIRef(E + "large"), CPO.acledGeoPrecision, Literal(3)) in infer(asserted)


# A write recomputes the derived terms of a node from its neighbourhood alone (DERIVED_RADIUS
# hops along the triples' direction, and the ontology): on the real data, that gives each node
# the same terms as the whole build.
NEIGHBOURHOOD_CASES = [
    "event/2020-khiyav-mughan-detentions",         # a region in no province: ACLED geo 3
    "event/2020-10-01-zanjan-sabze-meydan-rally",  # a site in a town in a province
    "event/undated-08-14-mohammad-eyni-release",   # a day without its year, between bounds
    "event/2023-03-south-azerbaijan-azfront-action",
    "event/2020-khoda-afarin-imam-zaman-deployment",  # a region within a province: ACLED geo 2
    "place/khoda-afarin", "organisation/ardabil-prison",
]


@pytest.fixture(scope="module")
def built_store(built):
    store = ox.Store()
    store.load(path=str(built.output), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.mark.parametrize("local", NEIGHBOURHOOD_CASES)
def test_derived_terms_need_only_the_nodes_neighbourhood(built_store, local):
    store = built_store
    derived = {ox.NamedNode(str(p)) for p in DERIVED_PREDICATES}
    node = ox.NamedNode(f"https://w3id.org/civic-protest/id/{local}")
    scratch = ox.Store()
    scratch.extend(store.quads_for_pattern(None, None, None, ONTOLOGY))
    frontier, seen = {node}, set()
    for _ in range(DERIVED_RADIUS):
        following = set()
        for here in frontier - seen:
            seen.add(here)
            for graph in (DATA_GRAPH, INFERRED):
                for quad in store.quads_for_pattern(here, None, None, graph):
                    if not (graph == INFERRED and quad.predicate in derived):
                        scratch.add(quad)
                        if isinstance(quad.object, (ox.NamedNode, ox.BlankNode)):
                            following.add(quad.object)
        frontier = following

    add_derived(scratch, (ONTOLOGY, DATA_GRAPH), INFERRED)

    def terms(s):
        return {(q.predicate, q.object) for p in derived for q in s.quads_for_pattern(node, p, None, INFERRED)}
    assert terms(store), f"{local} has no derived terms"
    assert terms(scratch) == terms(store)
