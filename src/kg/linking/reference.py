"""The reference table of external ids (`reference/external-ids.csv`) and what each row allows.

A row: label, wikidata, geonames, wikidata_agreement, geonames_agreement, note. "A wrong link is
worse than none": an id is used only as its row says. The row's label may carry a parenthesis
that says which entity it is ("Zanjan (city)", "Julfa / Jolfa (Iran)") or gives another name
("Urmia (Orumiyeh)"); its note may warn ("check before use", "Wikidata id not verified"), say
what kind of thing the id is ("populated place ...", "city, not ... Province") or forbid a match
by name alone ("never match by name alone").
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from kg.linking.names import exact_key
from kg.linking.vocabulary import canonical_geonames, canonical_wikidata
from kg.paths import REFERENCE_DIR

REFERENCE_CSV = REFERENCE_DIR / "external-ids.csv"

# Words of a label's parenthesis or a note's first clause that say what kind of thing it is,
# with the classes of ours that may stand for it.
KIND_WORDS = {
    "city": frozenset({"City"}),
    "town": frozenset({"City", "Town"}),
    "village": frozenset({"Town"}),
    "populated place": frozenset({"City", "Town"}),
    "province": frozenset({"Province"}),
    "ethnic group": frozenset({"Group"}),
}
_CAUTION = re.compile(r"check before use|not verified|unverified|do not use", re.I)
_NAME_ALONE = re.compile(r"never match by name alone|not by name alone", re.I)
_LEADING_KIND = re.compile(r"^(?:the |a )?(" + "|".join(sorted(KIND_WORDS, key=len, reverse=True)) + r")\b", re.I)
_PARENTHESIS = re.compile(r"^(?P<main>[^()]*?)\s*(?:\((?P<inner>[^()]*)\))?\s*$")
_AGREEMENT = re.compile(r"(\d+)\s+sources?")


@dataclass(frozen=True)
class ReferenceRow:
    line: int
    label: str
    wikidata: str | None
    geonames: str | None
    wikidata_agreement: int | None
    geonames_agreement: int | None
    note: str

    def ids(self) -> dict[str, str]:
        """The canonical IRI of each target the row gives an id for."""
        found = {}
        if self.wikidata:
            found["wikidata"] = str(canonical_wikidata(self.wikidata))
        if self.geonames:
            found["geonames"] = str(canonical_geonames(self.geonames))
        return found

    def agreement(self, target: str) -> int | None:
        return self.wikidata_agreement if target == "wikidata" else self.geonames_agreement


@dataclass(frozen=True)
class LabelParts:
    """What a row's label says: the names, and the qualifiers of its parenthesis."""

    names: tuple[str, ...]
    kinds: frozenset[str] = frozenset()          # classes of ours allowed by kind words
    containers: tuple[str, ...] = ()             # places that must contain the entity


@dataclass(frozen=True)
class RowRules:
    """What the row allows, beyond its label."""

    cautioned_targets: frozenset[str] = frozenset()   # ids not to use, per the note
    caution: str = ""
    note_kinds: frozenset[str] = frozenset()
    needs_corroboration: bool = False                 # "never match by name alone"
    note: str = ""


def read_reference(path: Path = REFERENCE_CSV) -> list[ReferenceRow]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [_row(line, record) for line, record in enumerate(csv.DictReader(handle), start=2)]


def _row(line: int, record: dict) -> ReferenceRow:
    return ReferenceRow(
        line=line,
        label=record["label"].strip(),
        wikidata=(record.get("wikidata") or "").strip() or None,
        geonames=(record.get("geonames") or "").strip() or None,
        wikidata_agreement=_agreement(record.get("wikidata_agreement")),
        geonames_agreement=_agreement(record.get("geonames_agreement")),
        note=(record.get("note") or "").strip(),
    )


def _agreement(text: str | None) -> int | None:
    match = _AGREEMENT.search(text or "")
    return int(match[1]) if match else None


def parse_label(label: str, container_names) -> LabelParts:
    """Split 'Julfa / Jolfa (Iran)' into names and qualifiers. A parenthesis is read as
    qualifiers if one of its comma-separated parts is a kind word or the name of a country or
    province of ours; otherwise it gives more names ('Urmia (Orumiyeh)', 'Naqadeh (Sulduz)')."""
    match = _PARENTHESIS.match(label)
    main, inner = (match["main"], match["inner"]) if match else (label, None)
    names = [n.strip() for n in main.split("/") if n.strip()]
    if not inner:
        return LabelParts(tuple(names))
    parts = [p.strip() for p in inner.split(",") if p.strip()]
    containers = {container_key(n) for n in container_names}
    if any(p.lower() in KIND_WORDS or container_key(p) in containers for p in parts):
        kinds = frozenset().union(*(KIND_WORDS.get(p.lower(), frozenset()) for p in parts))
        places = tuple(p for p in parts if p.lower() not in KIND_WORDS)
        return LabelParts(tuple(names), kinds, places)
    names += [n.strip() for n in inner.split("/") if n.strip()]
    return LabelParts(tuple(names))


def row_rules(row: ReferenceRow) -> RowRules:
    clauses = [c.strip() for c in row.note.split(";") if c.strip()]
    cautioned, caution = set(), []
    for clause in clauses:
        if _CAUTION.search(clause):
            cautioned |= _targets_named(clause) or _targets_named(row.note) or {"wikidata", "geonames"}
            caution.append(clause)
    leading = _LEADING_KIND.match(clauses[0]) if clauses else None
    return RowRules(
        cautioned_targets=frozenset(cautioned),
        caution="; ".join(caution),
        note_kinds=KIND_WORDS[leading[1].lower()] if leading else frozenset(),
        needs_corroboration=bool(_NAME_ALONE.search(row.note)),
        note=row.note,
    )


def _targets_named(text: str) -> set[str]:
    lowered = text.lower()
    return {t for t in ("wikidata", "geonames") if t in lowered}


def container_key(name: str) -> str:
    """'East Azerbaijan Province' and 'East Azerbaijan' compare equal."""
    return re.sub(r" province$", "", exact_key(name))
