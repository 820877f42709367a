"""`kg publish` and `kg serve --backend` against a minimal SPARQL store on loopback
(tests/sparql_stub.py: pyoxigraph behind WSGI), so the forwarding logic is tested on every
machine; tests/test_backend_virtuoso.py does the same round trip with Virtuoso.

What the stub received is logged, so the tests check what never reaches a backend (SERVICE,
foreign FROM, the store's system graphs) as well as what the client gets back."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import requests

from backend_fixtures import (comparable, example_queries, graph_counts, kg_serve,
                              logged_requests, post_query, sparql_stub)
from conftest import run_kg
from server_fixtures import app_client, live_server

DATA = "https://w3id.org/civic-protest/graph/data"
INFERRED = "https://w3id.org/civic-protest/graph/inferred"
ONTOLOGY = "https://w3id.org/civic-protest/graph/ontology"


@pytest.fixture(scope="module")
def published(built, build_env, tmp_path_factory):
    """The real built dataset, published with `kg publish` (small chunks, Basic auth) into
    a stub store; yields (stub URL, its request log, the kg publish run)."""
    tmp = tmp_path_factory.mktemp("stub")
    with sparql_stub(tmp, auth="loader:s3cret") as (base, log):
        run = run_kg("publish", "--to", base + "/sparql", "--graph-store-path", "/store",
                     "--auth", "loader:s3cret", "--chunk-triples", "1000",
                     "--dataset", str(built.output), env=build_env)
        yield base, log, run


def test_publish_loads_every_graph_and_verifies_the_counts(published, built):
    base, log, run = published
    assert run.returncode == 0, run.stderr.decode()
    output = run.stdout.decode()
    for graph, count in graph_counts(built.output).items():
        assert f"<{graph}>: {count} triples" in output
        assert f"the store counts {count}" in output
        answer = requests.post(base + "/sparql", data={
            "query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
            timeout=30).json()
        assert int(answer["results"]["bindings"][0]["n"]["value"]) == count
    writes = [r for r in logged_requests(log) if r["path"] == "/store"]
    methods = {(r["method"], dict(r["params"])["graph"]) for r in writes}
    assert ("PUT", INFERRED) in methods and ("POST", INFERRED) in methods  # chunked
    authorized_puts = {dict(r["params"])["graph"] for r in writes
                       if r["method"] == "PUT" and r["authorization"]}
    assert authorized_puts == {DATA, INFERRED, ONTOLOGY}  # after the store's Basic challenge


def test_publish_keeps_blank_nodes_whole_across_chunks(published, built):
    """Each graph read back from the store is isomorphic-sized: same triples without blank
    nodes, and the same number of blank-node triples (none duplicated or lost by chunking)."""
    base = published[0]
    local = ox.Store()
    local.load(path=str(built.output), format=ox.RdfFormat.N_QUADS)
    for graph in (DATA, INFERRED, ONTOLOGY):
        body = requests.get(base + "/store", params={"graph": graph}, timeout=30).content
        remote = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        ours = [q.triple for q in local.quads_for_pattern(None, None, None, ox.NamedNode(graph))]

        def split(triples):
            plain = {str(t) for t in triples if not any(isinstance(x, ox.BlankNode)
                                                        for x in (t.subject, t.object))}
            return plain, len(triples) - len(plain)
        assert split(remote) == split(ours), graph


def test_publish_failure_names_the_graph_and_status(published, built, build_env):
    base = published[0]
    run = run_kg("publish", "--to", base + "/sparql", "--graph-store-path", "/store",
                 "--auth", "loader:wrong", "--dataset", str(built.output), env=build_env)
    assert run.returncode != 0
    error = run.stderr.decode()
    assert "HTTP 401" in error and f"<{DATA}>" in error
    unreachable = run_kg("publish", "--to", "http://127.0.0.1:9/sparql",
                         "--dataset", str(built.output), env=build_env)
    assert unreachable.returncode != 0 and "cannot reach" in unreachable.stderr.decode()


@pytest.fixture(scope="module")
def servers(published, built):
    """A `kg serve --backend` on the stub (updates allowed with a token, forwarded with the
    stub's credentials) and a local `kg serve` on the same built dataset."""
    base = published[0]
    backend = {"url": base + "/sparql", "auth": "loader:s3cret"}
    with live_server(dataset_path=str(built.output), backend=backend,
                     update_token="curator=tok") as remote, \
            live_server(dataset_path=str(built.output)) as local:
        yield remote, local


@pytest.mark.parametrize("name", sorted(example_queries()))
def test_examples_answer_as_the_local_engine_does(servers, name):
    remote, local = servers
    query = example_queries()[name]
    ours, theirs = post_query(remote, query), post_query(local, query)
    assert ours.status_code == 200, ours.text
    assert comparable(ours.json(), split_lists=True) == comparable(theirs.json(), split_lists=True)


def test_service_and_foreign_graphs_never_reach_the_backend(servers, published):
    remote = servers[0]
    log = published[1]
    before = len(logged_requests(log))
    for query in ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                  "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                  "SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }",
                  "PREFIX bif: <http://www.openlinksw.com/schemas/bif#> "
                  "SELECT * WHERE { ?s ?p ?o FILTER(bif:contains(?o, 'x')) }",
                  'DEFINE input:grab-all "yes" SELECT * WHERE { ?s ?p ?o }',
                  "SELECT * WHERE { " + "{" * 300 + " ?s ?p ?o " + "}" * 300 + " }"):
        response = post_query(remote, query)
        assert response.status_code == 400, (query, response.text)
        assert response.json()["error"]["status"] == 400
    assert len(logged_requests(log)) == before  # nothing was forwarded


