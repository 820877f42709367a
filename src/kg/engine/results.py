"""Serializing query results in a worker, with the row cap.

SELECT solutions are written here (not by pyoxigraph's serializer) so that only the first
`row_limit` rows are ever materialized. When the cap cuts a result, JSON and XML results
carry a `link` to the limits document in their head (the SPARQL results formats' own
metadata hook); every format also gets the `X-KG-Truncated: true` response header.
"""

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.formats import WRITABLE_RDF

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

# Where a truncated result's head link points (served by the system blueprint).
TRUNCATION_LINK = "/-/limits#row-limit"

GRAPH_FORMATS = {s.key: s.ox for s in WRITABLE_RDF}
DATASET_FORMATS = {s.key for s in WRITABLE_RDF if s.holds_graphs}


def take(iterable, limit: int, byte_limit: int | None = None, size=None) -> tuple[list, bool | str]:
    """The first `limit` items, and whether there were more (True); with `byte_limit`, also
    stops once `size(item)` summed passes it ("bytes"), so that a result of a few huge rows
    is never built whole."""
    kept, total = [], 0
    for item in iterable:
        if len(kept) == limit:
            return kept, True
        if byte_limit is not None:
            total += size(item)
            if total > byte_limit:
                return kept, "bytes"
        kept.append(item)
    return kept, False


def term_size(term) -> int:
    """About the bytes a term takes in any results format (its text plus markup)."""
    if term is None:
        return 0
    if isinstance(term, ox.Literal):
        return len(term.value) + len(term.datatype.value) + 40
    if isinstance(term, ox.Triple):
        return term_size(term.subject) + term_size(term.predicate) + term_size(term.object)
    return len(term.value) + 30


def within_bytes(write, items: list, truncated, byte_limit: int | None):
    """`write(items, truncated)`, shortened to its first items until it fits `byte_limit`
    (the estimate of `take` can fall short: escapes, multi-byte characters)."""
    body = write(items, truncated)
    while byte_limit is not None and len(body) > byte_limit and items:
        keep = min(len(items) - 1, int(len(items) * byte_limit / len(body) * 0.95))
        items, truncated = items[:max(0, keep)], "bytes"
        body = write(items, truncated)
    return body, items, truncated


# --- terms ---------------------------------------------------------------------------

def term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {
            "subject": term_json(term.subject), "predicate": term_json(term.predicate),
            "object": term_json(term.object)}}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
        if term.direction is not None:  # RDF 1.2 directional language string
            out["its:dir"] = str(term.direction)
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def term_xml(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return ("<triple>" + "".join(
            f"<{role}>{term_xml(getattr(term, role))}</{role}>"
            for role in ("subject", "predicate", "object")) + "</triple>")
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def term_csv(term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def term_tsv(term) -> str:
    # str() is the N-Triples form; tabs and line breaks must not survive raw in a TSV cell.
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# --- SELECT --------------------------------------------------------------------------

def write_json(variables, rows, truncated) -> bytes:
    head = {"vars": variables}
    if truncated:
        head["link"] = [TRUNCATION_LINK]
    bindings = [{v: term_json(t) for v, t in zip(variables, row) if t is not None} for row in rows]
    return json.dumps({"head": head, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode()


def write_xml(variables, rows, truncated) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<sparql xmlns="{SPARQL_RESULTS_NS}"><head>']
    out += [f"<variable name={quoteattr(v)}/>" for v in variables]
    if truncated:
        out.append(f"<link href={quoteattr(TRUNCATION_LINK)}/>")
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        out += [f"<binding name={quoteattr(v)}>{term_xml(t)}</binding>"
                for v, t in zip(variables, row) if t is not None]
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode()


def write_csv(variables, rows, truncated) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    writer.writerows([["" if t is None else term_csv(t) for t in row] for row in rows])
    return buffer.getvalue().encode()


def write_tsv(variables, rows, truncated) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if t is None else term_tsv(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


SOLUTION_WRITERS = {"json": write_json, "xml": write_xml, "csv": write_csv, "tsv": write_tsv}


def serialize_solutions(solutions, result_format: str, row_limit: int, hidden=(),
                        byte_limit: int | None = None) -> tuple[bytes, int, bool | str]:
    """`hidden`: variables of our own query rewrites, never shown. The body stays within
    `byte_limit` (rows are counted as they come, the result is cut at a row)."""
    variables = [v.value for v in solutions.variables if v.value not in hidden]
    rows, truncated = take(([s[v] for v in variables] for s in solutions), row_limit,
                           byte_limit, lambda row: sum(map(term_size, row)) + 10)
    writer = SOLUTION_WRITERS[result_format]
    body, rows, truncated = within_bytes(lambda kept, cut: writer(variables, kept, cut), rows,
                                         truncated, byte_limit)
    return body, len(rows), truncated


# --- ASK -----------------------------------------------------------------------------

def serialize_boolean(value: bool, result_format: str) -> bytes:
    if result_format == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if result_format == "xml":
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    raise ValueError(f"no boolean serialization in {result_format}")


# --- CONSTRUCT / DESCRIBE ------------------------------------------------------------

def serialize_graph(triples, result_format: str, row_limit: int, prefixes: dict[str, str],
                    byte_limit: int | None = None) -> tuple[bytes, int, bool | str]:
    kept, truncated = take(triples, row_limit, byte_limit, term_size)
    body, kept, truncated = within_bytes(
        lambda items, _cut: serialize_triples(items, result_format, prefixes), kept, truncated,
        byte_limit)
    return body, len(kept), truncated


def serialize_triples(triples, result_format: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples in one of GRAPH_FORMATS (in the default graph for the dataset syntaxes)."""
    fmt = GRAPH_FORMATS[result_format]
    if result_format in DATASET_FORMATS:
        triples = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    options = {}
    if prefixes and result_format in ("turtle", "trig"):
        options["prefixes"] = used_prefixes(triples, prefixes)
    return ox.serialize(triples, format=fmt, **options)


def used_prefixes(triples, prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace some IRI of `triples` is directly in (no noise in output)."""
    namespaces = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            iri = term.value if isinstance(term, ox.NamedNode) else (
                term.datatype.value if isinstance(term, ox.Literal) else None)
            if iri:
                cut = max(iri.rfind("#"), iri.rfind("/"))
                namespaces.add(iri[:cut + 1])
    return {prefix: ns for prefix, ns in prefixes.items() if ns in namespaces}
