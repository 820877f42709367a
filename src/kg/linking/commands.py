"""What `kg link geonames` does, as one plain function the command line wraps."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kg.pipeline.build import load_graphs
from kg.linking.entities import our_entities
from kg.linking.evaluation import Evaluation, evaluate, known_geonames_ids
from kg.linking.geonames import read_dump
from kg.linking.reconciler import Outcome, reconcilable, reconcile
from kg.linking.reconciler_output import write_linkset
from kg.linking.review import write_review_csv
from kg.paths import BUILD_DIR

DEFAULT_LINKSET = BUILD_DIR / "links" / "geonames-linkset.ttl"
DEFAULT_REVIEW = BUILD_DIR / "links" / "geonames-review.csv"


@dataclass
class GeonamesRun:
    outcomes: list[Outcome]
    evaluation: Evaluation | None
    linkset: Path
    review: Path

    def summary(self) -> str:
        counts = Counter(o.status for o in self.outcomes)
        lines = [f"{len(self.outcomes)} places of ours: {counts['accepted']} linked, "
                 f"{counts['review']} to review, {counts['no candidate']} without candidate",
                 f"linkset: {self.linkset}", f"review:  {self.review}"]
        if self.evaluation:
            lines += ["", self.evaluation.describe()]
        return "\n".join(lines)


def link_geonames(dump: Path, linkset: Path = DEFAULT_LINKSET, review: Path = DEFAULT_REVIEW,
                  evaluate_known: bool = False, graph=None) -> GeonamesRun:
    graph = load_graphs().data if graph is None else graph
    features = read_dump(dump)
    outcomes = reconcile(reconcilable(our_entities(graph)), features)
    write_linkset(outcomes, linkset, dump.name)
    write_review_csv(outcomes, review)
    evaluation = evaluate(outcomes, known_geonames_ids(graph), features) if evaluate_known else None
    return GeonamesRun(outcomes, evaluation, linkset, review)