def test_the_backend_sees_only_our_graphs(servers, published):
    remote, log = servers[0], published[1]
    post_query(remote, "SELECT * WHERE { ?s a cpo:Person } LIMIT 1")
    sent = dict_of_lists(logged_requests(log)[-1]["params"])
    assert sorted(sent["default-graph-uri"]) == sorted(sent["named-graph-uri"]) == \
        sorted([DATA, INFERRED, ONTOLOGY])
    assert "PREFIX cpo: <https://w3id.org/civic-protest/ontology#>" in sent["query"][0]
    post_query(remote, "SELECT * WHERE { ?s ?p ?o }", **{"default-graph-uri": "urn:x:system"})
    sent = dict_of_lists(logged_requests(log)[-1]["params"])
    assert sent["default-graph-uri"] == ["urn:x-kg:empty-graph"]


def dict_of_lists(params):
    values = {}
    for name, value in params:
        values.setdefault(name, []).append(value)
    return values


def test_formats_are_negotiated_and_converted(servers):
    remote, local = servers
    select = "SELECT ?p ?name WHERE { ?p a cpo:Person ; schema:name ?name } ORDER BY ?p LIMIT 3"
    for accept in ("text/csv", "text/tab-separated-values", "application/sparql-results+xml"):
        ours, theirs = post_query(remote, select, accept), post_query(local, select, accept)
        assert ours.status_code == 200 and ours.headers["Content-Type"].startswith(accept)
        assert ours.text == theirs.text
    ask = post_query(remote, "ASK { ?s a cpo:Arrest }", "application/sparql-results+xml")
    assert "<boolean>true</boolean>" in ask.text
    assert post_query(remote, "ASK { ?s a cpo:Arrest }", "text/csv").status_code == 406
    construct = "CONSTRUCT { ?p a cpo:Person } WHERE { ?p a cpo:Person }"
    for accept in ("text/turtle", "application/ld+json", "application/n-triples"):
        ours = post_query(remote, construct, accept)
        assert ours.status_code == 200 and ours.headers["Content-Type"].startswith(accept)
    fmt = ox.RdfFormat.TURTLE
    ours = set(ox.parse(post_query(remote, construct, "text/turtle").content, format=fmt))
    theirs = set(ox.parse(post_query(local, construct, "text/turtle").content, format=fmt))
    assert ours == theirs and ours


