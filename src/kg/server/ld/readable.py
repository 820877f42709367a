"""Terms as a reader sees them: links to local pages, dates at their precision, nested
blank-node parts, and quoted source passages."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.dates import DATE_PROPERTIES
from kg.namespaces import CPO, OA, PREFIXES, PROV, RDF, XSD
from kg.server.ld.iris import local_href, safe_href
from kg.server.ld.view import DATA, GraphView

DERIVED_FROM = ox.NamedNode(str(PROV.wasDerivedFrom))
DURATION = re.compile(r"^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                      r"(?:T(?:(\d+)H)?(?:(\d+)M)?(\d+(?:\.\d+)?S)?)?$")
DURATION_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")
DATE_TIME = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2})")


@dataclass
class Link:
    text: str
    href: str | None          # None: shown as text (an IRI in a scheme we never link to)
    internal: bool = True


@dataclass
class Value:
    """One value of a property: a link, a text, or the parts of a blank node."""

    text: str = ""
    link: Link | None = None
    parts: list = field(default_factory=list)   # [(property Link, [Value])]
    note: str = ""                              # e.g. "month precision"


@dataclass
class Quote:
    exact: str
    passage: Link
    source: Link | None


def link_to(view: GraphView, term) -> Link:
    """A local link named by the term's label, or an outside link named by its prefixed IRI."""
    local = local_href(term.value)
    if local:
        return Link(view.label(term), local)
    return Link(prefixed(term.value), safe_href(term.value), internal=False)


def prefixed(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(str(namespace)) and len(iri) > len(str(namespace)):
            return f"{prefix}:{iri[len(str(namespace)):]}"
    return iri


def format_date(literal: ox.Literal) -> tuple[str, str]:
    """('9 October 2021', 'day') — the text at the literal's precision, and the precision."""
    text, datatype = literal.value, literal.datatype.value
    try:
        if datatype == str(XSD.date):
            year, month, day = int(text[:4]), int(text[5:7]), int(text[8:10])
            return f"{day} {calendar.month_name[month]} {year}", "day"
        if datatype == str(XSD.gYearMonth):
            return f"{calendar.month_name[int(text[5:7])]} {int(text[:4])}", "month"
        if datatype == str(XSD.gYear):
            return str(int(text[:4])), "year"
    except (ValueError, IndexError):
        pass
    return text, "unknown"


def format_duration(text: str) -> str | None:
    """'7 months 16 days' for 'P7M16D' (xsd:duration and its subtypes), None if malformed."""
    match = DURATION.match(text)
    if not match or text in ("P", "-P") or text.endswith("T"):
        return None
    amounts = [match.group(i + 2) for i in range(len(DURATION_UNITS))]
    parts = []
    for amount, unit in zip(amounts, DURATION_UNITS):
        number = float(amount.rstrip("S")) if amount else 0
        if number:
            shown = f"{number:g}"
            parts.append(f"{shown} {unit}{'' if number == 1 else 's'}")
    readable = " ".join(parts) or "0 days"
    return f"minus {readable}" if match.group(1) else readable


def readable_literal(literal: ox.Literal) -> tuple[str, str]:
    """(text as people write it, a note for the reader) for a typed literal."""
    datatype = literal.datatype.value
    if datatype in (str(XSD.date), str(XSD.gYearMonth), str(XSD.gYear)):
        text, precision = format_date(literal)
        return text, f"{precision} precision"
    if datatype.startswith(str(XSD)) and datatype.lower().endswith("duration"):
        text = format_duration(literal.value)
        return (text, literal.value) if text else (literal.value, "")
    if datatype == str(XSD.dateTime):
        match = DATE_TIME.match(literal.value)
        if match and 1 <= int(match.group(2)) <= 12:
            year, month, day, hour, minute = match.groups()
            return (f"{int(day)} {calendar.month_name[int(month)]} {int(year)}, {hour}:{minute}",
                    literal.value)
    return literal.value, ""


def value_of(view: GraphView, term, depth: int = 0) -> Value:
    if isinstance(term, ox.NamedNode):
        return Value(link=link_to(view, term))
    if isinstance(term, ox.Literal):
        text, note = readable_literal(term)
        return Value(text=text, note=note)
    kinds = ", ".join(view.label(t) for t in view.types(term, DATA))
    parts = parts_of(view, term, depth + 1) if depth < 4 else []
    return Value(text=kinds, parts=[(p, vs) for p, vs in parts if p.href != str(RDF.type)])


def parts_of(view: GraphView, subject, depth: int = 0, graph=DATA) -> list:
    """[(property link, [values])] for the asserted statements about a blank node or entity."""
    grouped: dict = {}
    for triple in view.triples(subject, None, None, graph):
        grouped.setdefault(triple.predicate, []).append(triple.object)
    return [(link_to(view, prop), [value_of(view, o, depth) for o in objects])
            for prop, objects in sorted(grouped.items(), key=lambda kv: view.label(kv[0]))]


def event_date(view: GraphView, event) -> str:
    """The event's date as the source gives it: a day, a month or a year, or a span."""
    start = view.value(event, CPO.startDate)
    end = view.value(event, CPO.endDate)
    date = view.value(event, CPO.date)
    if date is not None:
        return format_date(date)[0]
    if start is not None and end is not None:
        return f"{format_date(start)[0]} – {format_date(end)[0]}"
    if start is not None:
        return f"from {format_date(start)[0]}"
    if end is not None:
        return f"until {format_date(end)[0]}"
    return ""


def quotes(view: GraphView, subject) -> list[Quote]:
    """The passages a statement was derived from, quoted, with their documents."""
    out = []
    for passage in view.objects(subject, DERIVED_FROM):
        if not isinstance(passage, ox.NamedNode):
            continue
        exact = " … ".join(
            o.value for selector in view.objects(passage, OA.hasSelector)
            for o in view.objects(selector, OA.exact) if isinstance(o, ox.Literal))
        source = view.value(passage, OA.hasSource)
        out.append(Quote(exact, link_to(view, passage),
                         link_to(view, source) if isinstance(source, ox.NamedNode) else None))
    return out


def sort_key_date(view: GraphView, event) -> str:
    earliest = view.value(event, CPO.earliestDate)
    return earliest.value if isinstance(earliest, ox.Literal) else "9999"

