"""The IRIs of linking: canonical forms of external ids, link-record terms, linksets."""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef

from kg.namespaces import BASE, CPO

WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
GEONAMES_FEATURE = "http://sws.geonames.org/"

LINK = Namespace(BASE + "id/link/")          # one reified link record per link
LINKSET = Namespace(BASE + "id/linkset/")    # one void:Linkset per target
REFERENCE_TABLE = URIRef(BASE + "id/reference/external-ids")
GEONAMES_RECONCILER = URIRef(BASE + "id/reference/geonames-reconciler")
OUR_DATASET = URIRef(BASE + "id/dataset")

# Terms of ontology/cpo.ttl, section "Extensions for linking".
REFERENCE_LABEL = CPO.referenceLabel
SOURCE_AGREEMENT = CPO.sourceAgreement
MATCH_SCORE = CPO.matchScore
MATCH_METHOD = CPO.matchMethod

TARGETS = {
    "wikidata": {"title": "Wikidata", "homepage": "https://www.wikidata.org/", "uri_space": WIKIDATA_ENTITY},
    "geonames": {"title": "GeoNames", "homepage": "https://www.geonames.org/", "uri_space": GEONAMES_FEATURE},
}

_WIKIDATA_ID = re.compile(r"^(?:https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)$")
_GEONAMES_ID = re.compile(r"^(?:https?://(?:sws\.|www\.)?geonames\.org/)?([1-9][0-9]*)(?:/.*)?$")


def canonical_wikidata(value: str) -> URIRef:
    """`Q80053`, `https://www.wikidata.org/wiki/Q80053` ... -> http://www.wikidata.org/entity/Q80053."""
    match = _WIKIDATA_ID.match(value.strip())
    if not match:
        raise ValueError(f"not a Wikidata item id: {value!r}")
    return URIRef(WIKIDATA_ENTITY + match[1])


def canonical_geonames(value: str) -> URIRef:
    """`113646`, `https://www.geonames.org/113646/tabriz.html` ... -> http://sws.geonames.org/113646/."""
    match = _GEONAMES_ID.match(str(value).strip())
    if not match:
        raise ValueError(f"not a GeoNames id: {value!r}")
    return URIRef(f"{GEONAMES_FEATURE}{match[1]}/")


def target_of(iri: str) -> str | None:
    """'wikidata' or 'geonames' for an IRI in a target's URI space, else None."""
    for name, target in TARGETS.items():
        if str(iri).startswith(target["uri_space"]):
            return name
    return None


def linkset_iri(target: str) -> URIRef:
    return LINKSET[target]


def link_record_iri(entity: str, target: str, method: str) -> URIRef:
    """A stable IRI for the record of one link: id/link/<kind>-<local name>-<target>-<method>."""
    local = str(entity).removeprefix(BASE + "id/").replace("/", "-")
    return LINK[f"{local}-{target}-{method}"]
