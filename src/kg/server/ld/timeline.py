"""/timeline: events in date order (by cpo:earliestDate), filterable by place (places inside
it included, cpo:locatedIn being transitive) and by type; each date at its precision."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

import pyoxigraph as ox
from flask import render_template, request

from kg.namespaces import CPO
from kg.server.errors import ApiError
from kg.server.ld.blueprint import bp
from kg.server.ld.iris import entity_iri, is_entity
from kg.server.ld.readable import Link, event_date, format_date, link_to, sort_key_date
from kg.server.ld.view import DATA, GraphView, current_view, node


# At the same start, the coarser date first: "2004" holds "June 2004", which holds "22 June 2004".
PRECISION_RANK = {"year": 0, "month": 1, "day": 2}
CLASS_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


@dataclass
class TimelineEvent:
    link: Link
    date: str
    precision: str
    year: str
    sort_key: str
    places: list               # ox terms of its cpo:place
    place_links: list[Link]
    types: set
    kind: str
    qualifier: str


def timeline_events(view: GraphView) -> list[TimelineEvent]:
    return view.cached("timeline", collect_events)


def collect_events(view: GraphView) -> list[TimelineEvent]:
    events = []
    for event in view.instances(CPO.Event):
        if isinstance(event, ox.NamedNode) and is_entity(event.value):
            events.append(describe_event(view, event))
    return sorted(events, key=lambda e: (e.sort_key, PRECISION_RANK.get(e.precision, 3), e.link.text))


def describe_event(view: GraphView, event) -> TimelineEvent:
    places = [p for p in view.objects(event, CPO.place) if isinstance(p, ox.NamedNode)]
    key = sort_key_date(view, event)
    qualifier = view.value(event, CPO.dateQualifier)
    return TimelineEvent(
        link=link_to(view, event), date=event_date(view, event), precision=precision(view, event),
        year=key[:4] if key != "9999" else "", sort_key=key, places=places,
        place_links=[link_to(view, p) for p in places], types=set(view.types(event)),
        kind=", ".join(view.label(t) for t in view.types(event, DATA)),
        qualifier=qualifier.value if isinstance(qualifier, ox.Literal) else "")


def precision(view: GraphView, event) -> str:
    for prop in (CPO.date, CPO.startDate, CPO.endDate):
        value = view.value(event, prop)
        if isinstance(value, ox.Literal):
            return format_date(value)[1]
    return "none"


def places_within(view: GraphView, place) -> set:
    return {place, *view.subjects(CPO.locatedIn, place)}


def filtered(view: GraphView, events, place_slug: str, type_name: str) -> list[TimelineEvent]:
    if place_slug:
        try:
            within = places_within(view, ox.NamedNode(entity_iri("place", place_slug)))
        except ValueError:  # not an IRI: no place has it
            return []
        events = [e for e in events if within.intersection(e.places)]
    if type_name:
        if not CLASS_NAME.match(type_name):
            raise ApiError(400, f"type={type_name[:60]!r} is not the name of one of our event classes")
        wanted = node(CPO[type_name])
        events = [e for e in events if wanted in e.types]
    return events


def place_options(view: GraphView, events) -> list[tuple[str, str]]:
    """(slug, name) of every place where, or inside which, some event happened."""
    used = {p for e in events for p in e.places}
    containing = {c for p in used for c in view.objects(p, CPO.locatedIn)}
    options = [(p.value.rsplit("/", 1)[1], view.label(p)) for p in used | containing
               if isinstance(p, ox.NamedNode) and is_entity(p.value)]
    return sorted(options, key=lambda o: o[1].casefold())


def type_options(view: GraphView, events) -> list[tuple[str, str, int]]:
    """(local name, label, count) of the ontology's event classes that have events."""
    counts: dict = {}
    for e in events:
        for t in e.types:
            if t.value.startswith(str(CPO)):
                counts[t] = counts.get(t, 0) + 1
    return sorted(((t.value[len(str(CPO)):], view.label(t), n) for t, n in counts.items()),
                  key=lambda o: o[1].casefold())


def by_year(events) -> list:
    """[(year, [(month heading or "", [events])])]: in each year, the events known only to the
    year first, then each month, its month-only events before its days."""
    years: dict[str, dict[str, list]] = {}
    for e in events:
        month = month_heading(e) if e.year else ""
        years.setdefault(e.year or "Date not given", {}).setdefault(month, []).append(e)
    return [(year, list(months.items())) for year, months in years.items()]


def month_heading(event: TimelineEvent) -> str:
    """'June 2004' for an event dated in June 2004 (to the month or the day), else ''."""
    if event.precision not in ("month", "day"):
        return ""
    try:
        return f"{calendar.month_name[int(event.sort_key[5:7])]} {int(event.sort_key[:4])}"
    except (ValueError, IndexError):
        return ""


@bp.get("/timeline")
def timeline_page():
    view = current_view()
    events = timeline_events(view)
    place, kind = request.args.get("place", ""), request.args.get("type", "")
    shown = filtered(view, events, place, kind)
    return render_template("ld/timeline.html", groups=by_year(shown), count=len(shown),
                           total=len(events), place=place, kind=kind,
                           places=view.cached("timeline-places", lambda v: place_options(v, events)),
                           types=view.cached("timeline-types", lambda v: type_options(v, events)))
