"""The app factory: configuration, the engine, one blueprint per concern."""

from flask import Flask

from kg.server.config import DEFAULTS
from kg.server.errors import register_error_handlers
from kg.server.limits import register_limits
from kg.server.security import normalized_base_url, register_security
from kg.server.state import start_engine


def create_app(test_config=None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if test_config:
        app.config.from_mapping(test_config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_REQUEST_BYTES"]
    app.config["BASE_URL"] = normalized_base_url(app.config["BASE_URL"])
    app.extensions["kg_engine"] = start_engine(app.config)
    register_error_handlers(app)
    register_security(app)
    register_limits(app)
    register_blueprints(app)
    return app


def register_blueprints(app: Flask) -> None:
    from kg.server import sparql, system, void
    app.register_blueprint(sparql.bp)
    app.register_blueprint(system.bp)
    app.register_blueprint(void.bp)
    from kg.server import admin, graph_store  # Graph Store Protocol; digest and backup
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(admin.bp)
    from kg.server import reconcile  # W3C Reconciliation API at /reconcile
    app.register_blueprint(reconcile.bp)
    from kg.server import tables  # CSV, Parquet and the Data Package at /tables/
    app.register_blueprint(tables.bp)
    from kg.server import curate  # documenters' workbooks at /curate/sheets
    app.register_blueprint(curate.bp)
    from kg.server import changes, releases  # the change feed; citable releases, schema:Dataset
    app.register_blueprint(changes.bp)
    app.register_blueprint(releases.bp)
    from kg.server import ld  # Linked Data, dataset description, browse/timeline/map pages
    ld.register(app)
    try:  # the query page, owned by its own module (registered when present)
        from kg.server import ui
    except ImportError:
        return
    app.register_blueprint(ui.bp)


def close_app(app: Flask) -> None:
    """Stop the app's worker processes (tests; the server process exit does it too)."""
    app.extensions["kg_engine"].close()
