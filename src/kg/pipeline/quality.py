"""Quality-control queries: what SHACL cannot say about the data (words that must occur in a
cited passage, facts without a passage, deprecated or computed terms asserted, contradictory
bounds, landmarks outside their town ...), each a SPARQL SELECT in shapes/qc/ that must return
zero rows. `kg validate` and the tests run them on the built dataset; docs/modelling.md,
section 12, lists them.

A query file starts with comment lines `# title: ...` and `# message: ...` (what a row means
and what to do), and selects ?focus, and optionally ?path and ?value, per problem. It runs with
the union of the dataset's graphs as default graph, and may name the data graph to look at
what was asserted only."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.paths import SHAPES_DIR
from kg.pipeline.load import files_asserting
from kg.pipeline.report import ValidationReport, Violation

QC_DIR = SHAPES_DIR / "qc"
HEADER = re.compile(r"^#\s*(title|message):\s*(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class QualityCheck:
    name: str
    title: str
    message: str
    query: str


def load_checks(directory: Path = QC_DIR) -> list[QualityCheck]:
    """The quality-control queries of `directory`, by file name."""
    checks = []
    for path in sorted(Path(directory).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = dict(HEADER.findall(text))
        if "message" not in header:
            raise ValueError(f"{path}: a quality-control query starts with '# message: ...'")
        checks.append(QualityCheck(path.stem, header.get("title", path.stem), header["message"], text))
    return checks


def run_checks(store: ox.Store, checks: list[QualityCheck], files=()) -> ValidationReport:
    """Every row of every check, as a violation naming the check (`qc:<name>`) and the
    `files` that assert its focus node."""
    found, iris = [], []
    for check in checks:
        for row in store.query(check.query, use_default_graph_as_union=True):
            focus = _get(row, "focus")
            found.append(Violation(
                focus_node=show(focus), path=show(_get(row, "path")), message=check.message,
                value=show(_get(row, "value")), severity="Violation", shape=f"qc:{check.name}"))
            iris.append(focus.value if isinstance(focus, ox.NamedNode) else None)
    if found and files:
        where = files_asserting(files, set(iris) - {None})
        found = [replace(v, files=where.get(iri, ())) for v, iri in zip(found, iris)]
    return ValidationReport(conforms=not found, violations=found)


def describe(report: ValidationReport) -> str:
    if report.conforms:
        return "Quality checks: no rows (every check of shapes/qc/ passes)."
    return "Quality checks: " + report.describe().replace("violation(s)", "row(s)", 1)


def row_counts(store: ox.Store, checks: list[QualityCheck]) -> dict[str, int]:
    """How many rows each check returns (zero each, when the data is as it should be)."""
    return {check.name: sum(1 for _ in store.query(check.query, use_default_graph_as_union=True))
            for check in checks}


def _get(row, name: str):
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


def show(term) -> str | None:
    """A term as a curator reads it: an IRI in our prefixes where one fits, a literal's text."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
            if term.value.startswith(str(namespace)):
                local = term.value[len(str(namespace)):]
                if re.fullmatch(r"[\w.-]*", local):
                    return f"{prefix}:{local}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value
