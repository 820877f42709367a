"""The W3C SPARQL 1.1 query evaluation suite (328 tests), run against our endpoint.

The command is scripts/w3c_query_suite.py (its CI use: tests/test_w3c_query_suite.py):

    scripts/w3c_query_suite.py [--engine http|inprocess] [--endpoint URL] [--only TEXT] [--json PATH]

`http` (default) starts ONE `kg serve --open-update` on loopback (or uses --endpoint),
loads each test's data with SPARQL Update (DROP ALL, then INSERT DATA in N-Triples
form; LOAD is refused by our server) and sends the query through the SPARQL 1.1
Protocol, the test's dataset named by default-graph-uri / named-graph-uri. `inprocess`
runs the same tests on a pyoxigraph Store, to tell engine failures from endpoint ones.

Results are compared as multisets of solutions up to blank-node renaming (in order
when the outermost query ends with ORDER BY), numbers and booleans by value within
their datatype; CONSTRUCT results as isomorphic graphs. Syntax tests: a negative test
must get a syntax error (400 with the parser's position), a positive one must not.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from kg.paths import W3C_SPARQL11_DIR

ROOT = Path(__file__).resolve().parents[1]
SUITE_DIR = W3C_SPARQL11_DIR
DEFAULT_MANIFEST = SUITE_DIR / "manifest-sparql11-query.ttl"
# The IRI the tests were published under: graph names and expected results use it.
SUITE_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
RS = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")

EVALUATION = MF.QueryEvaluationTest
POSITIVE_SYNTAX = MF.PositiveSyntaxTest11
NEGATIVE_SYNTAX = MF.NegativeSyntaxTest11


# ---------------------------------------------------------------- the manifests

@dataclass
class SuiteTest:
    id: str                 # e.g. "aggregates/manifest#agg01"
    name: str
    kind: str               # "evaluation", "positive-syntax" or "negative-syntax"
    query: Path
    data: list[Path] = field(default_factory=list)
    graph_data: list[Path] = field(default_factory=list)
    result: Path | None = None


def local_path(iri: str, suite_dir: Path) -> Path:
    return suite_dir / iri[len(SUITE_BASE):] if iri.startswith(SUITE_BASE) else Path(iri)


def suite_iri(path: Path, suite_dir: Path) -> str:
    return SUITE_BASE + path.resolve().relative_to(suite_dir.resolve()).as_posix()


def load_tests(manifest: Path = DEFAULT_MANIFEST) -> list[SuiteTest]:
    """Every test of a manifest and of the manifests it includes, in manifest order."""
    suite_dir = manifest.parent
    graph = rdflib.Graph().parse(manifest, publicID=suite_iri(manifest, suite_dir))
    tests = []
    for head in graph.objects(None, MF.include):
        for included in Collection(graph, head):
            tests += load_tests(local_path(str(included), suite_dir))
    for listing in graph.objects(None, MF.entries):
        for entry in Collection(graph, listing):
            test = read_test(graph, entry, suite_dir)
            if test:
                tests.append(test)
    return tests


def read_test(graph: rdflib.Graph, entry, suite_dir: Path) -> SuiteTest | None:
    kinds = {EVALUATION: "evaluation", POSITIVE_SYNTAX: "positive-syntax",
             NEGATIVE_SYNTAX: "negative-syntax"}
    kind = kinds.get(graph.value(entry, RDF.type))
    if kind is None:
        return None
    path = lambda node: local_path(str(node), suite_dir)  # noqa: E731
    action = graph.value(entry, MF.action)
    test = SuiteTest(id=str(entry)[len(SUITE_BASE):], name=str(graph.value(entry, MF.name)),
                     kind=kind, query=path(action))
    if kind == "evaluation":
        test.query = path(graph.value(action, QT.query))
        test.data = sorted(path(n) for n in graph.objects(action, QT.data))
        test.graph_data = sorted(path(n) for n in graph.objects(action, QT.graphData))
        test.result = path(graph.value(entry, MF.result))
    return test


def query_text(test: SuiteTest, suite_dir: Path) -> str:
    """The query, with its file's IRI as BASE (the protocol has no base parameter), on
    its first line so that error positions keep their line numbers."""
    return f"BASE <{suite_iri(test.query, suite_dir)}> " + test.query.read_text(encoding="utf-8")


# ---------------------------------------------------------------- results as comparable values
# A term becomes a hashable key; blank nodes are ("bnode", label) so that the
# comparison can rename them.

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = {XSD + name for name in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte")}


def literal_value(lexical: str, datatype: str):
    """Numbers and booleans by value ("1.0" and "1" are the same xsd:decimal, as
    engines store them canonically); any other literal by its lexical form."""
    try:
        if datatype in INTEGER_TYPES or datatype == XSD + "decimal":
            return Decimal(lexical.strip()).normalize()
        if datatype in (XSD + "double", XSD + "float"):
            return float(lexical.strip().replace("INF", "inf"))
        if datatype == XSD + "boolean":
            return {"1": "true", "0": "false"}.get(lexical.strip(), lexical.strip())
    except (InvalidOperation, ValueError):
        pass
    return lexical


def literal_key(lexical: str, datatype: str, language: str) -> tuple:
    return ("literal", literal_value(lexical, datatype), datatype, language.lower())


def term_key(term) -> tuple:
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.Literal):
        return literal_key(term.value, term.datatype.value, term.language or "")
    return ("other", str(term))


def csv_key(term) -> tuple:
    """What the CSV results format keeps of a term: its string, blank nodes as such."""
    return ("bnode", term.value) if isinstance(term, ox.BlankNode) else ("text", term.value)


def solutions_to_rows(solutions, key=term_key) -> list[dict]:
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        rows.append({n: key(solution[n]) for n in names if solution[n] is not None})
    return rows


def parse_csv_rows(text: str) -> list[dict]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    rows = []
    for record in reader:
        rows.append({name: (("bnode", cell[2:]) if cell.startswith("_:") else ("text", cell))
                     for name, cell in zip(header, record) if cell != ""})
    return rows


def result_set_graph_to_rows(graph: rdflib.Graph) -> list[dict] | bool:
    """The rs: vocabulary (SPARQL 1.0 style expected results in Turtle)."""
    result_set = graph.value(None, RDF.type, RS.ResultSet, any=True) or next(graph.subjects(RS.solution, None), None)
    boolean = graph.value(result_set, RS.boolean)
    if boolean is not None:
        return bool(boolean.toPython())
    rows = []
    for solution in graph.objects(result_set, RS.solution):
        row = {}
        for binding in graph.objects(solution, RS.binding):
            row[str(graph.value(binding, RS.variable))] = rdflib_term_key(graph.value(binding, RS.value))
        rows.append(row)
    return rows


def rdflib_term_key(term) -> tuple:
    if isinstance(term, rdflib.BNode):
        return ("bnode", str(term))
    if isinstance(term, rdflib.URIRef):
        return ("iri", str(term))
    datatype = term.datatype or (RDF.langString if term.language else rdflib.XSD.string)
    return literal_key(str(term), str(datatype), term.language or "")


# ---------------------------------------------------------------- expected results

@dataclass
class Outcome:
    """What a query gave: rows (list of dicts), a boolean, or a graph."""
    rows: list[dict] | None = None
    boolean: bool | None = None
    graph: rdflib.Graph | None = None


def expected_outcome(path: Path, suite_dir: Path) -> Outcome:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return Outcome(rows=parse_csv_rows(path.read_text(encoding="utf-8")))
    if suffix in (".srx", ".srj", ".tsv"):
        return results_outcome(ox.parse_query_results(path=str(path)))
    graph = rdflib.Graph().parse(path, publicID=suite_iri(path, suite_dir))
    if (None, RDF.type, RS.ResultSet) in graph:
        rows = result_set_graph_to_rows(graph)
        return Outcome(boolean=rows) if isinstance(rows, bool) else Outcome(rows=rows)
    return Outcome(graph=graph)


def results_outcome(results, key=term_key) -> Outcome:
    if isinstance(results, ox.QueryBoolean):
        return Outcome(boolean=bool(results))
    return Outcome(rows=solutions_to_rows(results, key))


def triples_to_graph(triples) -> rdflib.Graph:
    text = "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples)
    return rdflib.Graph().parse(data=text, format="nt")


# ---------------------------------------------------------------- comparison

def bnode_free_signature(row: dict) -> tuple:
    return tuple(sorted((k, ("bnode",) if v[0] == "bnode" else v) for k, v in row.items()))


def rows_match(expected: dict, actual: dict, mapping: dict, reverse: dict) -> dict | None:
    """Extend the blank-node bijection so that the two rows match, or None."""
    if expected.keys() != actual.keys():
        return None
    mapping, reverse = dict(mapping), dict(reverse)
    for name, e in expected.items():
        a = actual[name]
        if e[0] == "bnode" and a[0] == "bnode":
            if mapping.setdefault(e[1], a[1]) != a[1] or reverse.setdefault(a[1], e[1]) != e[1]:
                return None
        elif e != a:
            return None
    return {"mapping": mapping, "reverse": reverse}


def same_rows(expected: list[dict], actual: list[dict], ordered: bool) -> bool:
    if len(expected) != len(actual):
        return False
    if ordered:
        return match_in_order(expected, actual)
    if Counter(map(bnode_free_signature, expected)) != Counter(map(bnode_free_signature, actual)):
        return False
    return match_any_order(expected, list(actual), {}, {})


def match_in_order(expected, actual) -> bool:
    state = {"mapping": {}, "reverse": {}}
    for e, a in zip(expected, actual):
        state = rows_match(e, a, state["mapping"], state["reverse"])
        if state is None:
            return False
    return True


def match_any_order(expected, remaining, mapping, reverse) -> bool:
    """Backtracking search for a row pairing under one blank-node bijection."""
    if not expected:
        return True
    first, rest = expected[0], expected[1:]
    for index, candidate in enumerate(remaining):
        state = rows_match(first, candidate, mapping, reverse)
        if state and match_any_order(rest, remaining[:index] + remaining[index + 1:],
                                     state["mapping"], state["reverse"]):
            return True
    return False


def compare(expected: Outcome, actual: Outcome, ordered: bool) -> str | None:
    """None when they agree, else the reason they do not."""
    if expected.boolean is not None:
        return None if actual.boolean == expected.boolean else f"expected {expected.boolean}, got {actual.boolean}"
    if expected.graph is not None:
        if actual.graph is None:
            return "expected a graph, got solutions or a boolean"
        if isomorphic(expected.graph, actual.graph):
            return None
        return f"graphs differ: expected {len(expected.graph)} triples, got {len(actual.graph)}"
    if actual.rows is None:
        return "expected solutions, got a graph or a boolean"
    if same_rows(expected.rows, actual.rows, ordered):
        return None
    return (f"solutions differ{' (ordered)' if ordered else ''}: expected {len(expected.rows)} "
            f"{preview(expected.rows)}, got {len(actual.rows)} {preview(actual.rows)}")


def preview(rows: list[dict], limit: int = 3) -> str:
    shown = [{k: str(v[1]) for k, v in row.items()} for row in rows[:limit]]
    return json.dumps(shown, ensure_ascii=False)[:300]


ORDER_TRANSPARENT = ("Slice", "Distinct", "Reduced", "Project", "Extend", "ToMultiSet")


def is_ordered(query: str) -> bool:
    """Whether the outermost query ends with ORDER BY (read from rdflib's algebra)."""
    from rdflib.plugins.sparql import prepareQuery
    try:
        node = prepareQuery(query).algebra
    except Exception:
        return "ORDER BY" in query.upper()
    node = node.get("p")
    while node is not None and getattr(node, "name", None) in ORDER_TRANSPARENT:
        node = node.get("p")
    return getattr(node, "name", None) == "OrderBy"


# ---------------------------------------------------------------- engines

class InProcessEngine:
    """The suite on a pyoxigraph Store in this process."""

    def __init__(self, suite_dir: Path):
        self.suite_dir = suite_dir

    def load(self, test: SuiteTest) -> None:
        self.store = ox.Store()
        for path in test.data:
            self.store.load(path=str(path), base_iri=suite_iri(path, self.suite_dir))
        for path in test.graph_data:
            iri = suite_iri(path, self.suite_dir)
            self.store.load(path=str(path), base_iri=iri, to_graph=ox.NamedNode(iri))

    def parses(self, query: str) -> tuple[bool, str]:
        try:
            self.run(query, ox.Store(), csv_cells=False)
        except SyntaxError as error:
            return False, str(error)
        except Exception:  # parsed, but could not be evaluated (e.g. an unknown function)
            pass
        return True, ""

    def evaluate(self, query: str, csv_cells: bool) -> Outcome:
        return self.run(query, self.store, csv_cells)

    @staticmethod
    def run(query: str, store: ox.Store, csv_cells: bool) -> Outcome:
        results = store.query(query)
        if isinstance(results, ox.QueryTriples):
            return Outcome(graph=triples_to_graph(results))
        return results_outcome(results, csv_key if csv_cells else term_key)


class HttpEngine:
    """The suite through the SPARQL 1.1 Protocol of a live endpoint with open updates.

    The test's default graph is loaded into a named graph and given to each query as
    `default-graph-uri` (with its named graphs as `named-graph-uri`), so the results
    do not depend on whether the server's own default graph is the union of its graphs.
    Queries with FROM / FROM NAMED get no protocol dataset: their own clauses apply.
    """

    ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
    DEFAULT_GRAPH = "urn:x-kg:w3c-query-suite:default-graph"

    def __init__(self, endpoint: str, suite_dir: Path, timeout: float = 60):
        self.endpoint, self.suite_dir, self.timeout = endpoint, suite_dir, timeout
        self.named_graphs: list[str] = []

    def load(self, test: SuiteTest) -> None:
        self.named_graphs = [suite_iri(path, self.suite_dir) for path in test.graph_data]
        graphs = [(self.DEFAULT_GRAPH, [line for path in test.data for line in self.ntriples(path)])]
        graphs += [(iri, self.ntriples(path)) for iri, path in zip(self.named_graphs, test.graph_data)]
        self.update(["DROP ALL"] + [op for iri, triples in graphs for op in fill_graph(iri, triples)])

    def ntriples(self, path: Path) -> list[str]:
        quads = ox.parse(path=str(path), base_iri=suite_iri(path, self.suite_dir))
        return [f"{q.subject} {q.predicate} {q.object} ." for q in quads]

    def update(self, operations: list[str]) -> None:
        status, _, body = self.post("application/sparql-update", " ;\n".join(operations).encode("utf-8"))
        if status >= 300:
            raise RuntimeError(f"loading the data failed with HTTP {status}: {body[:300]!r}")

    def parses(self, query: str) -> tuple[bool, str]:
        """Run it on an empty dataset holding just the (empty) graphs its FROM clauses name.

        Parsed unless the answer is a syntax error (400 with the parser's position); a
        parsed query the endpoint refuses to evaluate is reported as such."""
        self.update(["DROP ALL"] + [f"CREATE SILENT GRAPH <{iri}>" for iri in dataset_clause_iris(query) or []])
        status, _, body = self.query(query, [])
        message = f"HTTP {status}: {body[:300].decode('utf-8', 'replace')}"
        if status == 200:
            return True, ""
        return not is_syntax_error(status, body), message

    def evaluate(self, query: str, csv_cells: bool) -> Outcome:
        dataset = [] if dataset_clause_iris(query) else (
            [("default-graph-uri", self.DEFAULT_GRAPH)] + [("named-graph-uri", g) for g in self.named_graphs])
        status, content_type, body = self.query(query, dataset)
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:300].decode('utf-8', 'replace')}")
        if content_type.startswith("application/n-triples"):
            return Outcome(graph=rdflib.Graph().parse(data=body.decode("utf-8"), format="nt"))
        results = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        return results_outcome(results, csv_key if csv_cells else term_key)

    def query(self, query: str, dataset: list[tuple[str, str]]) -> tuple[int, str, bytes]:
        form = urllib.parse.urlencode([("query", query)] + dataset).encode("ascii")
        return self.post("application/x-www-form-urlencoded", form)

    def post(self, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        headers = {"Content-Type": content_type, "Accept": self.ACCEPT}
        request = urllib.request.Request(self.endpoint, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", ""), error.read()


def is_syntax_error(status: int, body: bytes) -> bool:
    """A 400 whose canonical error body carries the parser's position or says so."""
    if status != 400:
        return False
    text = body.decode("utf-8", "replace")
    try:
        error = json.loads(text)["error"]
        return "line" in error or str(error.get("detail", "")).lower().startswith("syntax error")
    except (ValueError, KeyError, TypeError):
        return "syntax error" in text.lower()


def fill_graph(iri: str, triples: list[str]) -> list[str]:
    """Update operations that make graph `iri` exist and hold these N-Triples lines."""
    operations = [f"CREATE SILENT GRAPH <{iri}>"]
    if triples:
        operations.append(f"INSERT DATA {{ GRAPH <{iri}> {{\n" + "\n".join(triples) + "\n} }")
    return operations


def dataset_clause_iris(query: str) -> list[str] | None:
    """The IRIs of the query's FROM / FROM NAMED clauses (None if rdflib cannot parse it)."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    try:
        clauses = translateQuery(parseQuery(query)).algebra.get("datasetClause") or []
    except Exception:
        return None
    return [str(c["default"] if "default" in c else c["named"]) for c in clauses]


# ---------------------------------------------------------------- running the suite

@dataclass
class TestResult:
    id: str
    name: str
    kind: str
    passed: bool
    reason: str = ""        # why it failed, or a note on how it passed


def run_test(test: SuiteTest, engine, suite_dir: Path) -> TestResult:
    result = TestResult(test.id, test.name, test.kind, passed=False)
    query = query_text(test, suite_dir)
    try:
        if test.kind != "evaluation":
            parsed, message = engine.parses(query)
            positive = test.kind == "positive-syntax"
            result.passed = parsed == positive
            if not result.passed:
                result.reason = message or "parsed, but must be rejected"
            elif positive and message:
                result.reason = "syntax accepted, evaluation refused: " + message
            return result
        engine.load(test)
        expected = expected_outcome(test.result, suite_dir)
        actual = engine.evaluate(query, csv_cells=test.result.suffix == ".csv")
        result.reason = compare(expected, actual, is_ordered(query)) or ""
        result.passed = not result.reason
    except Exception as error:  # a failure of one test never stops the suite
        result.reason = f"{type(error).__name__}: {error}"[:500]
    return result


def run_suite(engine, tests: list[SuiteTest], suite_dir: Path) -> list[TestResult]:
    return [run_test(test, engine, suite_dir) for test in tests]


def summary(results: list[TestResult]) -> str:
    passed = sum(r.passed for r in results)
    return f"{passed} passed, {len(results) - passed} failed"


# ---------------------------------------------------------------- a server of our own

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, empty_dataset: Path) -> subprocess.Popen:
    """`kg serve --open-update` on loopback, on an empty dataset (each test loads its own)."""
    empty_dataset.write_text("", encoding="utf-8")
    command = [sys.executable, "-c", "import sys; from kg.cli import main; sys.exit(main())",
               "serve", "--host", "127.0.0.1", "--port", str(port), "--open-update",
               "--dataset", str(empty_dataset)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_until_up(endpoint: str, server: subprocess.Popen, seconds: float = 60) -> None:
    url = endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("kg serve exited: " + server.stderr.read().decode()[-2000:])
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise RuntimeError(f"no answer from {endpoint} within {seconds} s")


# ---------------------------------------------------------------- command line

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("http", "inprocess"), default="http")
    parser.add_argument("--endpoint", help="a running endpoint with open updates (default: start one)")
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--only", action="append", default=[], help="run tests whose id contains this")
    parser.add_argument("--json", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    logging.getLogger("rdflib").setLevel(logging.ERROR)  # its SPARQL parser warns on escaped IRIs

    suite_dir = args.manifest.resolve().parent
    tests = [t for t in load_tests(args.manifest.resolve()) if not args.only or any(o in t.id for o in args.only)]
    server = None
    if args.engine == "inprocess":
        engine = InProcessEngine(suite_dir)
    else:
        endpoint = args.endpoint
        if not endpoint:
            port = free_port()
            endpoint = f"http://127.0.0.1:{port}/sparql"
            server = start_server(port, Path(tempfile.mkdtemp()) / "empty.nq")
            wait_until_up(endpoint, server)
        engine = HttpEngine(endpoint, suite_dir)
    try:
        started = time.monotonic()
        results = run_suite(engine, tests, suite_dir)
        elapsed = time.monotonic() - started
    finally:
        if server:
            server.terminate()
            server.wait(10)

    for result in results:
        if not result.passed:
            print(f"FAIL {result.id} ({result.name}): {result.reason}")
        elif result.reason:
            print(f"NOTE {result.id} ({result.name}): {result.reason}")
    print(f"{summary(results)} ({args.engine}, {elapsed:.1f} s)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "engine": args.engine, "summary": summary(results),
            "passed": sum(r.passed for r in results), "total": len(results),
            "results": [asdict(r) for r in results]}, indent=2), encoding="utf-8")
    return 0 if all(r.passed for r in results) else 1
