"""The blueprint all Linked Data pages hang on, with its templates, static files and the
template helpers they share."""

from pathlib import Path

from flask import Blueprint, redirect, url_for

from kg.server.ld.iris import href

SERVER_DIR = Path(__file__).resolve().parents[1]
PACKAGE_DIR = SERVER_DIR.parent

bp = Blueprint("ld", __name__,
               template_folder=str(SERVER_DIR / "templates"),
               static_folder=str(PACKAGE_DIR / "static" / "ld"),
               static_url_path="/static/ld")

NAVIGATION = [("/", "Query"), ("/browse", "Browse"), ("/timeline", "Timeline"), ("/map", "Map"),
              ("/ontology", "Ontology"), ("/dataset", "Dataset")]


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("ld.static", filename="favicon.svg"), code=301)


@bp.app_context_processor
def template_helpers():
    return {"ld_nav": NAVIGATION, "ld_href": href}
