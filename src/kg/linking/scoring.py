"""Scoring a GeoNames feature as a candidate for one of our places.

Evidence and weights (a score out of 100):
  name         45 x the best similarity of our names and the feature's names (names.similarity)
  country      15 when our containing country is the feature's; a different country excludes it
  class        10 when the feature class fits (P for cities and towns, A for provinces and
               countries, A or L for regions); a class that does not fit excludes it
  admin code   10 when our province's admin1 code (learned from confirmed links) is the
               feature's; -20 when it is another
  coordinates  15 within 5 km, 10 within 15 km, 0 within 50 km; farther excludes it
  population    5 x log10(population) / 6 at most: a weak prior for the better-known place
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kg.linking.entities import Entity
from kg.linking.geonames import Feature, distance_km
from kg.linking.names import best_similarity, exact_key

MIN_NAME_SIMILARITY = 0.85
SAME_NAME = 0.97          # same folded name or same transliteration variant

WEIGHTS = {"name": 45, "country": 15, "class": 10, "admin": 10, "coordinates": 15, "population": 5}
WRONG_ADMIN = -20
MAX_KM = 50.0

FEATURE_CLASSES = {  # our class -> GeoNames feature classes that may stand for it
    "City": {"P"}, "Town": {"P"}, "Province": {"A"}, "Country": {"A"}, "Region": {"A", "L"},
}

COUNTRY_CODES = {  # our country names (folded) -> ISO 3166 codes
    "iran": "IR", "islamic republic of iran": "IR", "azerbaijan": "AZ", "republic of azerbaijan": "AZ",
    "armenia": "AM", "russia": "RU", "ukraine": "UA", "israel": "IL", "turkey": "TR",
    "united states": "US", "georgia": "GE", "iraq": "IQ",
}


@dataclass(frozen=True)
class Candidate:
    feature: Feature
    score: float
    name_similarity: float
    matched_names: tuple[str, str]
    distance_km: float | None
    admin_agrees: bool | None
    evidence: tuple[str, ...]

    def method(self) -> str:
        return "GeoNames reconciler: " + "; ".join(self.evidence)


def feature_classes_for(place: Entity) -> set[str]:
    classes = set().union(*(FEATURE_CLASSES.get(c, set()) for c in place.classes))
    return classes or ({"P", "A", "L"} if "Place" in place.classes else set())


def country_code(place: Entity) -> str | None:
    return COUNTRY_CODES.get(exact_key(place.country)) if place.country else None


def score(place: Entity, feature: Feature, admin_codes: dict) -> Candidate | None:
    """The candidate, or None if the feature cannot be this place."""
    similarity, ours, theirs = best_similarity(place.names, feature.names)
    if similarity < MIN_NAME_SIMILARITY or feature.feature_class not in feature_classes_for(place):
        return None
    code = country_code(place)
    if code and code != feature.country_code:
        return None
    distance = _distance(place, feature)
    if distance is not None and distance > MAX_KM:
        return None
    admin = admin_codes.get(place.province) if place.province is not None else None
    admin_agrees = None if admin is None else admin == feature.admin1
    points = {
        "name": WEIGHTS["name"] * similarity,
        "country": WEIGHTS["country"] if code else 0,
        "class": WEIGHTS["class"],
        "admin": 0 if admin_agrees is None else (WEIGHTS["admin"] if admin_agrees else WRONG_ADMIN),
        "coordinates": _coordinate_points(distance),
        "population": WEIGHTS["population"] * min(1.0, math.log10(feature.population + 1) / 6),
    }
    evidence = _evidence(ours, theirs, similarity, code, feature, admin_agrees, distance)
    return Candidate(feature, round(sum(points.values()), 1), similarity, (ours, theirs), distance,
                     admin_agrees, evidence)


def _distance(place: Entity, feature: Feature) -> float | None:
    if not place.has_coordinates:
        return None
    return round(distance_km(place.lat, place.long, feature.lat, feature.long), 1)


def _coordinate_points(distance: float | None) -> float:
    if distance is None:
        return 0
    if distance <= 5:
        return WEIGHTS["coordinates"]
    return 10 if distance <= 15 else 0


def _evidence(ours, theirs, similarity, code, feature, admin_agrees, distance) -> tuple[str, ...]:
    found = [f"name {ours!r} ~ {theirs!r} ({similarity:.2f})",
             f"country {feature.country_code}" + ("" if code else " (ours unknown)"),
             f"class {feature.feature_class}.{feature.feature_code}"]
    if admin_agrees is not None:
        found.append(f"admin1 {feature.admin1} {'agrees' if admin_agrees else 'differs'}")
    if distance is not None:
        found.append(f"coordinates {distance} km apart")
    found.append(f"population {feature.population}")
    return tuple(found)
