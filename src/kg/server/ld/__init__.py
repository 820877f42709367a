"""Linked Data and pages for people: dereferenceable entities, the dataset's description
(VoID, context, ontology, dumps), and the browse, search, timeline and map pages."""


def register(app) -> None:
    """Attach every route module to the one `ld` blueprint, then register it."""
    from kg.server.ld import browse, dumps, entities, map, ontology_doc, timeline  # noqa: F401
    # (routes register on import)
    from kg.server.ld.blueprint import bp
    app.config.setdefault("BASE_IRI", "https://w3id.org/civic-protest/")
    app.register_blueprint(bp)
