"""The query page at `/`: YASGUI, vendored in kg/static (no CDN), on our /sparql endpoint,
with our prefixes pre-set and the example queries one click away."""

from dataclasses import asdict
from pathlib import Path

from flask import Blueprint, render_template

from kg.dataset.examples import load_examples
from kg.namespaces import PREFIXES, sparql_prologue

PACKAGE_DIR = Path(__file__).resolve().parents[1]

# Its own static URL prefix, so it never collides with an app-level /static route.
bp = Blueprint("ui", __name__,
               template_folder=str(PACKAGE_DIR / "templates"),
               static_folder=str(PACKAGE_DIR / "static"),
               static_url_path="/static/kg")

STARTER_QUERY = """SELECT ?subject ?predicate ?object WHERE {
  ?subject ?predicate ?object .
}
LIMIT 25
"""


def page_config() -> dict:
    """What the page's script needs: endpoint path, prefixes, starter query, examples."""
    return {
        "endpoint": "sparql",   # relative to the page, so the app can be mounted anywhere
        "prefixes": {prefix: str(namespace) for prefix, namespace in PREFIXES.items()},
        "starterQuery": sparql_prologue() + STARTER_QUERY,
        "examples": [asdict(example) for example in load_examples()],
    }


def render_query_page():
    """The page itself; also usable by /sparql for a browser's GET without a query."""
    return render_template("query.html", config=page_config())


@bp.get("/")
def query_page():
    return render_query_page()
