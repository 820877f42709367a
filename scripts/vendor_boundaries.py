#!/usr/bin/env python3
"""Reproduce src/kg/static/ld/boundaries/countries.geojson: the country outlines the /map page
draws, cut from Natural Earth's Admin 0 countries (1:50m, version 4.1.0, public domain) as
redistributed in TopoJSON by the npm package world-atlas, pinned below with its integrity.

    python3 scripts/vendor_boundaries.py            # fetches world-atlas with `npm pack`
    python3 scripts/vendor_boundaries.py PATH.tgz   # or uses a tarball you already have

Only the countries whose outline reaches into REGION are kept, their rings decoded from the
TopoJSON arcs, coordinates rounded to ROUND_DIGITS decimals (about 1 km) and repeated points
dropped. Province (admin 1) outlines are not included: no package of the registries this
project installs from ships Natural Earth's admin-1 shapes (see the folder's README).
"""

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE, VERSION = "world-atlas", "2.0.2"
INTEGRITY = ("sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5"
             "lFHcYa5ChG0LQ==")
MEMBER = "package/countries-50m.json"
REGION = (33.0, 27.0, 64.0, 47.0)   # west, south, east, north (degrees): the Iranian plateau
ROUND_DIGITS = 2
OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "kg" / "static" / "ld" / "boundaries"


def fetch_tarball(workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed to fetch world-atlas (or pass the .tgz as an argument)")
    subprocess.run([npm, "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    return workdir / f"{PACKAGE}-{VERSION}.tgz"


def check_integrity(tarball: Path) -> None:
    algorithm, expected = INTEGRITY.split("-", 1)
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        sys.exit(f"{tarball}: {algorithm} {digest} is not the pinned {expected}")


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute (longitude, latitude) points of each arc (TopoJSON: quantized, delta-encoded)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arc_indexes: list[int], arcs: list) -> list[tuple[float, float]]:
    points: list = []
    for index in arc_indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry: dict, arcs: list) -> list[list[list[tuple[float, float]]]]:
    if geometry["type"] == "Polygon":
        return [[ring(r, arcs) for r in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]]
    return []


def reaches_region(rings) -> bool:
    west, south, east, north = REGION
    return any(west <= x <= east and south <= y <= north for r in rings for x, y in r)


def rounded(points) -> list[list[float]]:
    out = []
    for x, y in points:
        point = [round(x, ROUND_DIGITS), round(y, ROUND_DIGITS)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def extract(topology: dict) -> dict:
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        shapes = [p for p in polygons(geometry, arcs) if reaches_region(p)]
        if not shapes:
            continue
        coordinates = [[rounded(r) for r in polygon] for polygon in shapes]
        features.append({"type": "Feature", "id": geometry.get("id"),
                         "properties": {"name": geometry.get("properties", {}).get("name")},
                         "geometry": {"type": "MultiPolygon", "coordinates": coordinates}})
    features.sort(key=lambda f: f["properties"]["name"] or "")
    return {"type": "FeatureCollection",
            "source": f"Natural Earth 4.1.0 Admin 0 countries 1:50m, via npm {PACKAGE}@{VERSION}",
            "region": dict(zip(("west", "south", "east", "north"), REGION)),
            "features": features}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tarball = Path(sys.argv[1]) if len(sys.argv) > 1 else fetch_tarball(Path(tmp))
        check_integrity(tarball)
        with tarfile.open(tarball) as archive:
            topology = json.load(archive.extractfile(MEMBER))
            licence = archive.extractfile("package/LICENSE").read().decode()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    collection = extract(topology)
    (OUT_DIR / "countries.geojson").write_text(
        json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    (OUT_DIR / "LICENSE-world-atlas").write_text(licence, encoding="utf-8")
    names = ", ".join(f["properties"]["name"] for f in collection["features"])
    print(f"{len(collection['features'])} countries: {names}")


if __name__ == "__main__":
    main()
