"""/map: events by place, with arrest counts, drawn as an inline SVG over country outlines
(Natural Earth, vendored in kg/static/ld/boundaries), in an equirectangular projection of
geo:lat / geo:long: no tile server, nothing fetched. An event at a place without coordinates
counts at the nearest containing place that has them."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from flask import render_template

from kg.namespaces import CPO, WGS84
from kg.server.ld.blueprint import bp
from kg.server.ld.readable import Link, link_to
from kg.server.ld.timeline import timeline_events
from kg.server.ld.view import DATA, GraphView, current_view, node

WIDTH, HEIGHT, MARGIN = 960, 560, 40
PADDING = 0.6            # room around the markers, as a share of their spread
MIN_SPAN_DEGREES = 9.0   # the least width shown, so that a few close places keep their context
BOUNDARIES = Path(__file__).resolve().parents[2] / "static" / "ld" / "boundaries" / "countries.geojson"


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
    projection = project(shown)
    return (sorted(shown, key=lambda m: -m.radius),
            sorted((link_to(view, p) for p in unplaced), key=lambda l: l.text),
            country_outlines(projection))


def count_arrested_people(view: GraphView, markers: dict) -> None:
    for event in view.instances(CPO.Arrest):
        for place in view.objects(event, CPO.place):
            target = located_place(view, place, markers)
            if target is not None:
                markers[target].arrested_people.update(view.objects(event, CPO.arrestee))


def project(markers: list[Marker]) -> "Projection | None":
    """An equirectangular projection (x scaled by the cosine of the middle latitude) fitting
    the markers with room around them; places each marker and sizes it."""
    if not markers:
        return None
    projection = Projection.fitting([(m.long, m.lat) for m in markers])
    for m in markers:
        m.x, m.y = projection.point(m.long, m.lat)
        m.radius = marker_radius(m.arrests + len(m.arrested_people), m.events)
    return projection


def marker_radius(arrests: int, events: int) -> float:
    return round(4 + 3 * arrests ** 0.5 + events ** 0.5, 1)


@dataclass(frozen=True)
class Projection:
    middle_long: float
    middle_lat: float
    scale: float        # pixels per degree of latitude
    squeeze: float      # cos(middle latitude): a degree of longitude is that much shorter

    @classmethod
    def fitting(cls, points) -> "Projection":
        west, east = min(p[0] for p in points), max(p[0] for p in points)
        south, north = min(p[1] for p in points), max(p[1] for p in points)
        middle_long, middle_lat = (west + east) / 2, (south + north) / 2
        squeeze = math.cos(math.radians(middle_lat))
        width = max((east - west) * squeeze * (1 + PADDING), MIN_SPAN_DEGREES)
        height = max((north - south) * (1 + PADDING), MIN_SPAN_DEGREES * HEIGHT / WIDTH)
        scale = min((WIDTH - 2 * MARGIN) / width, (HEIGHT - 2 * MARGIN) / height)
        return cls(middle_long, middle_lat, scale, squeeze)

    def point(self, long: float, lat: float) -> tuple[float, float]:
        return (round(WIDTH / 2 + (long - self.middle_long) * self.squeeze * self.scale, 1),
                round(HEIGHT / 2 - (lat - self.middle_lat) * self.scale, 1))


# --- country outlines (Natural Earth, vendored: kg/static/ld/boundaries) -----------------------

@dataclass
class Country:
    name: str
    path: str                  # SVG path data
    label_x: float = 0.0
    label_y: float = 0.0
    labelled: bool = False


@lru_cache(maxsize=1)
def boundaries() -> dict:
    return json.loads(BOUNDARIES.read_text(encoding="utf-8"))


def country_outlines(projection: "Projection | None") -> list[Country]:
    """The countries' outlines in the map's projection; rings wholly outside it are skipped."""
    if projection is None or not BOUNDARIES.exists():
        return []
    countries = []
    for feature in boundaries()["features"]:
        parts, biggest = [], (0.0, None)
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                points = [projection.point(x, y) for x, y in ring]
                if not any(-WIDTH <= x <= 2 * WIDTH and -HEIGHT <= y <= 2 * HEIGHT for x, y in points):
                    continue
                parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
                visible = [(x, y) for x, y in points if 0 <= x <= WIDTH and 0 <= y <= HEIGHT]
                if len(visible) > biggest[0]:
                    biggest = (len(visible), visible)
        if parts:
            country = Country(feature["properties"]["name"], "".join(parts))
            if biggest[1] and len(biggest[1]) > 20:
                xs, ys = [p[0] for p in biggest[1]], [p[1] for p in biggest[1]]
                country.label_x = round((min(xs) + max(xs)) / 2, 1)
                country.label_y = round((min(ys) + max(ys)) / 2, 1)
                country.labelled = True
            countries.append(country)
    return countries


def legend_sizes(markers: list[Marker]) -> list[tuple[int, float, float]]:
    """(arrests, radius, y) of the legend's circles: round numbers up to the largest marker's,
    stacked from the legend's top."""
    largest = max((m.arrests + len(m.arrested_people) for m in markers), default=0)
    sizes = [n for n in (1, 5, 20, 50, 100) if n <= max(largest, 1)][-3:]
    rows, y = [], 8.0
    for n in sizes:
        radius = marker_radius(n, 1)
        rows.append((n, radius, round(y + radius, 1)))
        y += 2 * radius + 6
    return rows


@bp.get("/map")
def map_page():
    view = current_view()
    markers, unplaced, countries = view.cached("map", build_markers)
    return render_template("ld/map.html", markers=markers, unplaced=unplaced, countries=countries,
                           legend=legend_sizes(markers), width=WIDTH, height=HEIGHT)
