"""/releases/: the citable releases (kg release), to download and verify; and the dataset's
schema.org Dataset description, which the landing page and /dataset embed as JSON-LD for
search engines (name, description, licence, creator, version, distributions).

Files are served only from a release directory and only if the release's SHA256SUMS lists them
(or are SHA256SUMS itself): nothing else under the releases directory is reachable.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request, send_from_directory
from markupsafe import Markup

from kg.dataset.release import CREATOR, DESCRIPTION, LICENSE, TITLE, VERSION, media_type, releases_in
from kg.paths import RELEASES_DIR
from kg.server.cors import enable_cors
from kg.server.errors import ApiError
from kg.server.ld.dumps import DUMPS, dump_path

bp = Blueprint("releases", __name__)
enable_cors(bp)


def releases_dir() -> Path:
    return Path(current_app.config.get("RELEASES_DIR") or RELEASES_DIR)


def published() -> list[dict]:
    return releases_in(releases_dir())


def listed_files(directory: Path) -> list[str]:
    sums = directory / "SHA256SUMS"
    if not sums.is_file():
        return []
    return [line.partition("  ")[2] for line in sums.read_text(encoding="utf-8").splitlines() if "  " in line]


def release_dir(version: str) -> Path:
    if not VERSION.match(version):
        raise ApiError(404, f"no release {version!r}")
    directory = releases_dir() / version
    if not (directory / "release.json").is_file():
        raise ApiError(404, f"no release {version!r}; see /releases/")
    return directory


@bp.get("/releases/")
def release_index():
    host = request.host_url
    return jsonify(releases=[{"version": r["version"], "date": r.get("date"),
                              "previous": r.get("previous"), "url": f"{host}releases/{r['version']}/"}
                             for r in reversed(published())])


@bp.get("/releases/<version>/")
def release_files(version: str):
    directory = release_dir(version)
    manifest = json.loads((directory / "release.json").read_text(encoding="utf-8"))
    base = f"{request.host_url}releases/{version}/"
    return jsonify(**manifest, files=[base + name for name in [*listed_files(directory), "SHA256SUMS"]])


@bp.get("/releases/<version>/<path:name>")
def release_file(version: str, name: str):
    directory = release_dir(version)
    if name != "SHA256SUMS" and name not in listed_files(directory):
        raise ApiError(404, f"release {version} has no file {name!r}")
    response = send_from_directory(directory, name, mimetype=media_type(name), max_age=86400)
    response.headers["Cache-Control"] = "public, max-age=86400, immutable"
    return response


# --- schema.org Dataset, as search engines read it ---------------------------------------------

def dataset_description() -> dict:
    host = request.host_url
    latest = published()[-1] if published() else None
    distributions = [{"@type": "DataDownload", "contentUrl": host + dump_path(d).lstrip("/"),
                      "encodingFormat": "application/gzip" if d.gzipped else d.media_type,
                      "name": d.title} for d in DUMPS]
    described = {
        "@context": "https://schema.org/", "@type": "Dataset", "name": TITLE,
        "description": DESCRIPTION, "license": LICENSE, "url": host,
        "creator": {"@type": "Organization", "name": CREATOR},
        "isAccessibleForFree": True,
        "keywords": ["civic protest", "human rights documentation", "knowledge graph", "linked data"],
    }
    if latest:
        base = f"{host}releases/{latest['version']}/"
        described["version"] = latest["version"]
        described["datePublished"] = latest.get("date")
        distributions = [{"@type": "DataDownload", "contentUrl": base + name,
                          "encodingFormat": media_type(name), "name": f"{name} (release {latest['version']})"}
                         for name in latest.get("dumps", [])] + distributions
    described["distribution"] = distributions
    return described


@bp.app_context_processor
def schema_org_dataset():
    def dataset_jsonld() -> Markup:
        # "<" escaped so the JSON cannot close the script element it sits in
        text = json.dumps(dataset_description(), ensure_ascii=False).replace("<", "\\u003c")
        return Markup(f'<script type="application/ld+json">{text}</script>')
    return {"dataset_jsonld": dataset_jsonld}
