"""What the source leaves uncertain about an entity, in plain words for its page: how precisely
it is dated and located, the source's hedges, the curators' inferences, what the source does
not state, and the nodes it may be the same as (docs/modelling.md)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import CPO, SCHEMA, SKOS
from kg.server.ld.readable import Link, format_date, link_to
from kg.server.ld.view import GraphView, node

# How the page says what the source leaves out, by property.
NOT_STATED = {str(SCHEMA.name): "the name: this is how the source designates it",
              str(SCHEMA.value): "the amount", str(CPO.currency): "the currency",
              str(CPO.place): "where it took place", str(CPO.releasedPerson): "who was released",
              str(CPO.defendant): "who was charged", str(CPO.court): "the court",
              str(CPO.perpetrator): "who did it", str(CPO.author): "who said it"}
DATE_TYPES = {"http://www.w3.org/2001/XMLSchema#" + t for t in ("date", "gYearMonth", "gYear", "gMonthDay")}
DATE_PRECISION = {"day": "known to the day", "week": "known to within a week",
                  "month": "known to within a month", "year": "known to within a year",
                  "years": "known only to within more than a year"}
PLACE_PRECISION = {"site": "located at an exact site", "town": "located to a town",
                   "region": "located only to a region", "province": "located only to a province",
                   "country": "located only to a country"}


@dataclass
class Note:
    """One line of the page's 'Precision and certainty' section."""

    label: str
    text: str
    links: list[Link] = field(default_factory=list)


def uncertainty_notes(view: GraphView, entity) -> list[Note]:
    return [*date_notes(view, entity), *place_notes(view, entity), *qualifier_notes(view, entity),
            *omission_notes(view, entity), *identity_notes(view, entity)]


def day(literal) -> str:
    year, month, date = literal.value[:10].split("-")
    return f"{int(date)} {calendar.month_name[int(month)]} {year}"


def date_notes(view: GraphView, entity) -> list[Note]:
    precision = view.value(entity, CPO.datePrecision)
    if precision is None:
        return []
    notation = notation_of(view, precision)
    earliest, latest = view.value(entity, CPO.earliestDate), view.value(entity, CPO.latestDate)
    text = DATE_PRECISION.get(notation, notation)
    if notation != "day" and earliest is not None and latest is not None:
        text += f": between {day(earliest)} and {day(latest)}"
    years = sorted(y.value for y in view.objects(entity, CPO.possibleYear))
    if years:
        text += "; the source does not state the year, which can be " + " or ".join(years)
    acled = view.value(entity, CPO.acledTimePrecision)
    if acled is not None:
        text += f" (ACLED time precision {acled.value})"
    return [Note("Date", text)]


def place_notes(view: GraphView, entity) -> list[Note]:
    precision = view.value(entity, CPO.placePrecision)
    acled = view.value(entity, CPO.acledGeoPrecision)
    if precision is None or acled is None:      # places have a precision too, but no ACLED code
        return []
    notation = notation_of(view, precision)
    return [Note("Place", f"{PLACE_PRECISION.get(notation, notation)} (ACLED geo precision {acled.value})")]


def qualifier_notes(view: GraphView, entity) -> list[Note]:
    notes = []
    for qualifier in view.objects(entity, CPO.qualifier):
        if view.objects(qualifier, CPO.onProperty) == [node(CPO.possiblySameAs)]:
            continue                                  # said with the identity candidate itself
        scope = scope_text(view, entity, qualifier)
        if node(CPO.Hedge) in view.types(qualifier):
            wording = view.value(qualifier, CPO.wording)
            hedge = view.value(qualifier, CPO.hedgeType)
            words = f"“{wording.value}”" if isinstance(wording, ox.Literal) else view.label(hedge)
            notes.append(Note("Hedged by the source", f"the source says {words} ({view.label(hedge)}) about {scope}"))
        else:
            reason = view.value(qualifier, CPO.inferenceReason)
            notes.append(Note("Inferred by the curators",
                              f"{scope}: not read in the source but inferred by the curators"
                              + (f", because {lower_first(reason.value)}" if isinstance(reason, ox.Literal) else "")))
    return notes


def scope_text(view: GraphView, entity, qualifier) -> str:
    properties = view.objects(qualifier, CPO.onProperty)
    if not properties:
        return "everything said here"
    parts = []
    for prop in properties:
        values = view.objects(qualifier, CPO.onValue) or view.objects(entity, prop)
        shown = ", ".join(shown_value(view, v) for v in values[:6])
        parts.append(f"{view.label(prop)}" + (f" ({shown})" if shown else ""))
    return "; ".join(parts)


def shown_value(view: GraphView, term) -> str:
    if isinstance(term, ox.Literal) and term.datatype.value in DATE_TYPES:
        return format_date(term)[0]
    return view.label(term)


def omission_notes(view: GraphView, entity) -> list[Note]:
    return [Note("Not stated by the source", NOT_STATED.get(p.value, view.label(p)))
            for p in view.objects(entity, CPO.notStated) if isinstance(p, ox.NamedNode)]


def identity_notes(view: GraphView, entity) -> list[Note]:
    notes = []
    for other in view.objects(entity, CPO.possiblySameAs):
        if not isinstance(other, ox.NamedNode) or other == entity:
            continue
        reasons = [view.value(q, CPO.inferenceReason) for n in (entity, other)
                   for q in view.objects(n, CPO.qualifier)
                   if node(CPO.possiblySameAs) in view.objects(q, CPO.onProperty)]
        reason = next((r.value for r in reasons if isinstance(r, ox.Literal)), "")
        notes.append(Note("Possibly the same as",
                          "kept apart, since the source does not say they are one" + (f": {reason}" if reason else ""),
                          [link_to(view, other)]))
    return notes


def notation_of(view: GraphView, concept) -> str:
    notation = view.value(concept, SKOS.notation)
    return notation.value if isinstance(notation, ox.Literal) else view.label(concept)


def lower_first(text: str) -> str:
    """'The source ...' -> 'the source ...', leaving an acronym ('IRGC ...') as it is."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]
