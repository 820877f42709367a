"""Rows of the reference table matched to our entities: which ids to link, which to skip and why.

A row fits one of our entities when exactly one entity carries one of the row's names (folded
for case and diacritics; a transliteration variant only when no entity has the exact name) and
the row's qualifiers and note agree with it: kind ("city", "populated place"), containing place
("(Iran)"), corroboration where the note forbids a match by name alone. A row with a GeoNames id
is about a place, so only places are considered for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.linking.entities import CONTAINER_CLASSES, Entity
from kg.linking.names import exact_key, variant_key
from kg.linking.reference import LabelParts, ReferenceRow, RowRules, container_key, parse_label, row_rules


@dataclass(frozen=True)
class RowDecision:
    row: ReferenceRow
    entity: Entity | None
    method: str                       # how the row was matched to the entity
    links: dict[str, str]             # target -> canonical IRI, to link
    skips: dict[str, str]             # target (or "row") -> why not linked

    def describe(self) -> list[str]:
        lines = []
        for target, iri in self.links.items():
            lines.append(f"linked   {self.entity.short} skos:exactMatch <{iri}>  "
                         f"(row {self.row.line} {self.row.label!r}, {self.row.agreement(target)} source(s), {self.method})")
        for target, why in self.skips.items():
            lines.append(f"skipped  row {self.row.line} {self.row.label!r} {target}: {why}")
        return lines


def decide_all(rows: list[ReferenceRow], entities: list[Entity]) -> list[RowDecision]:
    containers = [n for e in entities if e.classes & CONTAINER_CLASSES for n in e.names]
    return [decide(row, entities, containers) for row in rows]


def decide(row: ReferenceRow, entities: list[Entity], container_names) -> RowDecision:
    parts, rules = parse_label(row.label, container_names), row_rules(row)
    pool = [e for e in entities if e.is_place] if row.geonames else entities
    found, method = _named(parts.names, pool)
    if not found:
        return RowDecision(row, None, "", {}, {"row": "no entity of ours has this name"})
    fitting = [e for e in found if not _misfit(e, parts, rules)]
    if len(fitting) != 1:
        why = (f"several of our entities fit ({', '.join(e.short for e in fitting)})" if fitting
               else f"{found[0].short} does not fit: {_misfit(found[0], parts, rules)}")
        return RowDecision(row, None, method, {}, {"row": why})
    chosen = fitting[0]
    links, skips = {}, {}
    for target, iri in row.ids().items():
        if target in rules.cautioned_targets:
            skips[target] = f"<{iri}> not used: the note says {rules.caution!r}"
        else:
            links[target] = iri
    return RowDecision(row, chosen, _method(method, parts, rules), links, skips)


def _named(names, pool: list[Entity]) -> tuple[list[Entity], str]:
    """Entities carrying one of `names`: exact (folded) first, else transliteration variants."""
    keys = {exact_key(n) for n in names}
    exact = [e for e in pool if keys & {exact_key(n) for n in e.names}]
    if exact:
        return exact, "label"
    variants = {variant_key(n) for n in names}
    return [e for e in pool if variants & {variant_key(n) for n in e.names}], "label variant"


def _misfit(e: Entity, parts: LabelParts, rules: RowRules) -> str:
    """Why entity `e` is not what the row is about ('' if nothing speaks against it)."""
    for kinds, said in ((parts.kinds, "label"), (rules.note_kinds, "note")):
        if kinds and not (e.classes & kinds):
            return (f"it is a {'/'.join(sorted(e.classes)) or 'thing'}, the row's {said} says "
                    f"{'/'.join(sorted(kinds))}")
    around = {container_key(n) for n in e.ancestor_names}
    for place in parts.containers:
        if container_key(place) not in around:
            return f"it is not in {place} (it is in {', '.join(e.ancestor_names) or 'no known place'})"
    if rules.needs_corroboration and not _note_names_a_container(rules.note, around):
        return "the note forbids a match by name alone and names none of its containing places"
    return ""


def _note_names_a_container(note: str, around: set[str]) -> bool:
    folded = f" {exact_key(note)} "
    return any(f" {place} " in folded for place in around if place)


def _method(method: str, parts: LabelParts, rules: RowRules) -> str:
    checks = [method]
    if parts.kinds or rules.note_kinds:
        checks.append("kind")
    if parts.containers:
        checks.append("containing place")
    if rules.needs_corroboration:
        checks.append("containing place named in the note")
    return " + ".join(checks)
