"""/reconcile: the W3C Entity Reconciliation API 0.2 as OpenRefine uses it. The manifest and every
response validate against the specification's JSON schemas; variant spellings find the right
person first; type and property constraints filter; `match` only when unambiguous."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from kg.paths import TEST_DATA_DIR
from server_fixtures import app_client

SPEC = TEST_DATA_DIR / "reconciliation-api-0.2"
SCHEMAS = SPEC / "schemas"
PERSON = "https://w3id.org/civic-protest/id/person/"
PLACE = "https://w3id.org/civic-protest/id/place/"
CPO = "https://w3id.org/civic-protest/ontology#"



def validator(name: str) -> Draft7Validator:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema.get("$id", path.name), Resource.from_contents(schema, default_specification=_draft7())))
    registry = Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, registry=registry)


def _draft7():
    from referencing.jsonschema import DRAFT7
    return DRAFT7


def valid(name: str, payload) -> None:
    errors = sorted(validator(name).iter_errors(payload), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


@pytest.fixture(scope="module")
def client(built):
    with app_client(DATASET_PATH=str(built.output), WORKERS=1) as client:
        yield client


def get_json(client, url, schema=None):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    payload = response.get_json()
    if schema:
        valid(schema, payload)
    return payload


def reconcile(client, queries: dict, method="post") -> dict:
    valid("reconciliation-query-batch", queries)
    if method == "post":
        response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    else:
        response = client.get("/reconcile", query_string={"queries": json.dumps(queries)})
    assert response.status_code == 200, response.get_data(as_text=True)
    payload = response.get_json()
    valid("reconciliation-result-batch", payload)
    assert set(payload) == set(queries)
    return payload


def test_the_schemas_accept_the_spec_examples_and_refuse_the_invalid_ones():
    for name in ("manifest", "reconciliation-result-batch", "reconciliation-query-batch"):
        for path in sorted((SPEC / "examples" / name / "valid").glob("*.json")):
            if "authentication" not in path.name:
                valid(name, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted((SPEC / "examples" / name / "invalid").glob("*.json")):
            assert list(validator(name).iter_errors(json.loads(path.read_text(encoding="utf-8")))), path


def test_manifest(client):
    manifest = get_json(client, "/reconcile", "manifest")
    assert "0.2" in manifest["versions"]
    assert "{{id}}" in manifest["preview"]["url"] and "{{id}}" in manifest["view"]["url"]
    assert {t["id"] for t in manifest["defaultTypes"]} >= {CPO + "Person", CPO + "Place"}
    assert set(manifest["suggest"]) == {"entity", "type", "property"}


def test_manifest_as_jsonp(client):
    response = client.get("/reconcile?callback=jsonp123")
    text = response.get_data(as_text=True)
    assert text.startswith("jsonp123(") and text.endswith(");")
    valid("manifest", json.loads(text[len("jsonp123("):-2]))


@pytest.mark.parametrize("query, expected", [
    ("Hossein Shahidi", "huseyn-shahidi"),
    ("Shahidi, Hossein", "huseyn-shahidi"),
    ("Huseyn Mahammadiyan", "huseyn-mohammadiya"),          # a skos:altLabel
    ("Hossein Mohammadiyan", "huseyn-mohammadiya"),
    ("Hüseyn Mohammadiya", "huseyn-mohammadiya"),
    ("Javad Rzayi", "javad-rzayi"),                         # two people: the exact one first
    ("Javad Rizayi", "javad-rizayi"),
    ("Fatima Ibrahimzadeh", "fatma-ibrahimzade"),
    ("Abbas Lisani", "abbas-lisani"),
])
def test_variant_spellings_find_the_right_person_first(client, query, expected):
    result = reconcile(client, {"q0": {"query": query, "type": CPO + "Person"}})["q0"]["result"]
    assert result and result[0]["id"] == PERSON + expected, result[:3]
    assert result[0]["score"] >= result[-1]["score"]


def test_match_only_when_unambiguous(client):
    results = reconcile(client, {
        "clear": {"query": "Hossein Shahidi"},
        "two-javads": {"query": "Javad Rzayi"},
        "nobody": {"query": "Zzyzx Qwerty"},
    })
    assert results["clear"]["result"][0]["match"] is True
    assert not any(c["match"] for c in results["two-javads"]["result"])
    assert {c["id"] for c in results["two-javads"]["result"][:2]} == {PERSON + "javad-rzayi", PERSON + "javad-rizayi"}
    assert results["nobody"]["result"] == []


def test_get_and_post_answer_alike(client):
    queries = {"q0": {"query": "Urmia"}, "q1": {"query": "Amnesty International", "limit": 2}}
    assert reconcile(client, queries, "get") == reconcile(client, queries, "post")


def test_a_type_constraint_filters(client):
    untyped = reconcile(client, {"q": {"query": "Ardabil", "limit": 20}})["q"]["result"]
    assert {PLACE + "ardabil", PLACE + "ardabil-province"} <= {c["id"] for c in untyped}
    for kind, expected in (("cpo:City", PLACE + "ardabil"), (CPO + "Province", PLACE + "ardabil-province")):
        typed = reconcile(client, {"q": {"query": "Ardabil", "type": kind, "limit": 20}})["q"]["result"]
        assert typed[0]["id"] == expected
        full = CPO + kind.removeprefix("cpo:").removeprefix(CPO)
        assert all(full in {t["id"] for t in c["type"]} for c in typed)
    persons = reconcile(client, {"q": {"query": "Ardabil", "type": [CPO + "Person"]}})["q"]["result"]
    assert all(c["id"].startswith(PERSON) for c in persons)


def test_a_property_constraint_scores(client):
    def first(properties):
        query = {"q": {"query": "Urmia", "type": "cpo:City", "properties": properties}}
        return reconcile(client, query)["q"]["result"][0]
    agreeing = first([{"pid": "cpo:locatedIn", "v": "West Azerbaijan Province"}])
    disagreeing = first([{"pid": "cpo:locatedIn", "v": "Gilan province"}])
    assert agreeing["id"] == disagreeing["id"] == PLACE + "urmia"
    assert agreeing["score"] > disagreeing["score"]
    feature = {f["id"]: f["value"] for f in agreeing["features"]}
    assert feature[f"property:{CPO}locatedIn"] == 1.0


def test_a_property_constraint_with_an_entity_value(client):
    queries = {"q": {"query": "Imam Street", "properties": [
        {"pid": "cpo:locatedIn", "v": {"id": PLACE + "urmia", "name": "Urmia"}}]}}
    result = reconcile(client, queries)["q"]["result"]
    assert result[0]["id"] == PLACE + "imam-street-urmia"


def test_malformed_queries_are_400(client):
    response = client.post("/reconcile", data={"queries": "{not json"})
    assert response.status_code == 400


def test_preview(client):
    response = client.get("/reconcile/preview", query_string={"id": PLACE + "tabriz"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Tabriz" in page and "http://www.wikidata.org/entity/Q80053" in page
    assert client.get("/reconcile/preview", query_string={"id": PLACE + "nowhere"}).status_code == 404


def test_suggest_entity(client):
    payload = get_json(client, "/reconcile/suggest/entity?prefix=Hossein", "suggest-entities-response")
    ids = [e["id"] for e in payload["result"]]
    assert PERSON + "hossein-amani" in ids and PERSON + "huseyn-shahidi" in ids
    typed = get_json(client, "/reconcile/suggest/entity?prefix=Ard&type=cpo:Province", "suggest-entities-response")
    assert [e["id"] for e in typed["result"]] == [PLACE + "ardabil-province"]


def test_suggest_type(client):
    payload = get_json(client, "/reconcile/suggest/type?prefix=pers", "suggest-types-response")
    assert CPO + "Person" in {t["id"] for t in payload["result"]}


def test_suggest_property(client):
    payload = get_json(client, "/reconcile/suggest/property?prefix=loc", "suggest-properties-response")
    assert CPO + "locatedIn" in {p["id"] for p in payload["result"]}
