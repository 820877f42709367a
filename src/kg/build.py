"""The build: load ontology and data, infer with OWL-RL, validate with SHACL, write the dataset.

The product is one N-Quads file with three named graphs (ontology, data, inferred), which the
server, the exports and the queries read.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from kg.inference import infer
from kg.loading import SourceFiles, load_files
from kg.namespaces import CPO, DATA_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, bind_prefixes
from kg.paths import BUILT_DATASET, DATA_DIR, ONTOLOGY_DIR, SHAPES_DIR, turtle_files
from kg.validation import ValidationReport, load_shapes, validate

# Classes whose instances the build summary counts (instances after inference).
SUMMARY_CLASSES = (
    "Person", "Group", "Organisation", "Court", "Place", "Event", "ProtestAction", "Arrest",
    "Detention", "Release", "Charge", "Ruling", "Sentence", "Statement", "Claim", "Denial",
    "Mistreatment", "FamilyRelation", "SourceConflict", "LegalProvision", "SourceDocument", "Passage",
)


@dataclass
class Graphs:
    """The three parts of the built dataset, and which file asserted what."""

    ontology: Graph
    data: Graph
    inferred: Graph
    sources: SourceFiles

    def asserted(self) -> Graph:
        return bind_prefixes(self.ontology + self.data)

    def union(self) -> Graph:
        return bind_prefixes(self.ontology + self.data + self.inferred)

    def dataset(self, inferred: bool = True) -> Dataset:
        dataset = bind_prefixes(Dataset())
        parts = [(ONTOLOGY_GRAPH, self.ontology), (DATA_GRAPH, self.data)]
        if inferred:
            parts.append((INFERRED_GRAPH, self.inferred))
        for iri, graph in parts:
            named = dataset.graph(iri)
            for triple in graph:
                named.add(triple)
        return dataset


@dataclass
class BuildResult:
    graphs: Graphs
    report: ValidationReport
    seconds: dict[str, float] = field(default_factory=dict)
    output: Path | None = None

    @property
    def conforms(self) -> bool:
        return self.report.conforms

    def entity_counts(self) -> dict[str, int]:
        return count_instances(self.graphs.union(), SUMMARY_CLASSES)

    def summary(self) -> str:
        g = self.graphs
        lines = [
            f"asserted triples: {len(g.ontology) + len(g.data)} "
            f"(ontology {len(g.ontology)}, data {len(g.data)})",
            f"inferred triples: {len(g.inferred)}",
            "entities per class:",
            *(f"  {name:<16} {count}" for name, count in self.entity_counts().items()),
            "time: " + ", ".join(f"{step} {secs:.2f} s" for step, secs in self.seconds.items()),
            f"SHACL: {'conforms' if self.conforms else f'{len(self.report.violations)} violation(s)'}",
        ]
        if self.output:
            lines.append(f"written: {self.output}")
        return "\n".join(lines)


def count_instances(graph: Graph, class_names) -> dict[str, int]:
    counts = Counter()
    for name in class_names:
        counts[name] = len(set(graph.subjects(RDF.type, CPO[name])))
    return dict(counts)


def data_files(data_dir: Path = DATA_DIR) -> list[Path]:
    return turtle_files(data_dir)


def load_graphs(extra_files=(), ontology_dir: Path = ONTOLOGY_DIR, data_dir: Path = DATA_DIR) -> Graphs:
    """Parse the ontology and the data (plus extra files, validated as part of the data)."""
    ontology, data = Graph(), Graph()
    load_files(ontology, turtle_files(ontology_dir))
    sources = load_files(data, [*data_files(data_dir), *map(Path, extra_files)])
    return Graphs(bind_prefixes(ontology), bind_prefixes(data), Graph(), sources)


def build(output: Path | None = BUILT_DATASET, extra_files=(), shapes_dir: Path = SHAPES_DIR,
          ontology_dir: Path = ONTOLOGY_DIR, data_dir: Path = DATA_DIR) -> BuildResult:
    """Load, infer, validate; write the dataset to `output` only if the data conforms."""
    seconds = {}
    started = time.perf_counter()
    graphs = load_graphs(extra_files, ontology_dir, data_dir)
    seconds["parse"] = time.perf_counter() - started

    started = time.perf_counter()
    graphs.inferred = bind_prefixes(infer(graphs.asserted()))
    seconds["inference"] = time.perf_counter() - started

    started = time.perf_counter()
    report = validate(graphs.union(), load_shapes(shapes_dir), graphs.sources)
    seconds["validation"] = time.perf_counter() - started

    result = BuildResult(graphs, report, seconds)
    if output is not None and report.conforms:
        started = time.perf_counter()
        write_dataset(graphs, Path(output))
        seconds["write"] = time.perf_counter() - started
        result.output = Path(output)
    return result


def write_dataset(graphs: Graphs, output: Path) -> None:
    """Write atomically, so a reader never sees half a file."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_suffix(output.suffix + ".partial")
    graphs.dataset().serialize(destination=str(partial), format="nquads")
    partial.replace(output)


def source_files(ontology_dir: Path = ONTOLOGY_DIR, data_dir: Path = DATA_DIR,
                 shapes_dir: Path = SHAPES_DIR) -> list[Path]:
    return [*turtle_files(ontology_dir), *turtle_files(data_dir), *turtle_files(shapes_dir)]


def is_stale(output: Path = BUILT_DATASET) -> bool:
    if not output.exists():
        return True
    built_at = output.stat().st_mtime
    return any(p.stat().st_mtime > built_at for p in source_files())


class BuildFailed(Exception):
    """The data does not conform to the shapes; the report says why."""

    def __init__(self, report: ValidationReport):
        self.report = report
        super().__init__(report.describe())


def ensure_built(output: Path = BUILT_DATASET) -> Path:
    """The built dataset, rebuilt first if it is missing or older than any source file."""
    if is_stale(output):
        result = build(output)
        if not result.conforms:
            raise BuildFailed(result.report)
    return output


