"""Where the project's files are. Each location can be overridden by an environment variable."""

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("KG_ROOT", Path(__file__).resolve().parents[2]))
ONTOLOGY_DIR = Path(os.environ.get("KG_ONTOLOGY_DIR", PROJECT_ROOT / "ontology"))
SHAPES_DIR = Path(os.environ.get("KG_SHAPES_DIR", PROJECT_ROOT / "shapes"))
DATA_DIR = Path(os.environ.get("KG_DATA_DIR", PROJECT_ROOT / "data"))
BUILD_DIR = Path(os.environ.get("KG_BUILD_DIR", PROJECT_ROOT / "build"))
# The source documents, archived: the copies every quote was checked against (sources/README.md).
SOURCES_DIR = Path(os.environ.get("KG_SOURCES_DIR", PROJECT_ROOT / "sources"))
# Reference data: checked external ids, Wikidata property ids, the GeoNames extract.
REFERENCE_DIR = Path(os.environ.get("KG_REFERENCE_DIR", PROJECT_ROOT / "reference"))
# Test data from elsewhere (W3C test suites, Reconciliation API schemas), with their licences.
TEST_DATA_DIR = Path(os.environ.get("KG_TEST_DATA_DIR", PROJECT_ROOT / "tests" / "data"))
W3C_SPARQL11_DIR = TEST_DATA_DIR / "w3c-rdf-tests" / "sparql" / "sparql11"
# Crosswalks from our classes to other vocabularies (ACLED, HURIDOCS): beside the ontology, not
# in its graph (they describe other publishers' terms, and exports read them on their own).
ALIGNMENTS_DIR = ONTOLOGY_DIR / "alignments"
# Citable releases written by `kg release` (dumps, checksums, changelog, DCAT, CITATION.cff).
RELEASES_DIR = Path(os.environ.get("KG_RELEASES_DIR", PROJECT_ROOT / "releases"))

# The build's product: ontology, data and inferred triples, each in its own named graph.
BUILT_DATASET = BUILD_DIR / "dataset.nq"


def turtle_files(directory: Path) -> list[Path]:
    """The Turtle files of a directory tree, in a stable order."""
    return sorted(p for p in Path(directory).rglob("*.ttl") if p.is_file())


def ontology_files(directory: Path = ONTOLOGY_DIR) -> list[Path]:
    """The ontology's Turtle files: those of `directory` but for its alignments/ folder."""
    return [p for p in turtle_files(directory) if "alignments" not in p.relative_to(directory).parts]
