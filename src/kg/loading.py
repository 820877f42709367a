"""Reading RDF files into rdflib graphs, with parse errors that name the file and the line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib import Graph

# File suffix -> (rdflib format name, pyoxigraph format used to locate syntax errors).
RDF_FORMATS_BY_SUFFIX = {
    ".ttl": ("turtle", pyoxigraph.RdfFormat.TURTLE),
    ".nt": ("nt", pyoxigraph.RdfFormat.N_TRIPLES),
    ".nq": ("nquads", pyoxigraph.RdfFormat.N_QUADS),
    ".trig": ("trig", pyoxigraph.RdfFormat.TRIG),
    ".rdf": ("xml", pyoxigraph.RdfFormat.RDF_XML),
    ".owl": ("xml", pyoxigraph.RdfFormat.RDF_XML),
    ".xml": ("xml", pyoxigraph.RdfFormat.RDF_XML),
    ".jsonld": ("json-ld", None),
    ".json": ("json-ld", None),
}


class RdfParseError(Exception):
    """A file that is not valid RDF. The message names the file and, where known, line and column."""

    def __init__(self, path: Path, message: str, line: int | None = None, column: int | None = None):
        self.path, self.line, self.column, self.reason = Path(path), line, column, message
        where = f"{path}" + (f", line {line}" if line else "") + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")


def rdf_format_of(path: Path) -> str:
    try:
        return RDF_FORMATS_BY_SUFFIX[Path(path).suffix.lower()][0]
    except KeyError:
        known = ", ".join(sorted(RDF_FORMATS_BY_SUFFIX))
        raise RdfParseError(path, f"unknown RDF file type {Path(path).suffix!r} (known: {known})") from None


def parse_into(graph: Graph, path: Path) -> Graph:
    """Parse one file into `graph`; raise RdfParseError naming file and line on bad syntax."""
    path = Path(path)
    fmt = rdf_format_of(path)
    data = path.read_bytes()
    try:
        graph.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
    except Exception as error:  # rdflib raises many types; all mean "not valid RDF"
        raise _locate_syntax_error(path, data, error) from None
    return graph


def parse_file(path: Path) -> Graph:
    return parse_into(Graph(), path)


def _locate_syntax_error(path: Path, data: bytes, error: Exception) -> RdfParseError:
    """Ask pyoxigraph where the error is: its messages carry exact line and column."""
    ox_format = RDF_FORMATS_BY_SUFFIX[path.suffix.lower()][1]
    if ox_format is not None:
        try:
            for _ in pyoxigraph.parse(data, format=ox_format, base_iri=path.resolve().as_uri()):
                pass
        except SyntaxError as located:
            line, column = (located.args[1][1], located.args[1][2]) if len(located.args) > 1 else (None, None)
            return RdfParseError(path, str(located.args[0]), line, column)
    line = getattr(error, "lines", None)
    return RdfParseError(path, _first_line(error), line + 1 if isinstance(line, int) else None)


def _first_line(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[-1] if "Bad syntax" in text else text.splitlines()[0]


@dataclass
class SourceFiles:
    """Which file asserted which subject: lets reports name the file of a violation."""

    subjects_by_file: dict[Path, set]

    def files_for(self, node) -> list[Path]:
        return [f for f, subjects in self.subjects_by_file.items() if node in subjects]


def load_files(graph: Graph, paths: list[Path]) -> SourceFiles:
    """Parse every file into `graph`, remembering the subjects each file asserts."""
    subjects_by_file = {}
    for path in paths:
        part = parse_file(path)
        subjects_by_file[Path(path)] = set(part.subjects())
        for triple in part:
            graph.add(triple)
    return SourceFiles(subjects_by_file)


