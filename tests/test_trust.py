"""Trust in the built data (docs/modelling.md): the quality-control queries return no rows on the
real data and find what they are meant to find; every fact has a passage or a curators'
inference, as `kg stats` reports; entity pages and reconciliation say what the sources leave
uncertain in plain words."""

import json
import re

import pyoxigraph as ox
import pytest
from rdflib import Graph

from conftest import ROOT, run_kg
from kg.dataset.stats import fact_sourcing
from kg.pipeline.infer import DATA, ONTOLOGY, infer_into
from kg.pipeline.quality import load_checks, run_checks
from kg.paths import ONTOLOGY_DIR, ontology_files
from server_fixtures import app_client

CHECKS = load_checks()


def test_the_quality_checks_return_no_rows_on_the_data(built):
    report = run_checks(built.store, CHECKS)
    assert report.conforms, report.describe()


def test_every_check_is_listed_in_the_modelling_guide():
    guide = (ROOT / "docs" / "modelling.md").read_text(encoding="utf-8")
    assert len(CHECKS) >= 10
    assert [c.name for c in CHECKS if f"`{c.name}`" not in guide] == []


def test_every_fact_has_a_passage_or_a_curators_inference(built):
    sourcing = fact_sourcing(built.store)
    assert sourcing["neither"] == 0
    assert sourcing["with a passage"] > 4 * sourcing["inferred by the curators"] > 0


def test_kg_stats_reports_how_facts_are_sourced_and_the_uncertainty_kept(build_env):
    result = run_kg("stats", env=build_env)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert re.search(r"facts \(docs/modelling.md, section 1\): \d+", out)
    assert re.search(r"neither\s+0 \(0\.0%\)", out)
    assert re.search(r"sourced \(a passage, or a curators' inference with its reason\): (\d+) of \1 \(100\.0%\)", out)
    assert re.search(r"identity candidates \(pairs\)\s+4", out)
    assert re.search(r"hedges of the source\s+3", out)
    assert "events by date precision: day " in out and "events by place precision: site " in out


# --- each check finds what it is for ------------------------------------------------------------

PREFIXES = """
@prefix cpo: <https://w3id.org/civic-protest/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://w3id.org/civic-protest/id/event/> .
@prefix person: <https://w3id.org/civic-protest/id/person/> .
@prefix place: <https://w3id.org/civic-protest/id/place/> .
@prefix passage: <https://w3id.org/civic-protest/id/passage/> .
passage:p a cpo:Passage ; oa:hasSelector [ a oa:TextQuoteSelector ;
    oa:exact "On October 1, the national activist Ali Aliyev was arrested at the rally in Tabriz." ] .
place:iran a cpo:Country ; schema:name "Iran" .
place:tabriz a cpo:City ; schema:name "Tabriz" ; cpo:locatedIn place:iran .
"""
CASES = {
    "deprecated-terms": 'ex:a a cpo:Arrest ; cpo:startDate "2020-10-01"^^xsd:date ; prov:wasDerivedFrom passage:p .',
    "computed-terms-asserted": 'ex:a a cpo:Arrest ; cpo:acledTimePrecision 1 ; prov:wasDerivedFrom passage:p .',
    "facts-without-passage": 'person:ali a cpo:Person ; schema:name "Ali Aliyev" ; cpo:occupation "national activist" .',
    "words-not-in-passage": 'person:ali a cpo:Person ; schema:name "Ali Aliyev" ; cpo:occupation "journalist" ; prov:wasDerivedFrom passage:p .',
    "names-not-in-passage": 'person:ali a cpo:Person ; schema:name "Ali Aliyeva" ; prov:wasDerivedFrom passage:p .',
    "dates-not-in-passage": 'ex:a a cpo:Arrest ; cpo:date "2020-10-02"^^xsd:date ; prov:wasDerivedFrom passage:p .',
    "landmarks-not-in-their-town": 'place:dome a cpo:Monument ; schema:name "Dome" ; cpo:locatedIn place:iran .',
    "identity-candidates": 'person:ali a cpo:Person ; schema:name "Ali Aliyev" ; cpo:possiblySameAs place:tabriz ; prov:wasDerivedFrom passage:p .',
    "quantity-bounds": 'ex:a a cpo:Arrest ; cpo:arrestCount [ a cpo:Quantity ; schema:minValue 31 ; schema:maxValue 30 ; cpo:wording "x" ] .',
    "date-bounds": 'ex:a a cpo:Arrest ; cpo:date "2020-10"^^xsd:gYearMonth ; cpo:notAfter "2020-09-30"^^xsd:date ; prov:wasDerivedFrom passage:p .',
    "same-as": 'person:ali a cpo:Person ; schema:name "Ali Aliyev" ; owl:sameAs person:other ; prov:wasDerivedFrom passage:p .',
}


