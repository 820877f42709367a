"""Our entities as the linkers see them: names, classes, containing places, coordinates."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from kg.namespaces import CPD, CPO, SCHEMA, WGS84

SETTLEMENT_CLASSES = frozenset({"City", "Town"})
CONTAINER_CLASSES = frozenset({"Country", "Province"})
PLACE_MARKER = "place/"


@dataclass(frozen=True)
class Entity:
    iri: URIRef
    name: str
    alt_labels: tuple[str, ...] = ()
    classes: frozenset[str] = frozenset()          # local names of cpo: classes
    ancestors: tuple[URIRef, ...] = ()             # containing places, nearest first
    ancestor_names: tuple[str, ...] = ()
    country: str | None = None                     # the name of the containing country
    province: URIRef | None = None
    lat: float | None = None
    long: float | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.alt_labels)

    @property
    def is_place(self) -> bool:
        return str(self.iri).startswith(str(CPD) + PLACE_MARKER)

    @property
    def is_settlement(self) -> bool:
        return bool(self.classes & SETTLEMENT_CLASSES)

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.long is not None

    @property
    def short(self) -> str:
        return str(self.iri).removeprefix(str(CPD)).replace("/", ":", 1)


def our_entities(graph: Graph) -> list[Entity]:
    """Every named node of ours (persons, groups, organisations, places...), in IRI order."""
    subjects = sorted({s for s in graph.subjects(SCHEMA.name, None)
                       if isinstance(s, URIRef) and str(s).startswith(str(CPD))}, key=str)
    return [entity(graph, s) for s in subjects]


def entity(graph: Graph, iri: URIRef) -> Entity:
    ancestors = containing_places(graph, iri)
    country = next((a for a in (iri, *ancestors) if _has_class(graph, a, "Country")), None)
    province = next((a for a in ancestors if _has_class(graph, a, "Province")), None)
    return Entity(
        iri=iri,
        name=str(graph.value(iri, SCHEMA.name)),
        alt_labels=tuple(sorted(str(a) for a in graph.objects(iri, SKOS.altLabel))),
        classes=frozenset(_cpo_classes(graph, iri)),
        ancestors=ancestors,
        ancestor_names=tuple(str(graph.value(a, SCHEMA.name) or "") for a in ancestors),
        country=str(graph.value(country, SCHEMA.name)) if country is not None else None,
        province=province,
        lat=_number(graph.value(iri, WGS84.lat)),
        long=_number(graph.value(iri, WGS84.long)),
    )


def containing_places(graph: Graph, iri: URIRef) -> tuple[URIRef, ...]:
    """cpo:locatedIn followed transitively, nearest first, without loops."""
    found, frontier = [], [iri]
    while frontier:
        node = frontier.pop(0)
        for parent in sorted(graph.objects(node, CPO.locatedIn), key=str):
            if parent not in found and parent != iri:
                found.append(parent)
                frontier.append(parent)
    return tuple(found)


def _cpo_classes(graph: Graph, iri: URIRef):
    for cls in graph.objects(iri, RDF.type):
        if str(cls).startswith(str(CPO)):
            yield str(cls)[len(str(CPO)):]


def _has_class(graph: Graph, iri, name: str) -> bool:
    return (iri, RDF.type, CPO[name]) in graph


def _number(value) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
