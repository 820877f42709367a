"""The SPARQL endpoint: a Flask app (factory `create_app`) served by waitress (`serve`)."""
