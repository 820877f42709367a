"""A stand-in SPARQL endpoint for the federation tests: pyoxigraph behind a tiny WSGI server on
loopback, answering queries (POSTed form or GET) in SPARQL JSON and recording each request's
User-Agent and query text."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pyoxigraph as ox


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve_store(store: ox.Store):
    """Start the endpoint over `store`: (server, its /sparql URL, the list of requests seen).
    Stop it with server.shutdown()."""
    seen = []

    def app(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
        query = (parse_qs(body).get("query", [""])[0]
                 or parse_qs(environ.get("QUERY_STRING", "")).get("query", [""])[0])
        seen.append({"user_agent": environ.get("HTTP_USER_AGENT"), "query": query})
        payload = store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
        start_response("200 OK", [("Content-Type", "application/sparql-results+json")])
        return [payload]

    server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/sparql", seen
