"""/tables/: the tables of `kg export --tables` (CSV, Parquet, datapackage.json, the crosswalks),
with CORS so notebooks and web tools can fetch them.

The files are what kg.dataset.tables.write_tables writes: from the directory the app is given
(config TABLES_DIR, e.g. what `kg export --tables` or a release wrote), or else generated once
per dataset version by `generate_tables` into a private temporary directory, never per request.
Only the names the writer produced are served; anything else is a 404.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, abort, current_app, render_template, send_file

from kg.dataset.datapackage import PARQUET_MEDIA_TYPE
from kg.dataset.tables import load_tables, write_tables
from kg.server.cors import enable_cors
from kg.server.ld.view import GraphView, current_view

bp = Blueprint("tables", __name__)
enable_cors(bp)

MEDIA_TYPES = {".csv": "text/csv", ".json": "application/json", ".parquet": PARQUET_MEDIA_TYPE,
               ".ttl": "text/turtle"}   # Flask adds charset=utf-8 to the text/ types
DATA_PACKAGE_SPEC = "https://specs.frictionlessdata.io/data-package/"
_generation = threading.Lock()
_generated: dict[int, tuple[int, Path]] = {}   # per served dataset: (version, directory)


def generate_tables(view: GraphView) -> Path:
    """Write the tables of the served dataset's current version into a new temporary
    directory and return it (the one expensive step: a copy of the store taken under its
    lock, then the table queries). Called once per dataset version through the page cache."""
    with _generation:
        with view.dataset.lock:
            version = view.version
            done = _generated.get(id(view.dataset))
            if done is not None and done[0] == version:   # another request generated it
                return done[1]
            store = ox.Store()
            store.extend(view.dataset.store)
        directory = Path(tempfile.mkdtemp(prefix=f"kg-tables-v{version}-"))
        try:
            write_tables(store, directory)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        previous = _generated.get(id(view.dataset))
        _generated[id(view.dataset)] = (version, directory)
        if previous is not None:   # an older version's tables: no longer served
            shutil.rmtree(previous[1], ignore_errors=True)
        return directory


@atexit.register
def _remove_generated() -> None:
    for _, directory in _generated.values():
        shutil.rmtree(directory, ignore_errors=True)


def distributions() -> list[dict]:
    """The files /tables/ serves, for VoID/DCAT and the dataset page, known from the table
    definitions alone (describing them generates nothing)."""
    listed = [{"path": "/tables/datapackage.json", "media_type": "application/json",
               "title": "Tables: Frictionless Data Package descriptor (schemas, licence, sources)",
               "conforms_to": DATA_PACKAGE_SPEC}]
    for table in load_tables():
        listed.append({"path": f"/tables/{table.name}.csv", "media_type": "text/csv",
                       "title": f"Table {table.name} (CSV): {table.title}"})
        listed.append({"path": f"/tables/parquet/{table.name}.parquet",
                       "media_type": PARQUET_MEDIA_TYPE,
                       "title": f"Table {table.name} (Parquet): {table.title}"})
    return listed


def tables_directory() -> Path:
    configured = current_app.config.get("TABLES_DIR")
    if configured:
        return Path(configured)
    return current_view().cached("tables-directory", generate_tables)


def published_files(directory: Path) -> dict[str, Path]:
    """Every file the writer produced, by its path under /tables/."""
    return {p.relative_to(directory).as_posix(): p for p in sorted(directory.rglob("*"))
            if p.is_file() and p.suffix in MEDIA_TYPES}


def package(directory: Path) -> dict:
    path = directory / "datapackage.json"
    if not path.is_file():
        abort(404, description="no tables have been written here (kg export --tables DIR)")
    return json.loads(path.read_text(encoding="utf-8"))


@bp.get("/tables/")
def tables_index():
    directory = tables_directory()
    descriptor = package(directory)
    files = published_files(directory)
    tables = [r for r in descriptor["resources"] if r.get("profile") == "tabular-data-resource"]
    others = [r for r in descriptor["resources"] if r.get("profile") != "tabular-data-resource"]
    return render_template("tables/index.html", package=descriptor, tables=tables, others=others,
                           parquet={n for n in files if n.startswith("parquet/")})


@bp.get("/tables/<path:name>")
def table_file(name: str):
    path = published_files(tables_directory()).get(name)
    if path is None:
        abort(404, description=f"no file {name!r} among the tables; see /tables/")
    response = send_file(path, mimetype=MEDIA_TYPES[path.suffix], max_age=0,
                         download_name=path.name, as_attachment=path.suffix != ".json")
    return response
