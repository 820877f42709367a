"""`kg build`: load ontology and data, infer, validate, write the dataset. The one entry.

    load      kg.pipeline.load       files into the ontology and data graphs of a store
    infer     kg.pipeline.infer      OWL-RL closure and derived terms (kg.pipeline.derive) into the inferred graph
    validate  kg.pipeline.validate   SHACL over ontology + data + inferred
    write     kg.pipeline.write      N-Quads file and/or on-disk store, only if it conforms

The product is one N-Quads file with three named graphs (ontology, data, inferred), which the
server, the exports and the queries read; optionally also an on-disk store that
`kg serve --store DIR` serves without loading or inferring again. Small data (the real data)
is inferred by owlrl and validated by pyshacl, the reference implementations; large data by
our ontology's rules and shapes compiled to SPARQL (kg.pipeline.infer.LARGE_GRAPH), which
build 10^6 triples in under a minute (benchmarks/README.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.namespaces import CPO, bind_prefixes
from kg.paths import (BUILT_DATASET, DATA_DIR, ONTOLOGY_DIR, SHAPES_DIR, SOURCES_DIR,
                      ontology_files, turtle_files)
from kg.pipeline.infer import DATA, INFERRED, ONTOLOGY, choose_reasoner, graph_of, infer_into
from kg.pipeline.errors import BuildError
from kg.pipeline.load import load_into
from kg.pipeline.passages import verify_source_copies
from kg.pipeline.report import ValidationReport
from kg.pipeline.validate import load_shapes, validate_store_graphs
from kg.pipeline.write import DatasetWriter, StoreHasWrites, writes_in_store

# Classes whose instances the summary counts (after inference).
SUMMARY_CLASSES = (
    "Person", "Group", "Organisation", "Court", "Place", "Event", "ProtestAction", "Arrest",
    "Detention", "Release", "Charge", "Ruling", "Sentence", "Statement", "Claim", "Denial",
    "Mistreatment", "FamilyRelation", "SourceConflict", "LegalProvision", "SourceDocument", "Passage",
)
BYTES_PER_TRIPLE = 100  # of our Turtle, about: enough to tell 10^4 from 10^5 before parsing
# At or above this many asserted triples, a build with a --store works in that on-disk store
# instead of in memory (DatasetWriter's in_place): the in-memory build needs about 2 GiB per
# 10^6 asserted triples (benchmarks/README.md, "10^7").
ON_DISK_BUILD = 3_000_000


@dataclass
class Graphs:
    """The three graphs of a built dataset as rdflib graphs (for rdflib-based readers)."""

    ontology: Graph
    data: Graph
    inferred: Graph

    def asserted(self) -> Graph:
        return bind_prefixes(self.ontology + self.data)

    def union(self) -> Graph:
        return bind_prefixes(self.ontology + self.data + self.inferred)



@dataclass
class BuildResult:
    store: ox.Store
    report: ValidationReport
    seconds: dict[str, float] = field(default_factory=dict)
    reasoner: str = "owlrl"
    validator: str = "pyshacl"
    output: Path | None = None
    store_dir: Path | None = None

    @property
    def conforms(self) -> bool:
        return self.report.conforms

    @cached_property
    def graphs(self) -> Graphs:
        return Graphs(*(bind_prefixes(graph_of(self.store, (g,))) for g in (ONTOLOGY, DATA, INFERRED)))

    def triple_counts(self) -> dict[str, int]:
        return {name: _count(self.store, f"GRAPH <{g.value}> {{ ?s ?p ?o }}")
                for name, g in (("ontology", ONTOLOGY), ("data", DATA), ("inferred", INFERRED))}

    def entity_counts(self) -> dict[str, int]:
        return {name: _count(self.store, f"?s a <{CPO[name]}>", "DISTINCT ?s")
                for name in SUMMARY_CLASSES}

    def summary(self) -> str:
        triples = self.triple_counts()
        lines = [f"asserted triples: {triples['ontology'] + triples['data']} "
                 f"(ontology {triples['ontology']}, data {triples['data']})",
                 f"inferred triples: {triples['inferred']}",
                 "entities per class:",
                 *(f"  {name:<16} {count}" for name, count in self.entity_counts().items()),
                 "time: " + ", ".join(f"{step} {secs:.2f} s" for step, secs in self.seconds.items()),
                 f"reasoner: {self.reasoner}; validator: {self.validator}",
                 f"SHACL: {'conforms' if self.conforms else f'{len(self.report.violations)} violation(s)'}"]
        if self.output:
            lines.append(f"written: {self.output}")
        if self.store_dir:
            lines.append(f"store: {self.store_dir}")
        return "\n".join(lines)


def source_descriptions(store: ox.Store) -> Graph:
    """The source documents of the data graph with their own properties and those of their
    blank nodes (checksums), as an rdflib graph."""
    return graph_of(_constructed(store, f"""
        CONSTRUCT {{ ?document ?p ?o . ?o ?q ?v }} WHERE {{ GRAPH <{DATA.value}> {{
            ?document a <{CPO.SourceDocument}> ; ?p ?o . OPTIONAL {{ ?o ?q ?v FILTER isBlank(?o) }}
        }} }}"""), (ox.DefaultGraph(),))


def _constructed(store: ox.Store, query: str) -> ox.Store:
    result = ox.Store()
    result.extend(ox.Quad(t.subject, t.predicate, t.object) for t in store.query(query))
    return result


def _count(store: ox.Store, pattern: str, what: str = "*") -> int:
    query = f"SELECT (COUNT({what}) AS ?n) WHERE {{ {pattern} }}"
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)


def build(output: Path | None = BUILT_DATASET, store_dir: Path | None = None, *,
          extra_files=(), data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR,
          shapes_dir: Path = SHAPES_DIR, sources_dir: Path | None = SOURCES_DIR,
          reasoner: str = "auto", replace_store: bool = False,
          on_disk: bool | None = None) -> BuildResult:
    """Load, infer, validate; write `output` (N-Quads) and/or `store_dir` only if the data
    conforms. `extra_files` are validated as part of the data (`kg validate FILE`).

    Every source document's archived copy in `sources_dir` must match its recorded SHA-256
    (SourceCopyError otherwise): the quotes were checked against those bytes. None: no
    archive to check (test fixtures whose documents are not kept).

    `reasoner`: owlrl (with pyshacl), sparql or reasonable (with SHACL compiled to SPARQL),
    auto (by size). A store that has received writes is replaced only with `replace_store`,
    checked before any work. The writing overlaps the build (DatasetWriter): the asserted
    graphs stream out while inference runs, the inferred graph while validation runs.

    `on_disk` (default: for ON_DISK_BUILD asserted triples and more, with `store_dir` and a
    compiled reasoner): build in the new on-disk store itself, which pyoxigraph's bulk loader
    fills and in which the compiled rules and shapes run, so memory stays bounded; the result's
    store is then the built store, read-only."""
    if store_dir is not None and not replace_store and writes_in_store(Path(store_dir)):
        raise StoreHasWrites(store_dir)
    files = [*turtle_files(data_dir), *map(Path, extra_files)]
    estimate = sum(p.stat().st_size for p in files) // BYTES_PER_TRIPLE
    chosen = choose_reasoner(reasoner, estimate)
    validator = "pyshacl" if chosen == "owlrl" else "sparql"
    if on_disk is None:
        on_disk = store_dir is not None and chosen != "owlrl" and estimate >= ON_DISK_BUILD
    elif on_disk and (store_dir is None or chosen == "owlrl"):
        raise ValueError("an on-disk build needs a store directory and a compiled reasoner")
    seconds: dict[str, float] = {}

    writer = (DatasetWriter(output, store_dir, replace_writes=True, in_place=on_disk)
              if output or store_dir else None)
    try:
        started = time.perf_counter()
        store = writer.disk if on_disk else ox.Store()
        load_into(store, ontology_files(ontology_dir), ONTOLOGY)
        load_into(store, files, DATA)
        if on_disk:
            store.optimize()  # one sorted run per index instead of one per bulk-loaded batch
        if sources_dir is not None:
            verify_source_copies(source_descriptions(store), sources_dir)
        seconds["parse"] = time.perf_counter() - started

        if writer:
            writer.send(store, (ONTOLOGY, DATA))
        started = time.perf_counter()
        # auto: sparql, falling back to reasonable for OWL it does not compile
        used = infer_into(store, "auto-sparql" if reasoner == "auto" and chosen == "sparql" else chosen)
        if on_disk:
            store.optimize()
        seconds["inference"] = time.perf_counter() - started
        if writer:
            writer.send(store, (INFERRED,))

        started = time.perf_counter()
        report = validate_store_graphs(store, load_shapes(shapes_dir), validator, files)
        seconds["validation"] = time.perf_counter() - started

        if report.conforms and writer:
            started = time.perf_counter()
            writer.commit()
            if on_disk:
                del store  # the scratch store closes before its directory goes
                store = writer.built_store()
            seconds["write"] = time.perf_counter() - started
            return BuildResult(store, report, seconds, used, validator,
                               Path(output) if output else None,
                               Path(store_dir) if store_dir else None)
        return BuildResult(store, report, seconds, used, validator)
    finally:
        if writer:
            writer.abort()


# --- the built dataset, for its readers --------------------------------------------------

def source_files(ontology_dir: Path = ONTOLOGY_DIR, data_dir: Path = DATA_DIR,
                 shapes_dir: Path = SHAPES_DIR) -> list[Path]:
    return [*ontology_files(ontology_dir), *turtle_files(data_dir), *turtle_files(shapes_dir)]


def is_stale(output: Path = BUILT_DATASET) -> bool:
    if not output.exists():
        return True
    built_at = output.stat().st_mtime
    return any(p.stat().st_mtime > built_at for p in source_files())


class BuildFailed(BuildError):
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


def load_graphs(extra_files=(), ontology_dir: Path = ONTOLOGY_DIR,
                data_dir: Path = DATA_DIR) -> Graphs:
    """The asserted ontology and data as rdflib graphs, loaded as the build loads them (the
    inferred graph left empty)."""
    store = ox.Store()
    load_into(store, ontology_files(ontology_dir), ONTOLOGY)
    load_into(store, [*turtle_files(data_dir), *map(Path, extra_files)], DATA)
    return Graphs(bind_prefixes(graph_of(store, (ONTOLOGY,))),
                  bind_prefixes(graph_of(store, (DATA,))), Graph())
