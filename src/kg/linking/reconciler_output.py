"""The reconciler's accepted links as an RDF linkset (score and method per link)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from kg.linking.reconciler import Outcome
from kg.linking.records import Link, links_graph
from kg.linking.vocabulary import GEONAMES_RECONCILER

HEADER = """\
# Links of our places to GeoNames found by the GeoNames reconciler (`kg link geonames DUMP`):
# only unambiguous high scores are accepted; each link's record gives its score (cpo:matchScore)
# and the evidence weighed (cpo:matchMethod). GENERATED: run the command again rather than edit.

"""


def reconciled_links(outcomes: list[Outcome]) -> list[Link]:
    return [Link(subject=o.place.iri, target="geonames", object=URIRef(o.accepted.feature.iri),
                 method=o.accepted.method(), derived_from=GEONAMES_RECONCILER,
                 record_kind="reconciler", score=o.accepted.score)
            for o in outcomes if o.accepted]


def reconciled_graph(outcomes: list[Outcome], dump_name: str) -> Graph:
    return links_graph(reconciled_links(outcomes), {
        "iri": GEONAMES_RECONCILER,
        "title": "GeoNames reconciler",
        "description": "kg link geonames: matches our places to GeoNames features by name, alternate "
                       "names and transliteration variants, country, admin code, feature class, "
                       "coordinates and population; accepts only unambiguous high scores.",
        "source": dump_name,
    })


def write_linkset(outcomes: list[Outcome], path: Path, dump_name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + reconciled_graph(outcomes, dump_name).serialize(format="turtle"), encoding="utf-8")