@pytest.fixture(scope="module")
def ontology():
    graph = Graph()
    for path in ontology_files(ONTOLOGY_DIR):
        graph.parse(path)
    return graph.serialize(format="nt", encoding="utf-8")


def test_every_check_has_a_case():
    assert sorted(CASES) == sorted(c.name for c in CHECKS)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.name)
def test_a_check_finds_its_case_and_only_its_own_kind_of_problem(check, ontology):
    store = ox.Store()
    store.load(ontology, format=ox.RdfFormat.N_TRIPLES, to_graph=ONTOLOGY)
    store.load((PREFIXES + CASES[check.name]).encode(), format=ox.RdfFormat.TURTLE, to_graph=DATA)
    infer_into(store, "owlrl")
    report = run_checks(store, [check])
    assert not report.conforms, f"{check.name} finds nothing in its case"
    assert {v.shape for v in report.violations} == {f"qc:{check.name}"}
    assert all(v.message == check.message for v in report.violations)


# --- pages and reconciliation say it in plain words ----------------------------------------------

@pytest.fixture(scope="module")
def client(built):
    with app_client(DATASET_PATH=str(built.output)) as c:
        yield c


def page(client, path) -> str:
    response = client.get("/id/" + path, headers={"Accept": "text/html"}, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_page_of_a_hedged_fact_says_reportedly_and_names_the_official_known_by_post(client):
    text = page(client, "event/2020-abbas-lisani-ban-on-visits-and-calls")
    assert "Hedged by the source the source says “reportedly” (reportedly) about official responsible" in text
    assert "Ardabil’s head of intelligence" in text
    official = page(client, "person/ardabil-head-of-intelligence")
    assert "Not stated by the source the name: this is how the source designates it" in official
    assert "as official responsible, reportedly" in official


def test_identity_candidates_show_on_both_pages(client):
    for here, there in (("javad-rzayi", "Javad Rizayi"), ("javad-rizayi", "Javad Rzayi")):
        text = page(client, "person/" + here)
        assert f"Possibly the same as {there} : kept apart, since the source does not say they are one: Same first name" in text
        assert "Inferred by the curators possibly the same as" not in text, "the reason is said once, with the candidate"


def test_dates_numbers_and_amounts_read_in_plain_words(client):
    release = page(client, "event/undated-08-14-mohammad-eyni-release")
    assert "14 August, year not stated" in release
    assert "the source does not state the year, which can be 2021 or 2022" in release
    assert "about 40 (approximate) — “around 40 individuals”" in page(client, "event/2020-10-01-tabriz-arrests")
    assert "amount not stated — “on bail”" in page(client, "event/2020-10-05-parviz-siyabi-release")
    assert "50,000,000 Iranian toman each — “50 million tomans”" in page(client, "event/2020-07-21-tabriz-temporary-release")


def test_the_page_of_the_2023_action_says_its_month_is_inferred_and_how_precise_it_is(client):
    text = page(client, "event/2023-03-south-azerbaijan-azfront-action")
    assert "Inferred by the curators date (March 2023): not read in the source but inferred by the curators, because the report tells the action without a date of its own" in text
    assert "known to within a month: between 1 March 2023 and 31 March 2023 (ACLED time precision 3)" in text
    assert "located only to a region (ACLED geo precision 3)" in text


def test_reconciliation_returns_identity_candidates_together_and_never_as_a_match(client):
    queries = {"q0": {"query": "Javad Rzayi", "type": "https://w3id.org/civic-protest/ontology#Person"}}
    response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    result = response.get_json()["q0"]["result"]
    ids = [c["id"].rsplit("/", 1)[-1] for c in result[:2]]
    assert ids == ["javad-rzayi", "javad-rizayi"]
    assert not any(c["match"] for c in result)
    assert "possibly the same as Javad Rizayi (kept apart)" in result[0]["description"]
