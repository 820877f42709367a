"""Where the project's files are. Each location can be overridden by an environment variable."""

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("KG_ROOT", Path(__file__).resolve().parents[2]))
ONTOLOGY_DIR = Path(os.environ.get("KG_ONTOLOGY_DIR", PROJECT_ROOT / "ontology"))
SHAPES_DIR = Path(os.environ.get("KG_SHAPES_DIR", PROJECT_ROOT / "shapes"))
DATA_DIR = Path(os.environ.get("KG_DATA_DIR", PROJECT_ROOT / "data"))
BUILD_DIR = Path(os.environ.get("KG_BUILD_DIR", PROJECT_ROOT / "build"))
SHARED_DIR = Path(os.environ.get("KG_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
SEEDS_DIR = Path(os.environ.get("KG_SEEDS_DIR", SHARED_DIR / "seeds"))
# Reference data: checked external ids, Wikidata property ids, the GeoNames extract.
REFERENCE_DIR = Path(os.environ.get("KG_REFERENCE_DIR", PROJECT_ROOT / "reference"))
# Citable releases written by `kg release` (dumps, checksums, changelog, DCAT, CITATION.cff).
RELEASES_DIR = Path(os.environ.get("KG_RELEASES_DIR", PROJECT_ROOT / "releases"))

# The build's product: ontology, data and inferred triples, each in its own named graph.
BUILT_DATASET = BUILD_DIR / "dataset.nq"


def turtle_files(directory: Path) -> list[Path]:
    """The Turtle files of a directory tree, in a stable order."""
    return sorted(p for p in Path(directory).rglob("*.ttl") if p.is_file())
