"""Reading RDF files, into a pyoxigraph store (the build) or an rdflib graph (shapes, tests),
with parse errors that name the file, the line and the column."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.formats import UnknownSyntax, rdf_syntax_of_path
from kg.pipeline.errors import BuildError
from kg.terms import to_rdflib


class RdfParseError(BuildError):
    """A file that is not valid RDF. The message names the file and, where known, line and column."""

    def __init__(self, path: Path, message: str, line: int | None = None, column: int | None = None):
        self.path, self.line, self.column, self.reason = Path(path), line, column, message
        where = f"{path}" + (f", line {line}" if line else "") + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")


def load_into(store: ox.Store, paths, graph: ox.NamedNode) -> None:
    """Bulk-load each file into `graph` (blank nodes fresh per file); raise RdfParseError
    naming the file, line and column of the first syntax error."""
    for path in map(Path, paths):
        try:
            store.bulk_load(path=str(path), format=_syntax(path).ox, to_graph=graph,
                            base_iri=path.resolve().as_uri())
        except SyntaxError as error:
            raise located(path, error) from None


def parse_file(path) -> Graph:
    """One file as an rdflib graph (parsed by pyoxigraph, lexical forms kept as written)."""
    path = Path(path)
    graph = Graph()
    try:
        for triple in ox.parse(path=str(path), format=_syntax(path).ox,
                               base_iri=path.resolve().as_uri(), rename_blank_nodes=True):
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate),
                       to_rdflib(triple.object)))
    except SyntaxError as error:
        raise located(path, error) from None
    return graph


def parse_files(paths) -> Graph:
    graph = Graph()
    for path in paths:
        graph += parse_file(path)
    return graph


def files_asserting(paths, nodes: set[str]) -> dict[str, tuple[str, ...]]:
    """For each IRI of `nodes`, the files among `paths` whose triples have it as subject.
    Files are read again only for this, when a report needs it: a conforming build never
    pays for it. (Blank nodes are named afresh at each parse: they get no file.)"""
    found: dict[str, list[str]] = {node: [] for node in nodes}
    for path in map(Path, paths):
        subjects = {t.subject.value for t in ox.parse(path=str(path), format=_syntax(path).ox,
                                                     base_iri=path.resolve().as_uri())
                    if isinstance(t.subject, ox.NamedNode)}
        for node in nodes & subjects:
            found[node].append(str(path))
    return {node: tuple(files) for node, files in found.items()}


def _syntax(path: Path):
    try:
        return rdf_syntax_of_path(path)
    except UnknownSyntax as error:
        raise RdfParseError(path, str(error)) from None


def located(path: Path, error: SyntaxError) -> RdfParseError:
    """pyoxigraph's syntax error as an RdfParseError with its line and column."""
    position = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], tuple) else ()
    line, column = (position[1], position[2]) if len(position) > 2 else (None, None)
    return RdfParseError(path, str(error.args[0]) if error.args else str(error), line, column)
