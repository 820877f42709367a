"""SHACL validation with pyshacl, turned into a report a curator can act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.loading import SourceFiles, load_files
from kg.namespaces import SH
from kg.paths import SHAPES_DIR, turtle_files


@dataclass(frozen=True)
class Violation:
    focus_node: str
    path: str | None
    message: str
    value: str | None
    severity: str
    shape: str | None
    files: tuple[str, ...] = ()

    def describe(self) -> str:
        lines = [f"{self.severity}: {self.message}", f"  focus node: {self.focus_node}"]
        if self.path:
            lines.append(f"  path:       {self.path}")
        if self.value is not None:
            lines.append(f"  value:      {self.value}")
        if self.shape:
            lines.append(f"  shape:      {self.shape}")
        if self.files:
            lines.append(f"  file:       {', '.join(self.files)}")
        return "\n".join(lines)


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def describe(self) -> str:
        if self.conforms:
            return "Conforms: the data satisfies every shape."
        body = "\n\n".join(v.describe() for v in self.violations)
        return f"{len(self.violations)} violation(s):\n\n{body}"


def load_shapes(shapes_dir: Path = SHAPES_DIR) -> Graph:
    """All shape files of the shapes directory (the -valid/-invalid examples are not shapes)."""
    shapes = Graph()
    load_files(shapes, [p for p in turtle_files(shapes_dir) if "examples" not in p.parts])
    return shapes


def validate(data: Graph, shapes: Graph, sources: SourceFiles | None = None) -> ValidationReport:
    """Validate `data` (already closed under inference) against `shapes`."""
    conforms, results, _ = pyshacl.validate(
        data_graph=data, shacl_graph=shapes, inference="none", advanced=True,
        allow_warnings=True, allow_infos=True, meta_shacl=False,
    )
    violations = sorted(_violations(results, data, sources), key=lambda v: (v.focus_node, v.path or ""))
    return ValidationReport(conforms=bool(conforms), violations=violations)


def _violations(results: Graph, data: Graph, sources: SourceFiles | None):
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        value = results.value(result, SH.value)
        path = results.value(result, SH.resultPath)
        severity = results.value(result, SH.resultSeverity)
        yield Violation(
            focus_node=_show(focus, data),
            path=_show(path, data) if path is not None else None,
            message=str(results.value(result, SH.resultMessage) or "constraint violated"),
            value=_show(value, data) if value is not None else None,
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            shape=_show(results.value(result, SH.sourceShape), data),
            files=tuple(str(f) for f in (sources.files_for(focus) if sources else [])),
        )


def _show(node, data: Graph) -> str:
    if isinstance(node, URIRef):
        return node.n3(data.namespace_manager)
    return str(node) if node is not None else ""
