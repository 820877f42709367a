"""Finding our entities by name, for the reconciliation service: names AND skos:altLabel,
tolerant of transliteration variants (Huseyn / Hossein, Mohammadiya / Mahammadiyan,
Rzayi / Rizayi), with type and property constraints. Store-agnostic: the caller gives the
entities and a function that reads property values.

Nodes the curators keep apart but link as possibly the same (cpo:possiblySameAs) come back
together, and neither is ever an automatic `match`: a tool that merges on a match would merge
what the source does not say is one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from kg.linking.names import exact_key, similarity, variant_key

MIN_SIMILARITY = 0.75
PART_OF_NAME = 0.8         # every word of the query is a word of a short name ("Shahidi")
PART_OF_WORDS = 4          # names longer than this (events' titles) are not matched by a part
MATCH_AT = 90.0            # a candidate is a `match` only at this score or above...
MATCH_LEAD = 10.0          # ...and this far ahead of the next
NAME_SHARE = 0.7           # with property constraints: the name's share of the score


@dataclass(frozen=True)
class SearchEntity:
    iri: str
    name: str
    alt_labels: tuple[str, ...] = ()
    types: frozenset[str] = frozenset()
    description: str = ""
    possibly_same_as: tuple[str, ...] = ()     # IRIs of identity candidates

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.alt_labels)


@dataclass(frozen=True)
class Scored:
    entity: SearchEntity
    score: float
    name_similarity: float
    matched_name: str
    property_similarities: dict = field(default_factory=dict, compare=False, hash=False)
    match: bool = False


ValuesOf = Callable[[str, str], list[str]]   # (entity IRI, property IRI) -> values as strings


def name_similarity(query: str, names) -> tuple[float, str]:
    best = (0.0, "")
    for name in names:
        score = max(similarity(query, name), _part_of(query, name))
        if score > best[0]:
            best = (score, name)
    return best


def _part_of(query: str, name: str) -> float:
    words, have = variant_key(query).split(), variant_key(name).split()
    if not words or len(have) > PART_OF_WORDS or len(words) >= len(have):
        return 0.0
    return PART_OF_NAME if set(words) <= set(have) else 0.0


def search(entities: list[SearchEntity], query: str, types=(), properties=(), values_of: ValuesOf | None = None,
           limit: int = 5) -> list[Scored]:
    """Candidates best first; `match` on the first only if it is unambiguous."""
    wanted = set(types)
    found = []
    for entity in entities:
        if wanted and not (entity.types & wanted):
            continue
        similar, matched = name_similarity(query, entity.names)
        if similar < MIN_SIMILARITY:
            continue
        found.append(_scored(entity, similar, matched, properties, values_of))
    found.sort(key=lambda s: (-s.score, s.entity.name, s.entity.iri))
    found = _with_identity_candidates(found[:max(1, limit)], entities, query, properties, values_of)
    return _mark_match(found)


def _with_identity_candidates(found: list[Scored], entities, query, properties, values_of) -> list[Scored]:
    """The candidates, each followed by the nodes it may be the same as (scored as usual)."""
    by_iri = {e.iri: e for e in entities}
    listed = {s.entity.iri for s in found}
    out = []
    for scored in found:
        out.append(scored)
        for iri in scored.entity.possibly_same_as:
            other = by_iri.get(iri)
            if other is not None and iri not in listed:
                listed.add(iri)
                similar, matched = name_similarity(query, other.names)
                out.append(_scored(other, similar, matched, properties, values_of))
    return out


def _scored(entity, similar, matched, properties, values_of) -> Scored:
    by_property = {pid: _property_similarity(values_of(entity.iri, pid) if values_of else [], wanted)
                   for pid, wanted in properties}
    score = 100 * similar
    if by_property:
        score = NAME_SHARE * score + (100 - 100 * NAME_SHARE) * sum(by_property.values()) / len(by_property)
    return Scored(entity, round(score, 1), similar, matched, by_property)


def _property_similarity(have: list[str], wanted: list[str]) -> float:
    best = 0.0
    for value in wanted:
        for candidate in have:
            same = value == candidate or exact_key(value) == exact_key(candidate)
            best = max(best, 1.0 if same else similarity(value, candidate))
    return best


def _mark_match(found: list[Scored]) -> list[Scored]:
    if not found:
        return found
    first = found[0]
    lead = first.score - max((s.score for s in found[1:]), default=0.0)
    if first.score >= MATCH_AT and lead >= MATCH_LEAD and not first.entity.possibly_same_as:
        found[0] = Scored(first.entity, first.score, first.name_similarity, first.matched_name,
                          first.property_similarities, match=True)
    return found


def suggest(entities: list[SearchEntity], prefix: str, types=(), limit: int = 10) -> list[SearchEntity]:
    """Entities with a name or a word of a name starting with `prefix` (folded, or as a variant);
    prefixes of the whole name first."""
    key, variant = exact_key(prefix), variant_key(prefix)
    if not key:
        return []
    wanted = set(types)
    ranked = []
    for entity in entities:
        if wanted and not (entity.types & wanted):
            continue
        rank = min((_prefix_rank(name, key, variant) for name in entity.names), default=9)
        if rank < 9:
            ranked.append((rank, entity.name, entity))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [entity for _, _, entity in ranked[:limit]]


def _prefix_rank(name: str, key: str, variant: str) -> int:
    folded, folded_variant = exact_key(name), variant_key(name)
    if folded.startswith(key):
        return 0
    if any(word.startswith(key) for word in folded.split()):
        return 1
    if folded_variant.startswith(variant) or any(w.startswith(variant) for w in folded_variant.split()):
        return 2
    return 9