def test_backend_errors_become_canonical_errors(servers):
    remote = servers[0]
    refused = post_query(remote, "SELECT * WHERE { ?s ?p ?o } #stub-400")
    assert refused.status_code == 400
    assert "stub: this query is not for me" in refused.json()["error"]["detail"]
    failed = post_query(remote, "SELECT * WHERE { ?s ?p ?o } #stub-500")
    assert failed.status_code == 502 and "something broke" in failed.json()["error"]["detail"]
    syntax = post_query(remote, "SELECT * WHERE { ?s ?p }")
    assert syntax.status_code == 400 and "syntax error" in syntax.json()["error"]["detail"]


def test_updates_are_forwarded_only_with_our_token(servers, published):
    remote, log = servers[0], published[1]
    update = f"INSERT DATA {{ GRAPH <{DATA}> {{ person:zz-test a cpo:Person }} }}"
    count = len(logged_requests(log))
    refused = requests.post(remote + "/sparql", data={"update": update}, timeout=30)
    assert refused.status_code == 401 and len(logged_requests(log)) == count
    done = requests.post(remote + "/sparql", data={"update": update}, timeout=60,
                         headers={"Authorization": "Bearer tok"})
    assert done.status_code == 200, done.text
    assert done.json()["forwarded_to"].endswith("/sparql")
    forwarded = [r for r in logged_requests(log)[count:] if r["method"] == "POST"
                 and any(name == "update" for name, _ in r["params"])]
    assert forwarded and forwarded[-1]["authorization"]  # with the backend's credentials
    ask = post_query(remote, "ASK { person:zz-test a cpo:Person }")
    assert ask.json()["boolean"] is True
    gsp = requests.put(remote + "/store", params={"graph": "urn:x:g"}, data="<a:a> <a:b> <a:c> .",
                       headers={"Authorization": "Bearer tok", "Content-Type": "text/turtle"})
    assert gsp.status_code == 501
    load = requests.post(remote + "/sparql", data={"update": "LOAD <http://127.0.0.1:9/x>"},
                         headers={"Authorization": "Bearer tok"}, timeout=30)
    assert load.status_code == 400
    requests.post(remote + "/sparql", timeout=60, headers={"Authorization": "Bearer tok"},
                  data={"update": update.replace("INSERT", "DELETE")})


def test_row_cap_deadline_and_unreachable_backend(published, built, tmp_path):
    base, log = published[0], published[1]
    with app_client(DATASET_PATH=str(built.output), BACKEND_URL=base + "/sparql", ROW_LIMIT=5,
                    QUERY_TIMEOUT=2.0) as client:
        select = client.post("/sparql", data={"query": "SELECT ?s WHERE { ?s a cpo:Person }"},
                             headers={"Accept": "application/sparql-results+json"})
        assert select.status_code == 200 and select.headers["X-KG-Truncated"] == "true"
        assert len(select.get_json()["results"]["bindings"]) == 5
        assert dict_of_lists(logged_requests(log)[-1]["params"])["query"][0].endswith("LIMIT 6")
        construct = client.post("/sparql", data={
            "query": "CONSTRUCT { ?s a cpo:Person } WHERE { ?s a cpo:Person }"},
            headers={"Accept": "application/n-triples"})
        assert construct.headers["X-KG-Truncated"] == "true"
        assert len(construct.data.decode().strip().splitlines()) == 5
        slow = client.post("/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o } #stub-sleep"})
        assert slow.status_code == 503 and "Retry-After" in slow.headers
        assert "deadline" in slow.get_json()["error"]["detail"]
        again = client.post("/sparql", data={"query": "ASK { ?s a cpo:Person }"})
        assert again.status_code == 200  # the server keeps serving
    with app_client(DATASET_PATH=str(built.output), BACKEND_URL="http://127.0.0.1:9/sparql") as client:
        down = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
        assert down.status_code == 503 and "cannot be reached" in down.get_json()["error"]["detail"]


def test_kg_serve_backend_command_line(published, built, build_env):
    base = published[0]
    with kg_serve("--backend", base + "/sparql", "--dataset", str(built.output),
                  env=build_env) as remote:
        answer = post_query(remote, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert answer.status_code == 200
        total = sum(graph_counts(built.output).values())
        assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) == total
        update = requests.post(remote + "/sparql", data={"update": "CLEAR ALL"}, timeout=30)
        assert update.status_code == 403  # read-only unless updates are enabled
        assert json.loads(update.text)["error"]["status"] == 403
