"""Through the endpoint, the four places where pyoxigraph 0.5.13 answers against SPARQL 1.1
and kg.sparql.conformance rewrites the query (small queries of our own, on our own data)."""

import json

import pytest

from server_fixtures import app_client
from kg.sparql.conformance import rewrite_query

EX = "PREFIX : <http://example/> "
G1, G2 = "http://example/g1", "http://example/g2"
DATA = f"""PREFIX : <http://example/>
INSERT DATA {{
  GRAPH <{G1}> {{ :a :p :o . :a :str "foo" . }}
  GRAPH <{G2}> {{ :b :p :o . :c :q :o . :b :str "foo" . :c :str "BAZ" . }}
}}"""


@pytest.fixture(scope="module")
def client():
    with app_client(DATASET_PATH="", OPEN_UPDATE=True) as client:
        response = client.post("/sparql", data=DATA, content_type="application/sparql-update")
        assert response.status_code == 200, response.data
        yield client


def select(client, query, **params):
    response = client.post("/sparql", data={"query": query, **params},
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.data
    body = json.loads(response.data)
    if "boolean" in body:
        return body["boolean"]
    return body["head"]["vars"], [{k: v["value"] for k, v in row.items()}
                                  for row in body["results"]["bindings"]]


def test_group_concat_never_keeps_a_language_tag(client):
    query = 'SELECT (GROUP_CONCAT(?o) AS ?g) WHERE { VALUES ?o { "1"@en } }'
    response = client.post("/sparql", data={"query": query},
                           headers={"Accept": "application/sparql-results+json"})
    binding = json.loads(response.data)["results"]["bindings"][0]["g"]
    assert binding == {"type": "literal", "value": "1"}
    assert select(client, 'ASK { { SELECT (GROUP_CONCAT(?o; separator="") AS ?g) '
                          '{ VALUES ?o { "a"@en "b"@en } } } FILTER(?g = "ab" || ?g = "ba") }')


def test_bnode_of_a_string_is_fresh_per_solution_and_shared_within_one(client):
    query = EX + """SELECT ?s1 ?s2 (BNODE(?s1) AS ?b1) (BNODE(?s2) AS ?b2)
        WHERE { ?x :str ?s1 . ?y :str ?s2 }"""
    variables, rows = select(client, query)
    assert variables == ["s1", "s2", "b1", "b2"]              # the nonce stays hidden
    assert len(rows) == 9
    for row in rows:
        assert (row["b1"] == row["b2"]) == (row["s1"] == row["s2"])
    assert len({row["b1"] for row in rows}) == 9               # never shared across solutions
    variables, rows = select(client, 'SELECT * { VALUES ?s { "x" "x" "not a label" } '
                                     'BIND(BNODE(?s) AS ?b) }')
    assert sorted(variables) == ["b", "s"] and len({row["b"] for row in rows}) == 3
    _, rows = select(client, 'SELECT * { BIND(BNODE(<http://example/iri>) AS ?b) }')
    assert rows == [{}]                                         # not a string: an error, unbound


def test_zero_length_path_with_a_constant_end_outside_the_graph(client):
    for query, expected in [
        (EX + "SELECT ?s { ?s :p* :nowhere }", [{"s": "http://example/nowhere"}]),
        (EX + "SELECT ?s { ?s :p? :nowhere }", [{"s": "http://example/nowhere"}]),
        (EX + "SELECT ?o { :nowhere :p* ?o }", [{"o": "http://example/nowhere"}]),
        (EX + "SELECT ?o { :nowhere :p? ?o }", [{"o": "http://example/nowhere"}]),
        (EX + "SELECT ?s { ?s :p* :o } ORDER BY ?s",               # a graph node: unchanged
         [{"s": "http://example/a"}, {"s": "http://example/b"}, {"s": "http://example/o"}]),
    ]:
        assert select(client, query)[1] == expected, query
    assert select(client, EX + "ASK { :nowhere :p* :nowhere }") is True
    assert select(client, EX + "ASK { :nowhere :p* :elsewhere }") is False


def test_graph_variable_around_a_sub_select_values_and_minus(client):
    ours = lambda rows: [row for row in rows if row.get("g") in (G1, G2)]  # noqa: E731
    _, rows = select(client, EX + """SELECT ?g ?c { GRAPH ?g {
        SELECT (COUNT(*) AS ?c) { ?s :p ?x } } } ORDER BY ?g""")
    assert ours(rows) == [{"g": G1, "c": "1"}, {"g": G2, "c": "1"}]
    _, rows = select(client, f"""SELECT ?g ?t {{ GRAPH ?g {{
        VALUES (?g ?t) {{ (UNDEF "foo") (<{G1}> "bar") }} }} }} ORDER BY ?g ?t""")
    assert ours(rows) == [{"g": G1, "t": "bar"}, {"g": G1, "t": "foo"}, {"g": G2, "t": "foo"}]
    assert all(row.get("g") for row in rows)
    _, rows = select(client, EX + "SELECT ?a { GRAPH ?g { ?a :p :o MINUS { ?b :p :o } } } ORDER BY ?a")
    assert rows == [{"a": "http://example/a"}, {"a": "http://example/b"}]
    _, rows = select(client, EX + "SELECT ?g ?c { GRAPH ?g { SELECT (COUNT(*) AS ?c) { ?s ?p ?o } } }",
                     **{"named-graph-uri": G2})                 # the protocol's dataset
    assert rows == [{"g": G2, "c": "4"}]


def test_queries_without_these_constructs_pass_unchanged():
    for query in ["SELECT * WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 10",
                  "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c ; <http://x/p>+ ?o FILTER(?o * 2 > 3) }",
                  "SELECT ?x WHERE { ?x <http://x/p>* ?y }",
                  "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"]:
        rewritten = rewrite_query(query, ["http://g/1"])
        assert rewritten.text == query and not rewritten.applied
