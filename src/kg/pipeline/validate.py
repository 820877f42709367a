"""SHACL validation, by pyshacl (the reference) or by our shapes compiled to SPARQL
(kg.pipeline.shacl_sparql, for large graphs), turned into a report a curator can act on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.namespaces import SH, bind_prefixes
from kg.paths import SHAPES_DIR, turtle_files
from kg.pipeline.infer import graph_of
from kg.pipeline.load import files_asserting, parse_files
from kg.pipeline.report import ValidationReport, Violation
from kg.pipeline.shacl_sparql import validate_store

VALIDATORS = ("pyshacl", "sparql")


def load_shapes(shapes_dir: Path = SHAPES_DIR) -> Graph:
    """All shape files of the shapes directory (the -valid/-invalid examples are not shapes)."""
    return parse_files(p for p in turtle_files(shapes_dir) if "examples" not in p.parts)


def validate_store_graphs(store: ox.Store, shapes: Graph, validator: str = "pyshacl",
                          files=()) -> ValidationReport:
    """Validate the union of every graph of `store` (closed under inference already); each
    violation names the `files` that assert its focus node."""
    if validator == "sparql":
        return with_files(validate_store(store, shapes), files, lambda v: v.focus_node)
    if validator != "pyshacl":
        raise ValueError(f"unknown validator {validator!r} (choose from {', '.join(VALIDATORS)})")
    graphs = [ox.DefaultGraph(), *store.named_graphs()]
    return validate(bind_prefixes(graph_of(store, graphs)), shapes, files)


def validate(data: Graph, shapes: Graph, files=()) -> ValidationReport:
    """pyshacl on `data` (already closed under inference). Graphs only, never owl:imports:
    pyshacl loads a string argument as a path or a URL, which no caller may cause."""
    for name, graph in (("data", data), ("shapes", shapes)):
        if not isinstance(graph, Graph):
            raise TypeError(f"{name} must be an rdflib Graph, not {type(graph).__name__}: "
                            "pyshacl would load a string as a path or a URL")
    conforms, results, _ = pyshacl.validate(
        data_graph=data, shacl_graph=shapes, inference="none", advanced=True,
        allow_warnings=True, allow_infos=True, meta_shacl=False, do_owl_imports=False,
    )
    focus = {}
    violations = sorted(_violations(results, data, focus), key=lambda v: (v.focus_node, v.path or ""))
    report = ValidationReport(conforms=bool(conforms), violations=violations)
    return with_files(report, files, lambda v: focus.get(v.focus_node))


def with_files(report: ValidationReport, files, iri_of) -> ValidationReport:
    """The report with each violation's `files`: those among `files` that assert its focus
    node (`iri_of(violation)`: the focus node's IRI, or None)."""
    if report.conforms or not files:
        return report
    iris = {iri_of(v) for v in report.violations} - {None}
    found = files_asserting(files, iris)
    report.violations = [replace(v, files=found.get(iri_of(v), ())) for v in report.violations]
    return report


def _violations(results: Graph, data: Graph, focus: dict):
    for result in results.subjects(RDF.type, SH.ValidationResult):
        node = results.value(result, SH.focusNode)
        value = results.value(result, SH.value)
        path = results.value(result, SH.resultPath)
        severity = results.value(result, SH.resultSeverity)
        shown = show_term(node, data)
        if isinstance(node, URIRef):
            focus[shown] = str(node)
        yield Violation(
            focus_node=shown,
            path=show_term(path, data) if path is not None else None,
            message=str(results.value(result, SH.resultMessage) or "constraint violated"),
            value=show_term(value, data) if value is not None else None,
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            shape=show_term(results.value(result, SH.sourceShape), data),
        )


def show_term(node, data: Graph) -> str:
    if isinstance(node, URIRef):
        return node.n3(data.namespace_manager)
    return str(node) if node is not None else ""
