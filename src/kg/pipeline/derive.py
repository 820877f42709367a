"""Terms the build derives from the data, written into the inferred graph beside the OWL-RL
closure: each dated event's bounds (cpo:earliestDate, cpo:latestDate) and date precision
(cpo:datePrecision, cpo:acledTimePrecision), the years a day without a year can lie in
(cpo:possibleYear), the precision of places and of the events in them (cpo:placePrecision,
cpo:acledGeoPrecision), and each node's most specific classes (cpo:directType).

Curators never assert them (shapes/qc/computed-terms-asserted.rq): they are computed on every
build and every write from cpo:date, cpo:endDate, cpo:notBefore, cpo:notAfter and the classes
of the places, so they cannot drift from the data. docs/modelling.md, section 10, is the rule.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.dates import date_window, window_precision
from kg.namespaces import CPO
from kg.terms import to_ox, to_rdflib

PREFIXES = f"PREFIX cpo: <{CPO}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"

# What each date property says to kg.dates.date_window (cpo:startDate is deprecated, and read
# as the date it always was).
DATE_ARGUMENTS = {CPO.date: "date", CPO.startDate: "date", CPO.endDate: "end",
                  CPO.notBefore: "not_before", CPO.notAfter: "not_after"}

# The level of a place by its class, finest first: a node of several classes (a prison is a
# site and a body; a city may be a region's seat) takes the finest.
LEVELS = ((CPO.Site, CPO.sitePrecision), (CPO.City, CPO.townPrecision),
          (CPO.Town, CPO.townPrecision), (CPO.Region, CPO.regionPrecision),
          (CPO.River, CPO.regionPrecision), (CPO.Province, CPO.provincePrecision),
          (CPO.Country, CPO.countryPrecision))
COARSENESS = {CPO.sitePrecision: 0, CPO.townPrecision: 1, CPO.regionPrecision: 2,
              CPO.provincePrecision: 3, CPO.countryPrecision: 4}
# ACLED geo_precision: 1 a particular town (or a site in it), 2 a small part of a region
# (our regions within a province), 3 a larger region, a natural feature, a province.
ACLED_GEO = {CPO.sitePrecision: 1, CPO.townPrecision: 1, CPO.provincePrecision: 3,
             CPO.countryPrecision: 3}


# The terms derived here, and how far they look: a node's terms depend only on the triples
# within DERIVED_RADIUS hops of it along their direction (an event's geo precision on its place,
# that place's class and the class of the province it lies in), and on the ontology. A write
# recomputes them for the nodes whose neighbourhood it changed.
DERIVED_PREDICATES = (CPO.earliestDate, CPO.latestDate, CPO.datePrecision, CPO.acledTimePrecision,
                      CPO.possibleYear, CPO.placePrecision, CPO.acledGeoPrecision, CPO.directType)
DERIVED_RADIUS = 3


def add_derived_terms(store: ox.Store, sources, target) -> None:
    """Write the derived terms of the graphs `sources` (the asserted ones) into `target`, which
    must already hold their OWL-RL closure."""
    asserted = _reader(store, list(sources))
    closed = _reader(store, [*sources, target])
    triples = [*date_terms(asserted), *place_terms(closed), *direct_types(asserted, closed)]
    cache: dict = {}
    store.extend([ox.Quad(to_ox(s, cache), to_ox(p, cache), to_ox(o, cache), target)
                  for s, p, o in triples])


def _reader(store: ox.Store, graphs):
    def rows(query: str):
        for solution in store.query(PREFIXES + query, default_graph=graphs):
            yield tuple(to_rdflib(term) if term is not None else None for term in solution)
    return rows


def date_terms(asserted) -> list[tuple]:
    """Bounds, precision and possible years of every node with a date, an end or a bound."""
    parts: dict = defaultdict(dict)
    for node, prop, value in asserted("""SELECT ?n ?p ?d WHERE {
            VALUES ?p { cpo:date cpo:startDate cpo:endDate cpo:notBefore cpo:notAfter } ?n ?p ?d }"""):
        if isinstance(value, Literal):
            parts[node][DATE_ARGUMENTS[URIRef(str(prop))]] = value
    triples = []
    for node, dates in parts.items():
        window = date_window(**dates)
        if window is None:
            continue
        if window.earliest:
            triples.append((node, CPO.earliestDate, Literal(window.earliest)))
        if window.latest:
            triples.append((node, CPO.latestDate, Literal(window.latest)))
        if window.days:
            name, acled = window_precision(window.days)
            triples += [(node, CPO.datePrecision, CPO[name]), (node, CPO.acledTimePrecision, Literal(acled))]
        triples += [(node, CPO.possibleYear, Literal(str(year), datatype=XSD.gYear)) for year in window.years]
    return triples


def place_terms(closed) -> list[tuple]:
    """The precision of every place (by its class), and of every event with a place (its
    coarsest place, with ACLED's geo_precision)."""
    level_of = dict(LEVELS)
    level: dict = {}
    for place, cls in closed("""SELECT ?p ?c WHERE { ?p a ?c .
            VALUES ?c { cpo:Site cpo:City cpo:Town cpo:Region cpo:River cpo:Province cpo:Country } }"""):
        found = level_of[URIRef(str(cls))]
        if place not in level or COARSENESS[found] < COARSENESS[level[place]]:
            level[place] = found
    within_province = {row[0] for row in closed("""SELECT DISTINCT ?p WHERE {
            ?p cpo:locatedIn ?province . ?province a cpo:Province }""")}
    triples = [(place, CPO.placePrecision, precision) for place, precision in level.items()]
    coarsest: dict = {}
    for event, place in closed("SELECT ?e ?p WHERE { ?e cpo:place ?p }"):
        if place not in level:
            continue
        geo = ACLED_GEO.get(level[place], 2 if place in within_province else 3)
        rank = (COARSENESS[level[place]], geo)
        if event not in coarsest or rank > coarsest[event][0]:
            coarsest[event] = (rank, level[place], geo)
    for event, (_, precision, geo) in coarsest.items():
        triples += [(event, CPO.placePrecision, precision), (event, CPO.acledGeoPrecision, Literal(geo))]
    return triples


def direct_types(asserted, closed) -> list[tuple]:
    """cpo:directType: each asserted cpo: class of a data node that is not a superclass of
    another of its asserted classes."""
    classes: dict = defaultdict(set)
    for node, cls in asserted(f"""SELECT ?n ?c WHERE {{ ?n a ?c .
            FILTER(STRSTARTS(STR(?c), "{CPO}") && !STRSTARTS(STR(?n), "{CPO}")) }}"""):
        classes[node].add(cls)
    above: dict = defaultdict(set)
    for sub, sup in closed(f"""SELECT DISTINCT ?a ?b WHERE {{ ?a rdfs:subClassOf+ ?b .
            FILTER(STRSTARTS(STR(?a), "{CPO}") && ?a != ?b) }}"""):
        above[sub].add(sup)
    triples = []
    for node, asserted_classes in classes.items():
        implied = set().union(*(above[c] for c in asserted_classes))
        triples += [(node, CPO.directType, c) for c in sorted(asserted_classes - implied)]
    return triples
