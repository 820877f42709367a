"""/map: events by place, with arrest counts, drawn as an inline SVG (equirectangular
projection of geo:lat / geo:long) so that markers and names show without any tile server.
An event at a place without coordinates counts at the nearest containing place that has them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import render_template

from kg.namespaces import CPO, WGS84
from kg.server.ld.blueprint import bp
from kg.server.ld.readable import Link, link_to
from kg.server.ld.timeline import timeline_events
from kg.server.ld.view import DATA, GraphView, current_view, node

WIDTH, HEIGHT, MARGIN = 960, 560, 40


@dataclass
class Marker:
    place: ox.NamedNode
    link: Link
    lat: float
    long: float
    events: int = 0
    arrests: int = 0
    arrested_people: set = field(default_factory=set)
    places_counted: set = field(default_factory=set)
    x: float = 0.0
    y: float = 0.0
    radius: float = 0.0


def coordinates(view: GraphView, place) -> tuple[float, float] | None:
    lat, long = view.value(place, WGS84.lat), view.value(place, WGS84.long)
    try:
        return float(lat.value), float(long.value)
    except (AttributeError, ValueError):
        return None


def located_place(view: GraphView, place, markers: dict):
    """The place itself if it has a marker, else the nearest containing place that has one."""
    frontier, seen = [place], set()
    while frontier:
        current = frontier.pop(0)
        if current in markers:
            return current
        if current in seen:
            continue
        seen.add(current)
        frontier.extend(p for p in view.objects(current, CPO.locatedIn, DATA)
                        if isinstance(p, ox.NamedNode))
    return None


def build_markers(view: GraphView) -> tuple[list[Marker], list[Link]]:
    markers = {}
    for place in view.instances(CPO.Place):
        point = coordinates(view, place) if isinstance(place, ox.NamedNode) else None
        if point:
            markers[place] = Marker(place, link_to(view, place), *point)
    unplaced = set()
    arrest = node(CPO.Arrest)
    for event in timeline_events(view):
        for place in event.places:
            target = located_place(view, place, markers)
            if target is None:
                unplaced.add(place)
                continue
            marker = markers[target]
            marker.events += 1
            marker.places_counted.add(place)
            if arrest in event.types:
                marker.arrests += 1
    count_arrested_people(view, markers)
    shown = [m for m in markers.values() if m.events]
    project(shown)
    return sorted(shown, key=lambda m: -m.radius), sorted(
        (link_to(view, p) for p in unplaced), key=lambda l: l.text)


def count_arrested_people(view: GraphView, markers: dict) -> None:
    for event in view.instances(CPO.Arrest):
        for place in view.objects(event, CPO.place):
            target = located_place(view, place, markers)
            if target is not None:
                markers[target].arrested_people.update(view.objects(event, CPO.arrestee))


def project(markers: list[Marker]) -> None:
    """Equirectangular: x from longitude, y from latitude, fitted into the drawing."""
    if not markers:
        return
    west, east = min(m.long for m in markers), max(m.long for m in markers)
    south, north = min(m.lat for m in markers), max(m.lat for m in markers)
    span = max(east - west, (north - south) * WIDTH / HEIGHT, 1.0)
    scale = (WIDTH - 2 * MARGIN) / span
    middle_long, middle_lat = (west + east) / 2, (south + north) / 2
    for m in markers:
        m.x = round(WIDTH / 2 + (m.long - middle_long) * scale, 1)
        m.y = round(HEIGHT / 2 - (m.lat - middle_lat) * scale, 1)
        m.radius = round(4 + 3 * (m.arrests + len(m.arrested_people)) ** 0.5 + m.events ** 0.5, 1)


@bp.get("/map")
def map_page():
    view = current_view()
    markers, unplaced = view.cached("map", build_markers)
    return render_template("ld/map.html", markers=markers, unplaced=unplaced,
                           width=WIDTH, height=HEIGHT)
