"""System routes under the reserved /-/ prefix: health, version, limits, graphs, stats."""

import os
import platform

import pyoxigraph
from flask import Blueprint, current_app, jsonify

import kg
from kg.server.state import current_engine

bp = Blueprint("system", __name__, url_prefix="/-")


@bp.get("/health")
def health():
    engine = current_engine()
    return jsonify(status="ok", idle_workers=engine.pool.worker_count(),
                   dataset_version=engine.dataset.version)


@bp.get("/version")
def version():
    return jsonify(kg=kg.__version__, pyoxigraph=pyoxigraph.__version__,
                   python=platform.python_version())


@bp.get("/limits")
def limits():
    """What truncated results link to (`head.link` in SPARQL JSON/XML results)."""
    config = current_app.config
    return jsonify(
        row_limit=config["ROW_LIMIT"], query_timeout_seconds=config["QUERY_TIMEOUT"],
        max_request_bytes=config["MAX_REQUEST_BYTES"],
        truncation=("SELECT rows and CONSTRUCT/DESCRIBE triples beyond row_limit are cut; "
                    "the response then has the header X-KG-Truncated: true and, in SPARQL "
                    "JSON/XML results, a head link to this document (#row-limit)."))


@bp.get("/graphs")
def graphs():
    return jsonify(graphs=sorted(current_engine().dataset.graph_names()))


@bp.get("/stats")
def stats():
    """What this server process has counted: its connections (kg.server.front), its fair
    scheduler (kg.server.scheduler), its result cache, the dumps it generated."""
    from kg.server.ld.dumps import GENERATIONS

    extensions = current_app.extensions
    scheduler = extensions.get("kg_scheduler")
    front = extensions.get("kg_front")
    cache = extensions.get("kg_result_cache")
    return jsonify(
        process=os.getpid(),
        connections=front.registry.stats() if front is not None else None,
        scheduler=scheduler.snapshot() if scheduler is not None else None,
        result_cache=cache.stats() if cache is not None else None,
        dump_generations=GENERATIONS[0])
