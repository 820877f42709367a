"""The GeoNames reconciler (`kg link geonames`): on the shared extract it links every place of
ours that the extract holds under one of our names, with no wrong link (checked on the ids
already known from the reference table); it never links by name alone where several features
share the name; the rest goes to review."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.pipeline.build import load_graphs
from kg.linking.commands import link_geonames
from kg.linking.entities import our_entities
from kg.linking.evaluation import evaluate, known_geonames_ids
from kg.linking.geonames import read_dump
from kg.linking.reconciler import reconcilable, reconcile
from kg.linking.vocabulary import MATCH_METHOD, MATCH_SCORE
from kg.paths import REFERENCE_DIR

EXTRACT = REFERENCE_DIR / "geonames-cities15000-IR-AZ-AM.txt"
PLACE = "https://w3id.org/civic-protest/id/place/"

PREFIXES = """
@prefix cpo: <https://w3id.org/civic-protest/ontology#> .
@prefix place: <https://w3id.org/civic-protest/id/place/> .
@prefix schema: <https://schema.org/> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
place:iran a cpo:Country ; schema:name "Iran" .
place:azerbaijan a cpo:Country ; schema:name "Azerbaijan" .
place:east-azerbaijan-province a cpo:Province ; schema:name "East Azerbaijan Province" ; cpo:locatedIn place:iran .
place:tabriz a cpo:City ; schema:name "Tabriz" ; cpo:locatedIn place:east-azerbaijan-province ;
    geo:lat "38.08"^^xsd:decimal ; geo:long "46.2919"^^xsd:decimal .
