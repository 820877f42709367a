"""The build for large graphs: pyoxigraph parses, kg.materialize infers, SPARQL validates.

The same product as kg.build (ontology, data and inferred named graphs, written only if the
data conforms), without rdflib graphs of the whole data: rdflib parsing, owlrl and pyshacl
each take minutes at 10^6 triples. Inference is our ontology's OWL-RL rules compiled to SPARQL
updates (kg.materialize; `reasonable`, the Rust reasoner, as the alternative), validation our
shapes compiled to SPARQL (kg.shacl_sparql). Measured on 2 shared cores (benchmarks/README.md,
"Build at 10^6"): 10^6 asserted triples parse, infer, validate and are written in under 60 s.

Optionally the built dataset also goes into an on-disk pyoxigraph store (`store_dir`), which
`kg serve --store DIR` serves without parsing or inferring again; it is written by a second
thread while inference and validation run (DatasetWriter).
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, XSD

from kg.dates import day_span
from kg.namespaces import CPO, DATA_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from kg.paths import BUILT_DATASET, DATA_DIR, ONTOLOGY_DIR, SHAPES_DIR, turtle_files
from kg.shacl_sparql import validate_store
from kg.terms import to_ox
from kg.validation import ValidationReport, load_shapes

ONTOLOGY, DATA, INFERRED = (ox.NamedNode(str(g)) for g in (ONTOLOGY_GRAPH, DATA_GRAPH, INFERRED_GRAPH))
BYTES_PER_TRIPLE = 100  # of our Turtle, about: enough to tell 10^4 from 10^5
SUMMARY_CLASSES = ("Person", "Place", "Event", "Arrest", "Detention", "Ruling", "Sentence",
                   "Statement", "Passage")


@dataclass
class FastBuildResult:
    store: ox.Store
    report: ValidationReport
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    output: Path | None = None
    store_dir: Path | None = None
    reasoner: str = "auto"

    @property
    def conforms(self) -> bool:
        return self.report.conforms

    def summary(self) -> str:
        c = self.counts
        lines = [f"asserted triples: {c['ontology'] + c['data']} (ontology {c['ontology']}, data {c['data']})",
                 f"inferred triples: {c['inferred']}", "entities per class:",
                 *(f"  {name:<16} {c.get(name, 0)}" for name in SUMMARY_CLASSES),
                 "time: " + ", ".join(f"{step} {secs:.2f} s" for step, secs in self.seconds.items()),
                 f"reasoner: {self.reasoner}; validation: SHACL compiled to SPARQL",
                 f"SHACL: {'conforms' if self.conforms else f'{len(self.report.violations)} violation(s)'}"]
        if self.output:
            lines.append(f"written: {self.output}")
        if self.store_dir:
            lines.append(f"store: {self.store_dir}")
        return "\n".join(lines)


def fast_build(output: Path | None = BUILT_DATASET, store_dir: Path | None = None,
               data_dir: Path = DATA_DIR, ontology_dir: Path = ONTOLOGY_DIR,
               shapes_dir: Path = SHAPES_DIR, data_files=None,
               replace_writes: bool = False, reasoner: str = "auto") -> FastBuildResult:
    """Parse, infer, validate in memory; write N-Quads and/or the on-disk store if it conforms.

    The writing overlaps the build (DatasetWriter): the asserted graphs stream into the new
    on-disk store while inference runs, the inferred graph while validation runs; only the
    end of the bulk load and the rename wait for the verdict."""
    seconds = {}
    started = time.perf_counter()
    store = ox.Store()
    for path in turtle_files(ontology_dir):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY,
                        base_iri=Path(path).resolve().as_uri())
    for path in data_files if data_files is not None else turtle_files(data_dir):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=DATA,
                        base_iri=Path(path).resolve().as_uri())
    seconds["parse"] = time.perf_counter() - started

    writer = DatasetWriter(output, store_dir, replace_writes) if output or store_dir else None
    try:
        if writer:
            writer.send(store, (ONTOLOGY, DATA))
        started = time.perf_counter()
        reasoner = infer_into(store, reasoner)
        seconds["inference"] = time.perf_counter() - started
        if writer:
            writer.send(store, (INFERRED,))

        started = time.perf_counter()
        report = validate_store(store, load_shapes(shapes_dir))
        seconds["validation"] = time.perf_counter() - started

        result = FastBuildResult(store, report, seconds, counts(store), reasoner=reasoner)
        if report.conforms and writer:
            started = time.perf_counter()
            writer.commit()
            result.output = Path(output) if output else None
            result.store_dir = Path(store_dir) if store_dir else None
            seconds["write"] = time.perf_counter() - started
    finally:
        if writer:
            writer.abort()
    return result


class DatasetWriter:
    """Writes the built dataset (N-Quads file and/or new on-disk store) while the build goes on.

    `send` queues graphs of the in-memory store: a feeder thread dumps each (N-Triples, made
    N-Quads by naming the graph on every line) into a pipe, and tees it into the N-Quads file;
    a loader thread bulk-loads the pipe into the new store. One bulk load of one stream, so
    blank nodes stay the same nodes across graphs. pyoxigraph releases the GIL while it
    parses and writes, so on 2 cores this runs beside inference and validation. `commit`
    waits for both threads and puts the results in place; `abort` (or a failure) leaves
    nothing behind."""

    def __init__(self, output: Path | None, store_dir: Path | None, replace_writes: bool):
        import queue
        import shutil
        import threading

        self.output, self.directory = (Path(output) if output else None,
                                       Path(store_dir) if store_dir else None)
        if self.directory and not replace_writes and self.directory.exists() \
                and writes_in_store(self.directory):
            raise StoreHasWrites(self.directory)
        self.errors: list[BaseException] = []
        self.jobs: queue.Queue = queue.Queue()
        self.done = False
        self.file = None
        if self.output:
            self.output.parent.mkdir(parents=True, exist_ok=True)
            self.file = self.output.with_suffix(self.output.suffix + ".partial").open("wb")
        self.pipe = self.loader = self.partial = None
        if self.directory:
            self.partial = self.directory.with_name(self.directory.name + ".partial")
            shutil.rmtree(self.partial, ignore_errors=True)
            reader, writer = os.pipe()
            self.pipe = os.fdopen(writer, "wb")
            self.disk = ox.Store(str(self.partial))
            self.loader = threading.Thread(target=self._load, args=(os.fdopen(reader, "rb"),),
                                           daemon=True)
            self.loader.start()
        self.feeder = threading.Thread(target=self._feed, daemon=True)
        self.feeder.start()

    def send(self, store: ox.Store, graphs) -> None:
        for graph in graphs:
            self.jobs.put((store, graph))

    def _load(self, reader) -> None:
        try:
            with reader:
                self.disk.bulk_load(reader, format=ox.RdfFormat.N_QUADS, lenient=True)
        except BaseException as error:  # noqa: BLE001 - reported by commit
            self.errors.append(error)

    def _feed(self) -> None:
        try:
            while (job := self.jobs.get()) is not None:
                store, graph = job
                store.dump(_NamedGraphLines(graph, (self.file, self.pipe)),
                           format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        except BaseException as error:  # noqa: BLE001 - reported by commit
            self.errors.append(error)
        finally:
            for out in (self.file, self.pipe):
                if out is not None:
                    try:
                        out.close()
                    except OSError:
                        pass

    def _wait(self) -> None:
        self.jobs.put(None)
        self.feeder.join()
        if self.loader:
            self.loader.join()

    def commit(self) -> None:
        import shutil

        self._wait()
        self.done = True
        if self.errors:
            self._remove()
            raise self.errors[0]
        if self.directory:
            for graph in (ONTOLOGY, DATA, INFERRED):
                self.disk.add_graph(graph)
            self.disk.optimize()
            self.disk.flush()
            del self.disk
            shutil.rmtree(self.directory, ignore_errors=True)
            self.partial.rename(self.directory)
        if self.output:
            self.output.with_suffix(self.output.suffix + ".partial").replace(self.output)

    def abort(self) -> None:
        if self.done:
            return
        self.done = True
        self._wait()
        self._remove()

    def _remove(self) -> None:
        import shutil

        if self.directory:
            self.__dict__.pop("disk", None)
            shutil.rmtree(self.partial, ignore_errors=True)
        if self.output:
            self.output.with_suffix(self.output.suffix + ".partial").unlink(missing_ok=True)


class _NamedGraphLines:
    """A binary writer turning N-Triples into N-Quads of `graph` (each line ends with " .\n"
    and N-Triples escapes line breaks in literals, so the line ends are exactly those), and
    writing them to each of `outputs`."""

    def __init__(self, graph: ox.NamedNode, outputs):
        self.suffix = f" <{graph.value}> .\n".encode()
        self.outputs = [out for out in outputs if out is not None]
        self.rest = b""

    def write(self, chunk) -> int:
        data = self.rest + bytes(chunk)
        end = data.rfind(b"\n") + 1
        self.rest = data[end:]
        if end:
            lines = data[:end].replace(b" .\n", self.suffix)
            for out in self.outputs:
                out.write(lines)
        return len(chunk)

    def flush(self) -> None:
        pass


def build_with(reasoner: str = "auto", output: Path | None = BUILT_DATASET,
               store_dir: Path | None = None, data_dir: Path = DATA_DIR,
               replace_store: bool = False):
    """`kg build`: the owlrl build (kg.build) or this one, by `reasoner` (auto: by data size).

    A store that has received writes is only replaced with `replace_store` (checked before the
    build runs, so the refusal costs nothing)."""
    from kg.reasoning import choose

    if store_dir is not None and not replace_store and writes_in_store(Path(store_dir)):
        raise StoreHasWrites(store_dir)

    files = turtle_files(data_dir)
    estimate = sum(p.stat().st_size for p in files) // BYTES_PER_TRIPLE
    chosen = choose(reasoner, estimate)
    if chosen != "owlrl":
        # auto: sparql, falling back to reasonable if the ontology uses OWL it cannot compile.
        fast = chosen if reasoner != "auto" else "auto"
        return fast_build(output, store_dir, data_dir, replace_writes=True, reasoner=fast)
    from kg.build import build

    result = build(output, data_dir=data_dir)
    if store_dir is not None and result.conforms and result.output is not None:
        started = time.perf_counter()
        memory = ox.Store()
        memory.bulk_load(path=str(result.output), format=ox.RdfFormat.N_QUADS)
        write_store(memory, Path(store_dir), replace_writes=True)
        result.seconds["store"] = time.perf_counter() - started
    return result


def is_built_store(directory) -> bool:
    """True if `directory` holds an on-disk store written by a build (or filled since)."""
    directory = Path(directory)
    return (directory / "CURRENT").is_file()


def infer_into(store: ox.Store, reasoner: str = "auto") -> str:
    """Fill the inferred graph: the OWL-RL closure of ontology + data, less what is asserted,
    plus the day bounds of dates. `sparql`: kg.materialize (our ontology's rules compiled to
    SPARQL, run inside pyoxigraph; raises kg.materialize.Unsupported for OWL it does not
    compile); `reasonable`: the Rust reasoner, plus the family-relation chain it leaves out;
    `auto`: sparql, or reasonable where sparql raises Unsupported. Returns the one used."""
    if reasoner in ("sparql", "auto"):
        from kg.materialize import Unsupported, materialize

        try:
            materialize(store, [ONTOLOGY.value, DATA.value], INFERRED.value)
            add_date_bounds(store)
            return "sparql"
        except Unsupported:
            if reasoner != "auto":
                raise
    elif reasoner != "reasonable":
        raise ValueError(f"unknown reasoner {reasoner!r}")
    import reasonable

    with tempfile.TemporaryDirectory() as tmp:
        asserted = Path(tmp) / "asserted.ttl"  # N-Triples, which reasonable reads as Turtle
        with asserted.open("wb") as out:
            for graph in (ONTOLOGY, DATA):
                store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        reasoner = reasonable.PyReasoner()
        reasoner.load_file(str(asserted))
        closure = reasoner.reason()
    quads = _inferred_quads(closure)
    del closure
    store.bulk_extend(quads)
    del quads
    store.update(f"""
        DELETE {{ GRAPH {INFERRED} {{ ?s ?p ?o }} }}
        WHERE {{ GRAPH {INFERRED} {{ ?s ?p ?o }} {{ GRAPH {DATA} {{ ?s ?p ?o }} }}
                 UNION {{ GRAPH {ONTOLOGY} {{ ?s ?p ?o }} }} }}""")
    # The chain reasonable leaves out (see kg.reasoning.complete_chains), both ways.
    store.update(f"""
        PREFIX cpo: <{CPO}> PREFIX schema: <https://schema.org/>
        INSERT {{ GRAPH {INFERRED} {{ ?a cpo:hasRelative ?b . ?a schema:relatedTo ?b .
                                     ?b cpo:hasRelative ?a . ?b schema:relatedTo ?a . }} }}
        WHERE {{ ?r cpo:person ?a ; cpo:relative ?b . }}""")
    add_date_bounds(store)
    return "reasonable"


def add_date_bounds(store: ox.Store) -> None:
    """cpo:earliestDate / cpo:latestDate as kg.dates.date_bounds derives them."""
    rows = store.query(f"""PREFIX cpo: <{CPO}>
        SELECT ?e ?d WHERE {{ GRAPH {DATA} {{ ?e cpo:date|cpo:startDate|cpo:endDate ?d }} }}""")
    spans: dict = {}
    for row in rows:
        literal = row["d"]
        if not isinstance(literal, ox.Literal):
            continue
        span = day_span(Literal(literal.value, datatype=URIRef(literal.datatype.value)))
        if span:
            low, high = spans.get(row["e"], (span[0], span[1]))
            spans[row["e"]] = (min(low, span[0]), max(high, span[1]))
    xsd_date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    earliest, latest = ox.NamedNode(str(CPO.earliestDate)), ox.NamedNode(str(CPO.latestDate))
    store.extend([quad for event, (low, high) in spans.items() for quad in (
        ox.Quad(event, earliest, ox.Literal(low.isoformat(), datatype=xsd_date), INFERRED),
        ox.Quad(event, latest, ox.Literal(high.isoformat(), datatype=xsd_date), INFERRED))])


def _inferred_quads(closure) -> list:
    """reasonable's triples as pyoxigraph quads of the inferred graph, noise left out
    (kg.reasoning.is_noise and normalise, inlined: this loop sees millions of triples)."""
    same_as, xsd_string, graph = OWL.sameAs, XSD.string, INFERRED
    terms: dict = {}
    quads = []
    append = quads.append
    for s, p, o in closure:
        if type(s) is Literal or type(p) is not URIRef or (p == same_as and s == o):
            continue
        ts, tp = terms.get(s), terms.get(p)
        if ts is None:
            ts = terms[s] = ox.BlankNode(str(s)) if type(s) is BNode else ox.NamedNode(str(s))
        if tp is None:
            tp = terms[p] = ox.NamedNode(str(p))
        if type(o) is Literal:
            if o.language:
                to = ox.Literal(str(o), language=o.language)
            elif o.datatype is None or o.datatype == xsd_string:
                to = ox.Literal(str(o))
            else:
                to = ox.Literal(str(o), datatype=to_ox(o.datatype, terms))
        else:
            to = terms.get(o)
            if to is None:
                to = terms[o] = ox.BlankNode(str(o)) if type(o) is BNode else ox.NamedNode(str(o))
        append(ox.Quad(ts, tp, to, graph))
    return quads


def counts(store: ox.Store) -> dict[str, int]:
    result = {}
    for name, graph in (("ontology", ONTOLOGY), ("data", DATA), ("inferred", INFERRED)):
        row = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH {graph} {{ ?s ?p ?o }} }}")))
        result[name] = int(row["n"].value)
    for name in SUMMARY_CLASSES:
        row = next(iter(store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ ?s a <{CPO[name]}> }}",
                                    use_default_graph_as_union=True)))
        result[name] = int(row["n"].value)
    return result


def write_nquads(store: ox.Store, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_suffix(output.suffix + ".partial")
    with partial.open("wb") as out:
        store.dump(out, format=ox.RdfFormat.N_QUADS)
    partial.replace(output)


class StoreHasWrites(Exception):
    """The store to be replaced holds writes made through the server since it was built."""

    def __init__(self, directory):
        super().__init__(f"{directory} holds writes made through the server since it was built; "
                         "back it up (kg backup --store) and pass --replace-store to replace it "
                         "with this build")


def writes_in_store(directory: Path) -> bool:
    """True if the store at `directory` has a change log or a PROV change record: replacing it
    with a fresh build would lose acknowledged writes that are not in the data files."""
    from kg.engine.commit import CHANGES
    from kg.server.state import JOURNAL_DIR

    directory = Path(directory)
    journal = directory / JOURNAL_DIR / "changes.log"
    if journal.exists() and journal.stat().st_size > 0:
        return True
    if not is_built_store(directory):
        return False
    existing = ox.Store.read_only(str(directory))
    try:
        return any(True for _ in existing.quads_for_pattern(None, None, None, CHANGES))
    finally:
        del existing


def write_store(store: ox.Store, directory: Path, replace_writes: bool = False) -> None:
    """Replace the on-disk store at `directory` with the built dataset (bulk loaded).

    Refuses (StoreHasWrites) to replace a store that has received writes, unless told to:
    take a `kg backup` first, or fold the writes into the data files."""
    import shutil

    directory = Path(directory)
    if not replace_writes and directory.exists() and writes_in_store(directory):
        raise StoreHasWrites(directory)
    partial = directory.with_name(directory.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    with tempfile.NamedTemporaryFile(suffix=".nq", dir=os.environ.get("TMPDIR")) as dump:
        store.dump(dump, format=ox.RdfFormat.N_QUADS)
        dump.flush()
        durable = ox.Store(str(partial))
        durable.bulk_load(path=dump.name, format=ox.RdfFormat.N_QUADS)
        for graph in (ONTOLOGY, DATA, INFERRED):
            durable.add_graph(graph)
        durable.optimize()
        durable.flush()
        del durable
    shutil.rmtree(directory, ignore_errors=True)
    partial.rename(directory)
