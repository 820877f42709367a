"""Entities that a change takes out of the data although a release published their IRIs.

A published IRI must keep answering: `kg release` refuses a release that leaves one neither
an entity nor retired in data/registry/retired.ttl (kg.dataset.release). An import names
them when it happens, so that the curator who deleted the rows knows what to retire and how,
rather than the one who releases, later."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, URIRef

from kg.dataset.release import latest_published
from kg.namespaces import SCHEMA


@dataclass(frozen=True)
class Unanswered:
    iri: str
    name: str
    release: str

    def as_dict(self) -> dict:
        return {"id": self.iri, "name": self.name, "release": self.release}

    def text(self, shown: str | None = None) -> str:
        return (f"{shown or self.iri} ({self.name}) is in release {self.release} and is no longer in the data: "
                f"{RETIRE_HOW}")


RETIRE_HOW = ("retire it in data/registry/retired.ttl (merged: dcterms:isReplacedBy the entity it "
              "is now; withdrawn: cpo:retirementReason), or the next `kg release` refuses")


def unanswered(gone: set, names: dict, releases_dir: Path) -> list[Unanswered]:
    """Of the entity IRIs `gone` from the data, those the latest release published."""
    latest = latest_published(releases_dir) if gone else None
    if latest is None:
        return []
    version, published = latest
    return [Unanswered(iri, names.get(iri, ""), version) for iri in sorted(gone & published)]


def gone_from_facts(before: set, removed: set, added: set) -> tuple[set, dict]:
    """Subjects typed before a change and typed by nothing after it, with their names."""
    untyped = {s for s, p, _ in removed if p == RDF.type}
    if not untyped:
        return set(), {}
    still = {s for s, p, _ in (before - removed) | added if p == RDF.type and s in untyped}
    gone = untyped - still
    names = {str(s): str(o) for s, p, o in before if p == SCHEMA.name and s in gone}
    return {str(s) for s in gone if isinstance(s, URIRef)}, names