"""


def feature_line(gid, name, alternates, lat, long, code, country, admin1, population, cls="P"):
    return "\t".join([gid, name, name, alternates, str(lat), str(long), cls, code, country, "",
                      admin1, "", "", "", str(population), "", "1000", "Asia/Tehran", "2020-01-01"])


TABRIZ = feature_line("113646", "Tabrīz", "Tabriz,Tebriz", 38.08, 46.2919, "PPLA", "IR", "33", 1424641)


def run(tmp_path, turtle: str, lines: list[str]):
    dump = tmp_path / "dump.txt"
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    graph = Graph().parse(data=PREFIXES + turtle, format="turtle")
    outcomes = reconcile(reconcilable(our_entities(graph)), read_dump(dump))
    return {str(o.place.iri).removeprefix(PLACE): o for o in outcomes}


# --- the extract in reference/ ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def on_the_extract():
    graph = load_graphs().data
    features = read_dump(EXTRACT)
    outcomes = reconcile(reconcilable(our_entities(graph)), features)
    return outcomes, evaluate(outcomes, known_geonames_ids(graph), features), features


def test_no_wrong_link_on_the_known_ids(on_the_extract):
    _, evaluation, _ = on_the_extract
    assert evaluation.wrong == []
    assert evaluation.precision == 1.0
    assert len(evaluation.correct) >= 7


def test_every_known_place_the_extract_holds_is_linked(on_the_extract):
    """Recall 1.0 on the known ids the extract holds: Sulduz among them, found through its
    official name Naqadeh (a skos:altLabel of ours), the only name GeoNames gives it."""
    _, evaluation, _ = on_the_extract
    assert evaluation.missed == []
    assert "place:sulduz" in {place for place, _ in evaluation.correct}


def test_links_of_the_extract(on_the_extract):
    outcomes, _, _ = on_the_extract
    accepted = {o.place.short: o.accepted.feature.geonameid for o in outcomes if o.accepted}
    assert accepted["place:tabriz"] == "113646"
    assert accepted["place:urmia"] == "121801"          # Orūmīyeh, alternate name Urmia
    assert accepted["place:khankendi"] == "146970"      # Xankǝndi
    assert accepted["place:zanjan"] == "111453"
    assert "place:zanjan-province" not in accepted
    assert "place:julfa" not in accepted


# --- decisions on small dumps -----------------------------------------------------------------

def test_never_by_name_alone_where_several_features_share_the_name(tmp_path):
    outcomes = run(tmp_path, "place:sarab a cpo:City ; schema:name \"Sarab\" ; cpo:locatedIn place:east-azerbaijan-province .", [
        TABRIZ,
        feature_line("117368", "Sarāb", "Sarab", 37.9408, 47.5367, "PPLA2", "IR", "33", 42057),
        feature_line("900001", "Sarab", "", 37.1, 46.9, "PPL", "IR", "33", 15200),
    ])
    sarab = outcomes["sarab"]
    assert sarab.accepted is None and sarab.status == "review"
    assert {c.feature.geonameid for c in sarab.candidates} == {"117368", "900001"}


def test_homonyms_are_told_apart_by_our_coordinates(tmp_path):
    outcomes = run(tmp_path, """place:sarab a cpo:City ; schema:name "Sarab" ; cpo:locatedIn place:east-azerbaijan-province ;
        geo:lat "37.9408"^^xsd:decimal ; geo:long "47.5367"^^xsd:decimal .""", [
        TABRIZ,
        feature_line("117368", "Sarāb", "Sarab", 37.9408, 47.5367, "PPLA2", "IR", "33", 42057),
        feature_line("900001", "Sarab", "", 37.1, 46.9, "PPL", "IR", "33", 15200),
    ])
    assert outcomes["sarab"].accepted.feature.geonameid == "117368"


def test_julfa_in_iran_is_not_culfa_in_nakhchivan(tmp_path):
    outcomes = run(tmp_path, "place:julfa a cpo:City ; schema:name \"Julfa\" ; cpo:locatedIn place:east-azerbaijan-province .", [
        TABRIZ, feature_line("148251", "Culfa", "Julfa,Dzhulfa", 38.9558, 45.6308, "PPLA2", "AZ", "35", 12000),
    ])
    assert outcomes["julfa"].accepted is None
    assert outcomes["julfa"].status == "no candidate"


def test_a_variant_spelling_with_the_learned_admin_code_is_accepted(tmp_path):
    outcomes = run(tmp_path, "place:maragha a cpo:City ; schema:name \"Maragha\" ; cpo:locatedIn place:east-azerbaijan-province .", [
        TABRIZ, feature_line("124877", "Marāgheh", "Maragheh", 37.3917, 46.2398, "PPLA2", "IR", "33", 162275),
    ])
    maragha = outcomes["maragha"]
    assert maragha.accepted is not None and maragha.accepted.feature.geonameid == "124877"
    assert maragha.accepted.admin_agrees is True


def test_a_name_with_country_and_class_only_goes_to_review(tmp_path):
    """Without our coordinates and without an admin code learned for the province, a single
    feature of that name is not enough."""
    outcomes = run(tmp_path, "place:marand a cpo:City ; schema:name \"Marand\" ; cpo:locatedIn place:iran .", [
        feature_line("124862", "Marand", "", 38.4329, 45.7749, "PPL", "IR", "33", 124191),
    ])
    assert outcomes["marand"].status == "review"


def test_a_feature_of_another_admin_code_loses(tmp_path):
    outcomes = run(tmp_path, "place:maragha a cpo:City ; schema:name \"Maragha\" ; cpo:locatedIn place:east-azerbaijan-province .", [
        TABRIZ, feature_line("900002", "Marāgheh", "Maragheh", 30.0, 50.0, "PPL", "IR", "07", 15000),
    ])
    assert outcomes["maragha"].accepted is None


# --- outputs and the command --------------------------------------------------------------------

def test_linkset_and_review_csv(tmp_path):
    result = link_geonames(EXTRACT, tmp_path / "links.ttl", tmp_path / "review.csv")
    linkset = Graph().parse(tmp_path / "links.ttl")
    tabriz = URIRef(PLACE + "tabriz")
    assert (tabriz, SKOS.exactMatch, URIRef("http://sws.geonames.org/113646/")) in linkset
    scores = list(linkset.objects(None, MATCH_SCORE))
    assert scores and all(0 <= float(s) <= 100 for s in scores)
    assert len(list(linkset.objects(None, MATCH_METHOD))) == len(scores)
    rows = list(csv.DictReader(open(tmp_path / "review.csv", encoding="utf-8")))
    assert {r["status"] for r in rows} <= {"accepted", "review", "no candidate"}
    assert any(r["place"] == PLACE + "tabriz" and r["score"] for r in rows)
    assert len([o for o in result.outcomes if o.accepted]) == len(scores)


def test_the_command_prints_precision_and_recall(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "kg.cli", "link", "geonames", str(EXTRACT), "--evaluate",
         "--output-linkset", str(tmp_path / "l.ttl"), "--review-csv", str(tmp_path / "r.csv")],
        capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert "precision: 1.00" in completed.stdout
    assert "recall (known ids in the dump)" in completed.stdout
    assert (tmp_path / "l.ttl").exists() and (tmp_path / "r.csv").exists()
