"""`kg query`: SPARQL over the built dataset, in-process, printed as a table or a standard format."""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.pipeline.build import ensure_built
from kg.engine.results import serialize_boolean, serialize_solutions, serialize_triples
from kg.engine.store import load_store
from kg.namespaces import PREFIXES, sparql_prologue

OUTPUT_FORMATS = ("table", "json", "csv", "tsv", "turtle")
NO_ROW_LIMIT = 10**12


def open_built_store(dataset_path=None) -> ox.Store:
    return load_store(dataset_path or ensure_built())


def run_query(text: str, fmt: str = "table", store: ox.Store | None = None) -> str:
    """Evaluate `text` (our prefixes predeclared) over the union of the built graphs."""
    if fmt not in OUTPUT_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(OUTPUT_FORMATS)}")
    store = store or open_built_store()
    prologue = sparql_prologue()
    try:
        result = store.query(prologue + text, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise SyntaxError(_relative_position(str(error), prologue.count("\n"))) from None
    if isinstance(result, ox.QueryBoolean):
        return _boolean(bool(result), fmt)
    if isinstance(result, ox.QuerySolutions):
        return _solutions(result, fmt)
    return _triples(list(result), fmt)


def _relative_position(message: str, shift: int) -> str:
    """Report line numbers of the user's text, not of the text with our prologue before it."""
    return re.sub(r"(\d+):(\d+)", lambda m: f"line {int(m[1]) - shift}, column {m[2]}", message, count=1)


def _boolean(value: bool, fmt: str) -> str:
    if fmt == "json":
        return serialize_boolean(value, fmt).decode()
    return "true" if value else "false"


def _solutions(solutions: ox.QuerySolutions, fmt: str) -> str:
    if fmt in ("json", "csv", "tsv"):
        return serialize_solutions(solutions, fmt, NO_ROW_LIMIT)[0].decode()
    if fmt == "turtle":
        raise ValueError("turtle is for CONSTRUCT and DESCRIBE; use table, json, csv or tsv")
    variables = [v.value for v in solutions.variables]
    rows = [[_short(s[v]) for v in variables] for s in solutions]
    return format_table(variables, rows)


def _triples(triples: list, fmt: str) -> str:
    if fmt in ("turtle", "table"):
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        return serialize_triples(triples, "turtle", prefixes).decode()
    raise ValueError("CONSTRUCT and DESCRIBE results print as turtle")


def _short(term) -> str:
    """A term as a reader wants it in a table: prefixed names, bare literal values."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in PREFIXES.items():
            if term.value.startswith(str(namespace)) and "/" not in term.value[len(str(namespace)):]:
                return f"{prefix}:{term.value[len(str(namespace)):]}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def format_table(columns: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [line(columns), "-+-".join("-" * w for w in widths), *(line(r) for r in rows)]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
