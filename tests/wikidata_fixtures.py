"""The small linked graph of the Wikidata exports' tests (tests/fixtures/wikidata/linked.ttl),
loaded and inferred as the build does it (without SHACL: the fixture's documents are
described only as far as the exports read them)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.paths import ONTOLOGY_DIR, turtle_files
from kg.pipeline.infer import DATA, ONTOLOGY, infer_into
from kg.pipeline.load import load_into

FIXTURE = Path(__file__).parent / "fixtures" / "wikidata" / "linked.ttl"


def fixture_store(*paths) -> ox.Store:
    """Ontology and data as the build loads them, with the build's OWL-RL inference."""
    store = ox.Store()
    load_into(store, turtle_files(ONTOLOGY_DIR), ONTOLOGY)
    load_into(store, paths or (FIXTURE,), DATA)
    infer_into(store, "owlrl")
    return store
