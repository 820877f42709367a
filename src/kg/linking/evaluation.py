"""Precision and recall of the reconciler against the GeoNames ids already known: the links
taken from the shared reference table (records derived from it, in the GeoNames linkset)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF

from kg.linking.geonames import Feature
from kg.linking.reconciler import Outcome
from kg.linking.vocabulary import REFERENCE_TABLE, linkset_iri
from kg.namespaces import VOID


@dataclass
class Evaluation:
    correct: list = field(default_factory=list)      # (place, iri)
    wrong: list = field(default_factory=list)        # (place, accepted iri, known iri)
    missed: list = field(default_factory=list)       # (place, known iri): known, in the dump, not accepted
    absent: list = field(default_factory=list)       # (place, known iri): the dump lacks the feature
    unjudged: list = field(default_factory=list)     # (place, iri): accepted, no known id

    @property
    def precision(self) -> float | None:
        judged = len(self.correct) + len(self.wrong)
        return len(self.correct) / judged if judged else None

    @property
    def recall_in_dump(self) -> float | None:
        known = len(self.correct) + len(self.wrong) + len(self.missed)
        return len(self.correct) / known if known else None

    @property
    def recall_overall(self) -> float | None:
        known = len(self.correct) + len(self.wrong) + len(self.missed) + len(self.absent)
        return len(self.correct) / known if known else None

    def describe(self) -> str:
        def share(value):
            return "n/a" if value is None else f"{value:.2f}"
        judged = len(self.correct) + len(self.wrong)
        in_dump = judged + len(self.missed)
        lines = [
            f"precision: {share(self.precision)} ({len(self.correct)} correct of {judged} accepted links with a known id)",
            f"recall (known ids in the dump): {share(self.recall_in_dump)} ({len(self.correct)} of {in_dump})",
            f"recall (all known ids): {share(self.recall_overall)} ({len(self.correct)} of {in_dump + len(self.absent)})",
        ]
        lines += [f"  wrong:    {p} -> {got} (known: {known})" for p, got, known in self.wrong]
        lines += [f"  missed:   {p} (known: {known}, in the dump)" for p, known in self.missed]
        lines += [f"  unjudged: {p} -> {iri} (no known id)" for p, iri in self.unjudged]
        return "\n".join(lines)


def known_geonames_ids(graph: Graph) -> dict[URIRef, str]:
    """Place -> GeoNames IRI, for the links whose record is derived from the reference table."""
    known = {}
    for record in graph.subjects(PROV.wasDerivedFrom, REFERENCE_TABLE):
        if (record, VOID.inDataset, linkset_iri("geonames")) in graph:
            known[graph.value(record, RDF.subject)] = str(graph.value(record, RDF.object))
    return known


def evaluate(outcomes: list[Outcome], known: dict[URIRef, str], features: list[Feature]) -> Evaluation:
    in_dump = {f.iri for f in features}
    result = Evaluation()
    for outcome in outcomes:
        place = outcome.place.iri
        got = outcome.accepted.feature.iri if outcome.accepted else None
        expected = known.get(place)
        if expected is None:
            if got:
                result.unjudged.append((outcome.place.short, got))
        elif got == expected:
            result.correct.append((outcome.place.short, got))
        elif got:
            result.wrong.append((outcome.place.short, got, expected))
        elif expected in in_dump:
            result.missed.append((outcome.place.short, expected))
        else:
            result.absent.append((outcome.place.short, expected))
    return result
