"""The review CSV: every place of ours that was not accepted, with its candidates and scores
(and the accepted ones too, marked, so a reviewer sees the whole picture)."""

from __future__ import annotations

import csv
from pathlib import Path

from kg.linking.reconciler import Outcome

COLUMNS = ("place", "place_name", "status", "reason", "rank", "geonames", "feature_name", "country",
           "admin1", "feature_code", "population", "score", "name_similarity", "distance_km", "evidence")


def review_rows(outcomes: list[Outcome]):
    for outcome in sorted(outcomes, key=lambda o: (o.status == "accepted", str(o.place.iri))):
        common = {"place": str(outcome.place.iri), "place_name": outcome.place.name,
                  "status": outcome.status, "reason": outcome.reason}
        if not outcome.candidates:
            yield common
        for rank, candidate in enumerate(outcome.candidates, start=1):
            feature = candidate.feature
            yield {**common, "rank": rank, "geonames": feature.iri, "feature_name": feature.name,
                   "country": feature.country_code, "admin1": feature.admin1,
                   "feature_code": f"{feature.feature_class}.{feature.feature_code}",
                   "population": feature.population, "score": candidate.score,
                   "name_similarity": candidate.name_similarity,
                   "distance_km": "" if candidate.distance_km is None else candidate.distance_km,
                   "evidence": "; ".join(candidate.evidence)}


def write_review_csv(outcomes: list[Outcome], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(review_rows(outcomes))
