"""Facts as Turtle in the project's style: one statement per subject, `a` first, then the name,
then the other properties in a fixed order, the passages last; objects of one property on one
line while they fit in 100 columns; blank nodes inline as [ ... ]; literals as written (no
normalisation), booleans bare, other datatypes as "lexical"^^xsd:type."""

from __future__ import annotations

from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from kg.curation.facts import Tree, term_key
from kg.curation.vocabulary import turtle_name
from kg.namespaces import CPO, OA, PREFIXES, SCHEMA

WIDTH = 100
INDENT = "    "
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
FIRST = (RDF.type, SCHEMA.name, SKOS.altLabel, OA.hasSource, OA.hasSelector, OA.exact, OA.prefix, OA.suffix)
LAST = (CPO.qualifier, CPO.curatorNote, PROV_DERIVED)
# The order of the prefixes at the top of a file: our vocabulary, our id/ namespaces, the others.
PREFIX_ORDER = ("cpo", "source", "passage", "person", "group", "organisation", "place", "event", "law",
                "sentence", "charge", "claim", "proposition", "relation", "conflict", "schema", "sem",
                "prov", "oa", "skos", "dcterms", "rdfs", "rdf", "owl", "org", "foaf", "time", "geo",
                "spdx", "wd", "xsd")


@lru_cache(maxsize=1)
def predicate_rank() -> dict:
    from kg.curation.schema import SHEETS

    order = list(FIRST)
    for sheet in sorted(SHEETS, key=lambda s: s.name != "Events"):
        for column in sheet.columns:
            if column.prop is not None and column.prop not in order and column.prop not in LAST:
                order.append(column.prop)
    order += [CPO.onProperty, CPO.onValue, CPO.hedgeType, CPO.wording, CPO.inferenceReason, *LAST]
    return {p: i for i, p in enumerate(order)}


def predicate_key(predicate) -> tuple:
    rank = predicate_rank()
    if predicate in LAST:
        return (2, rank[predicate], "")
    return (0, rank[predicate], "") if predicate in rank else (1, 0, str(predicate))


def literal(term: Literal) -> str:
    text = str(term)
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
        .replace("\r", "\\r").replace("\t", "\\t") + '"'
    if term.language:
        return f"{quoted}@{term.language}"
    if term.datatype is None or term.datatype == XSD.string:
        return quoted
    if term.datatype == XSD.boolean and text in ("true", "false"):
        return text
    return f"{quoted}^^{turtle_name(term.datatype)}"


def term(value, indent: int = 0) -> str:
    if isinstance(value, Tree):
        return tree(value, indent)
    if isinstance(value, Literal):
        return literal(value)
    if value == RDF.type:
        return "a"
    return turtle_name(value)


def tree(value: Tree, indent: int) -> str:
    """[ a X ; p o ] on one line if it fits, else one property per line."""
    parts = [f"{term(p)} {', '.join(term(o, indent + 4) for o in objects)}"
             for p, objects in grouped(value.pairs)]
    one_line = "[ " + " ; ".join(parts) + " ]"
    if indent + len(one_line) <= WIDTH and "\n" not in one_line:
        return one_line
    pad = " " * (indent + 4)
    return "[ " + (" ;\n" + pad).join(parts) + " ]"


def grouped(pairs, order: dict | None = None) -> list[tuple]:
    """(predicate, [objects]) in the house order; objects in `order` (their order in the
    workbook or the file) where known, else sorted."""
    by_predicate: dict = {}
    for p, o in pairs:
        by_predicate.setdefault(p, []).append(o)
    result = []
    for p in sorted(by_predicate, key=predicate_key):
        objects = by_predicate[p]
        if order:
            objects = sorted(objects, key=lambda o: (order.get((p, o), 1 << 30), term_key(o)))
        else:
            objects = sorted(objects, key=term_key)
        result.append((p, objects))
    return result


def statement(subject, pairs, compact: bool = False, order: dict | None = None) -> str:
    """The Turtle statement of one subject. `compact`: on one line where it fits (the
    registry's style for short definitions)."""
    head = turtle_name(subject)
    groups = grouped(pairs, order)
    rendered = [(p, [term(o, 4) for o in objects]) for p, objects in groups]
    if compact and not any(isinstance(o, Tree) for _, objects in groups for o in objects):
        line = head + " " + " ; ".join(f"{term(p)} {', '.join(objs)}" for p, objs in rendered) + " ."
        if len(line) <= WIDTH:
            return line
    lines, first = [], True
    for index, (p, objects) in enumerate(rendered):
        end = " ." if index == len(rendered) - 1 else " ;"
        if first and p == RDF.type:
            lines.append(f"{head} a {', '.join(objects)}{end}")
        else:
            if first:
                if len(rendered) == 1 and len(head) + len(term(p)) + len(objects[0]) + 4 <= WIDTH \
                        and len(objects) == 1 and "\n" not in objects[0]:
                    return f"{head} {term(p)} {objects[0]} ."
                lines.append(head)
            lines.append(_property_line(term(p), objects, end))
        first = False
    return "\n".join(lines)


def _property_line(predicate: str, objects: list[str], end: str) -> str:
    start = f"{INDENT}{predicate} "
    if any("\n" in o for o in objects) and len(objects) > 1:
        return f"{INDENT}{predicate}\n" + ",\n".join(" " * 8 + o for o in objects) + end
    line, out = start, []
    for index, obj in enumerate(objects):
        piece = obj + ("," if index < len(objects) - 1 else end)
        if line.strip() and line != start and len(line) + len(piece) + 1 > WIDTH:
            out.append(line.rstrip())
            line = " " * 8
        line += piece + " "
    out.append(line.rstrip())
    return "\n".join(out)


def prefix_line(prefix: str) -> str:
    return f"@prefix {prefix + ':':<13} <{PREFIXES[prefix]}> ."


def prefixes_used(text: str) -> list[str]:
    """The prefixes a Turtle text uses, in the house order."""
    import re

    used = set(re.findall(r"(?<![\w:<\"])([a-z][a-z0-9]*):(?=[A-Za-z0-9_])", _without_strings(text)))
    ordered = [p for p in PREFIX_ORDER if p in used]
    return ordered + sorted(p for p in used - set(ordered) if p in PREFIXES)


def _without_strings(text: str) -> str:
    import re

    return re.sub(r'"(?:[^"\\\n]|\\.)*"|<[^>\s]*>', '""', text)


def prefix_order_key(prefix: str) -> int:
    return PREFIX_ORDER.index(prefix) if prefix in PREFIX_ORDER else len(PREFIX_ORDER)
