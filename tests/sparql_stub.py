"""A minimal SPARQL 1.1 store on loopback for the backend tests: pyoxigraph in memory behind
WSGI (waitress). `/sparql` answers queries (SPARQL JSON, N-Triples) and updates with the
protocol's dataset parameters; `/store` is the Graph Store Protocol (?graph=IRI, ?default).
With AUTH ("user:password"), writes need it as HTTP Basic (401 with a challenge otherwise).

Every request is logged as a JSON line to LOG (method, path, parameters, Authorization
present or not), so tests can see exactly what reached the store. Comments in a query steer
failures: `#stub-sleep` (answers after 60 s), `#stub-400`, `#stub-500`.

    python tests/sparql_stub.py PORT LOG [AUTH]
"""

import base64
import json
import sys
import time
from urllib.parse import parse_qsl

import pyoxigraph as ox
import waitress

STORE = ox.Store()
FORMATS = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}


def make_app(log_path: str, auth: str | None):
    def log(entry):
        with open(log_path, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")

    def authorized(environ) -> bool:
        if not auth:
            return True
        expected = "Basic " + base64.b64encode(auth.encode()).decode()
        return environ.get("HTTP_AUTHORIZATION") == expected

    def app(environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        params = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            params += parse_qsl(body.decode(), keep_blank_values=True)
        log({"method": method, "path": path, "params": params,
             "authorization": bool(environ.get("HTTP_AUTHORIZATION")),
             "accept": environ.get("HTTP_ACCEPT")})

        def answer(status, content, media_type="text/plain", headers=()):
            start_response(status, [("Content-Type", media_type), *headers])
            return [content if isinstance(content, bytes) else content.encode()]

        def unauthorized():
            return answer("401 Unauthorized", "credentials needed",
                          headers=[("WWW-Authenticate", 'Basic realm="stub"')])

        try:
            if path == "/sparql":
                values = {}
                for name, value in params:
                    values.setdefault(name, []).append(value)
                if "update" in values:
                    if not authorized(environ):
                        return unauthorized()
                    STORE.update(values["update"][0])
                    return answer("204 No Content", b"")
                text = values["query"][0]
                if "#stub-sleep" in text:
                    time.sleep(60)
                if "#stub-400" in text:
                    return answer("400 Bad Request", "stub: this query is not for me")
                if "#stub-500" in text:
                    return answer("500 Internal Server Error", "stub: something broke")
                options = {"use_default_graph_as_union": True}
                if "default-graph-uri" in values or "named-graph-uri" in values:
                    options = {"default_graph": [ox.NamedNode(g) for g in values.get("default-graph-uri", [])],
                               "named_graphs": [ox.NamedNode(g) for g in values.get("named-graph-uri", [])]}
                result = STORE.query(text, **options)
                if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
                    return answer("200 OK", result.serialize(format=ox.QueryResultsFormat.JSON),
                                  "application/sparql-results+json")
                return answer("200 OK", ox.serialize(result, format=ox.RdfFormat.N_TRIPLES),
                              "application/n-triples")
            if path == "/store":
                values = dict(params)
                graph = ox.NamedNode(values["graph"]) if "graph" in values else ox.DefaultGraph()
                if method == "GET":
                    triples = [q.triple for q in STORE.quads_for_pattern(None, None, None, graph)]
                    return answer("200 OK", ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                                  "application/n-triples")
                if not authorized(environ):
                    return unauthorized()
                if method in ("PUT", "DELETE"):
                    STORE.remove_graph(graph) if isinstance(graph, ox.NamedNode) else STORE.clear_graph(graph)
                if method in ("PUT", "POST"):
                    media_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip()
                    if isinstance(graph, ox.NamedNode):
                        STORE.add_graph(graph)
                    if body:
                        STORE.load(body, format=FORMATS[media_type], to_graph=graph)
                return answer("204 No Content", b"")
            return answer("404 Not Found", "no such path")
        except SyntaxError as error:
            return answer("400 Bad Request", f"stub: {error}")
    return app


if __name__ == "__main__":
    port, log_path = int(sys.argv[1]), sys.argv[2]
    waitress.serve(make_app(log_path, sys.argv[3] if len(sys.argv) > 3 else None),
                   host="127.0.0.1", port=port, threads=8, ident="stub")
