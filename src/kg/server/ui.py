"""The query page at `/`: YASGUI, vendored in kg/static (no CDN), on our /sparql endpoint,
with our prefixes pre-set and the example queries one click away."""

import re
from dataclasses import asdict
from pathlib import Path

from flask import Blueprint, current_app, render_template

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


SERVICE_IRI = re.compile(r"\bSERVICE\s+(?:SILENT\s+)?<([^>]*)>", re.IGNORECASE)


def page_config() -> dict:
    """What the page's script needs: endpoint path, prefixes, starter query, examples, and
    the base of our IRIs (result links to them go to our own pages)."""
    allowed = set(current_app.config["FEDERATION_ALLOWLIST"])
    return {
        "endpoint": "sparql",   # relative to the page, so the app can be mounted anywhere
        "prefixes": {prefix: str(namespace) for prefix, namespace in PREFIXES.items()},
        "starterQuery": sparql_prologue() + STARTER_QUERY,
        "examples": [example_config(example, allowed) for example in load_examples()],
        "baseIri": current_app.config.get("BASE_IRI") or "https://w3id.org/civic-protest/",
        "access": access(current_app.config),
    }


def access(config) -> str:
    if config["OPEN_UPDATE"]:
        return "updates open to anyone on this machine"
    return "updates with a token" if config["UPDATE_TOKEN"] else "read-only"


def example_config(example, allowed: set) -> dict:
    """An example, with the outside endpoints it calls that this server does not allow: the
    page offers it disabled, saying which `kg serve --federate` it needs."""
    services = sorted(set(SERVICE_IRI.findall(example.query)))
    return {**asdict(example), "services": services,
            "missingServices": [s for s in services if s not in allowed]}


def render_query_page():
    """The page itself; also usable by /sparql for a browser's GET without a query."""
    return render_template("query.html", config=page_config())


@bp.get("/")
def query_page():
    return render_query_page()
