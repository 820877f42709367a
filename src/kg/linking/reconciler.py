"""The GeoNames reconciler: our places against a GeoNames dump.

Decision: a candidate is accepted only if
  - its score is at least ACCEPT (80: a name with country and class is not enough on its own;
    the admin code of the province or our coordinates must agree as well),
  - it leads the next candidate by at least MARGIN points,
  - where several features share the name (homonyms), our coordinates confirm it (within
    CONFIRM_KM): never a link by name alone,
  - no other place of ours is accepted for the same feature.
Everything else goes to review, with its candidates. Admin codes are learned, not given: the
admin1 code of a province of ours is the one of the features confirmed by coordinates for the
places inside it (first pass); the second pass scores with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from kg.linking.entities import Entity
from kg.linking.geonames import Feature
from kg.linking.names import blocking_key
from kg.linking.scoring import SAME_NAME, Candidate, feature_classes_for, score

ACCEPT = 80.0
MARGIN = 10.0
CONFIRM_KM = 15.0
KEEP_CANDIDATES = 5


@dataclass(frozen=True)
class Outcome:
    place: Entity
    candidates: tuple[Candidate, ...]    # best first
    accepted: Candidate | None
    reason: str

    @property
    def status(self) -> str:
        if self.accepted:
            return "accepted"
        return "review" if self.candidates else "no candidate"


def reconcilable(entities: list[Entity]) -> list[Entity]:
    """Our places that a gazetteer can hold (cities, towns, provinces, countries, regions)."""
    return [e for e in entities if e.is_place and feature_classes_for(e)]


def reconcile(places: list[Entity], features: list[Feature]) -> list[Outcome]:
    index = index_by_blocking_key(features)
    first = [_outcome(p, _nearby(p, index), {}) for p in places]
    admin_codes = learn_admin_codes(first)
    return _one_to_one([_outcome(p, _nearby(p, index), admin_codes) for p in places])


def index_by_blocking_key(features: list[Feature]) -> dict[str, list[Feature]]:
    index = defaultdict(list)
    for feature in features:
        for key in {blocking_key(n) for n in feature.names}:
            index[key].append(feature)
    return index


def _nearby(place: Entity, index: dict[str, list[Feature]]) -> list[Feature]:
    """The features with a name that may be a variant of one of the place's names."""
    found = {f.geonameid: f for key in {blocking_key(n) for n in place.names} for f in index.get(key, ())}
    return list(found.values())


def learn_admin_codes(outcomes: list[Outcome]) -> dict:
    """Province -> admin1 code, from accepted candidates confirmed by coordinates."""
    votes = defaultdict(Counter)
    for outcome in outcomes:
        chosen = outcome.accepted
        if chosen and chosen.distance_km is not None and chosen.distance_km <= CONFIRM_KM and outcome.place.province:
            votes[outcome.place.province][(chosen.feature.country_code, chosen.feature.admin1)] += 1
    return {province: codes.most_common(1)[0][0][1] for province, codes in votes.items() if len(codes) == 1}


def _outcome(place: Entity, features: list[Feature], admin_codes: dict) -> Outcome:
    candidates = sorted(filter(None, (score(place, f, admin_codes) for f in features)),
                        key=lambda c: (-c.score, c.feature.geonameid))
    accepted, reason = decide(candidates)
    return Outcome(place, tuple(candidates[:KEEP_CANDIDATES]), accepted, reason)


def decide(candidates: list[Candidate]) -> tuple[Candidate | None, str]:
    if not candidates:
        return None, "no feature of the dump has a similar name in a fitting country and class"
    best = candidates[0]
    if best.score < ACCEPT:
        return None, f"best score {best.score} is below {ACCEPT}"
    if len(candidates) > 1 and best.score - candidates[1].score < MARGIN:
        return None, (f"ambiguous: {best.feature.geonameid} ({best.score}) and "
                      f"{candidates[1].feature.geonameid} ({candidates[1].score}) are within {MARGIN}")
    homonyms = [c for c in candidates if c.name_similarity >= SAME_NAME]
    confirmed = best.distance_km is not None and best.distance_km <= CONFIRM_KM
    if len(homonyms) > 1 and not confirmed:
        return None, f"{len(homonyms)} features share the name and no coordinates of ours confirm one"
    return best, "accepted"


def _one_to_one(outcomes: list[Outcome]) -> list[Outcome]:
    """A feature accepted for two places of ours is accepted for neither."""
    taken = Counter(o.accepted.feature.geonameid for o in outcomes if o.accepted)
    return [o if not o.accepted or taken[o.accepted.feature.geonameid] == 1 else
            Outcome(o.place, o.candidates, None, f"feature {o.accepted.feature.geonameid} fits several places of ours")
            for o in outcomes]
