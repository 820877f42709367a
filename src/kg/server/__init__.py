"""The SPARQL endpoint: the Flask app, its query page and how it is served."""
