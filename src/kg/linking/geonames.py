"""A reader for GeoNames dumps in GeoNames' own tab-separated format (readme.txt of the dumps:
geonameid, name, asciiname, alternatenames, latitude, longitude, feature class, feature code,
country code, cc2, admin1 code, admin2 code, admin3 code, admin4 code, population, elevation,
dem, timezone, modification date). Works for the cities extracts and the country files."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from kg.linking.names import is_latin

COLUMNS = ("geonameid", "name", "asciiname", "alternatenames", "latitude", "longitude",
           "feature_class", "feature_code", "country_code", "cc2", "admin1", "admin2", "admin3",
           "admin4", "population", "elevation", "dem", "timezone", "modified")


@dataclass(frozen=True)
class Feature:
    geonameid: str
    name: str
    asciiname: str
    alternate_names: tuple[str, ...]
    lat: float
    long: float
    feature_class: str
    feature_code: str
    country_code: str
    admin1: str
    population: int

    @property
    def iri(self) -> str:
        return f"http://sws.geonames.org/{self.geonameid}/"

    @property
    def names(self) -> tuple[str, ...]:
        """Its name, ASCII name and the alternate names written in Latin letters."""
        found = dict.fromkeys(n for n in (self.name, self.asciiname, *self.alternate_names) if n and is_latin(n))
        return tuple(found)


def read_dump(path: Path) -> list[Feature]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [feature(row) for row in rows if row and not row[0].startswith("#") and len(row) >= 15]


def feature(row: list[str]) -> Feature:
    fields = dict(zip(COLUMNS, row))
    return Feature(
        geonameid=fields["geonameid"],
        name=fields["name"],
        asciiname=fields["asciiname"],
        alternate_names=tuple(n for n in fields["alternatenames"].split(",") if n),
        lat=float(fields["latitude"]),
        long=float(fields["longitude"]),
        feature_class=fields["feature_class"],
        feature_code=fields["feature_code"],
        country_code=fields["country_code"],
        admin1=fields["admin1"],
        population=int(fields["population"] or 0),
    )


def distance_km(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(long2 - long1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))
