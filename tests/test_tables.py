"""`kg export --tables DIR`: the tables of the real build (written by the real command line) and
of a small report written with the modelling guide's terms (tests/fixtures/tables: a rally
dispersed with beatings, bounds, a hedge, omissions, an identity candidate, a date without a
year), each validated with the frictionless library, read back with pandas and pyarrow, and
checked against the data: every quote occurs in its document, every foreign key resolves, the
row counts agree with `kg stats` and with SPARQL counts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyoxigraph as ox
import pytest
from frictionless import Package, validate

from conftest import run_kg
from kg.dataset.acled import Crosswalk
from kg.dataset.stats import counts
from kg.dataset.tables import load_tables, write_tables
from kg.engine.store import load_store
from kg.namespaces import INFERRED_GRAPH, sparql_prologue
from kg.paths import ALIGNMENTS_DIR, SOURCES_DIR
from kg.pipeline.build import build
from kg.pipeline.load import load_into

FIXTURE = Path(__file__).parent / "fixtures" / "tables"
ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
                 "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2",
                 "assoc_actor_2", "inter2", "country", "admin1", "admin2", "location", "latitude",
                 "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities",
                 "tags", "timestamp"]
EVENT_TYPES = {"Battles", "Explosions/Remote violence", "Violence against civilians", "Protests",
               "Riots", "Strategic developments"}
SUB_EVENT_TYPES = {
    "Armed clash", "Government regains territory", "Non-state actor overtakes territory",
    "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
    "Remote explosive/landmine/IED", "Grenade", "Sexual violence", "Attack",
    "Abduction/forced disappearance", "Peaceful protest", "Protest with intervention",
    "Excessive force against protesters", "Violent demonstration", "Mob violence", "Agreement",
    "Arrests", "Change to group/activity", "Disrupted weapons use",
    "Headquarters or base established", "Looting/property destruction",
    "Non-violent transfer of territory", "Other"}


@pytest.fixture(scope="module")
def real(built, build_env, tmp_path_factory):
    """The real data's tables, written by the real `kg export --tables`."""
    directory = tmp_path_factory.mktemp("tables")
    result = run_kg("export", "--tables", str(directory), env=build_env)
    assert result.returncode == 0, result.stderr.decode()
    assert b"datapackage.json written" in result.stdout
    return directory


@pytest.fixture(scope="module")
def fixture_store(tmp_path_factory) -> ox.Store:
    """The small report built as `kg build` builds, plus the terms the build is to compute."""
    output = tmp_path_factory.mktemp("fixture-build") / "dataset.nq"
    result = build(output=output, data_dir=FIXTURE / "data", sources_dir=FIXTURE, reasoner="owlrl")
    assert result.conforms, result.report.describe()
    store = load_store(output)
    load_into(store, [FIXTURE / "computed.ttl"], ox.NamedNode(str(INFERRED_GRAPH)))
    return store


@pytest.fixture(scope="module")
def small(fixture_store, tmp_path_factory):
    directory = tmp_path_factory.mktemp("fixture-tables")
    write_tables(fixture_store, directory, timestamp=1_700_000_000)
    return directory


def read(directory: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(directory / f"{name}.csv", dtype=str, keep_default_na=False)


def package_tables(directory: Path) -> list[dict]:
    descriptor = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    return [r for r in descriptor["resources"] if r.get("profile") == "tabular-data-resource"]


# --- the package -------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["real", "small"])
def test_the_package_validates_with_frictionless(which, request):
    directory = request.getfixturevalue(which)
    report = validate(directory / "datapackage.json")
    errors = [f"{task.name}: {error.type}: {error.message}"
              for task in report.tasks for error in task.errors] + [e.message for e in report.errors]
    assert report.valid, "\n".join(errors[:20])
    assert len(report.tasks) == len(load_tables()) + 2   # the tables and the two crosswalk files


def test_every_table_has_a_csv_a_parquet_file_and_a_described_schema(real):
    names = {t.name for t in load_tables()}
    assert {r["name"] for r in package_tables(real)} == names
    for resource in package_tables(real):
        assert resource["licenses"] if "licenses" in resource else True
        for field in resource["schema"]["fields"]:
            assert field["description"], f"{resource['name']}.{field['name']} has no description"
        csv_rows = read(real, resource["name"])
        parquet = pq.read_table(real / "parquet" / f"{resource['name']}.parquet")
        assert parquet.num_rows == len(csv_rows)
        assert parquet.column_names == list(csv_rows.columns)
    descriptor = json.loads((real / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert {s["path"] for s in descriptor["sources"]} == set(read(real, "documents")["id"])


def test_parquet_keeps_the_schema_types(real):
    events = pq.read_table(real / "parquet" / "events.parquet")
    assert str(events.schema.field("earliest_date").type) == "date32[day]"
    assert str(events.schema.field("passages").type) == "int64"
    assert pa.types.is_list(events.schema.field("type").type)
    assert events.schema.field("passages").metadata[b"description"]


def test_writing_twice_gives_the_same_bytes(fixture_store, small, tmp_path):
    again = write_tables(fixture_store, tmp_path, timestamp=1_700_000_000)
    for path in again:
        assert path.read_bytes() == (small / path.relative_to(tmp_path)).read_bytes(), path.name


# --- trust: quotes and keys ------------------------------------------------------------------

@pytest.mark.parametrize("which, sources", [("real", SOURCES_DIR), ("small", FIXTURE)])
def test_every_quote_occurs_in_its_source_document(which, sources, request):
    directory = request.getfixturevalue(which)
    documents = read(directory, "documents").set_index("id")["local_file"]
    texts = {doc: (Path(sources) / name).read_text(encoding="utf-8") for doc, name in documents.items()}
    passages = read(directory, "passages").set_index("id")
    checked = 0
    for resource in package_tables(directory):
        table = read(directory, resource["name"])
        if "quote" not in table.columns:
            continue
        for row in table[table["quote"] != ""].itertuples():
            assert row.quote in texts[row.source_document], (resource["name"], row.quote[:80])
            if "passage" in table.columns and resource["name"] != "passages":
                assert passages.loc[row.passage, "quote"] == row.quote
                assert passages.loc[row.passage, "source_document"] == row.source_document
            checked += 1
    assert checked > (1000 if which == "real" else 40)


@pytest.mark.parametrize("which", ["real", "small"])
def test_every_foreign_key_resolves(which, request):
    directory = request.getfixturevalue(which)
    tables = {r["name"]: read(directory, r["name"]) for r in package_tables(directory)}
    checked = 0
    for resource in package_tables(directory):
        for key in resource["schema"].get("foreignKeys", []):
            target = tables[key["reference"]["resource"]]
            for mine, theirs in zip(key["fields"], key["reference"]["fields"]):
                values = set(tables[resource["name"]][mine]) - {""}
                missing = values - set(target[theirs])
                assert not missing, f"{resource['name']}.{mine} -> {key['reference']}: {sorted(missing)[:3]}"
                checked += len(values)
    assert checked > 100


def test_rows_carry_the_passage_that_names_their_fact(small):
    participants = read(small, "participants").set_index(["event", "role"])
    arrestee = participants.loc[("https://w3id.org/civic-protest/id/event/arrests", "arrestee")]
    assert arrestee["passage"] == "https://w3id.org/civic-protest/id/passage/arrests"
    official = participants.loc[("https://w3id.org/civic-protest/id/event/arrests", "responsibleOfficial")]
    assert official["passage"] == "https://w3id.org/civic-protest/id/passage/ordered"
    names = read(small, "names").set_index("name")
    assert names.loc["Ali Rezayi", "kind"] == "alt_label"
    assert "Ali Rezayi" in names.loc["Ali Rezayi", "quote"]


# --- counts agree with kg stats and with SPARQL ---------------------------------------------

TABLE_OF_STAT = {"persons": "people", "organisations": "organisations", "groups": "groups",
                 "places": "places", "events": "events", "arrests": "arrests",
                 "detentions": "detentions", "releases": "releases", "charges": "charges",
                 "rulings": "rulings", "sentences": "sentences", "statements": "statements",
                 "quoted passages": "passages"}


def test_row_counts_agree_with_kg_stats_and_sparql(built, real):
    store = load_store(built.output)
    stats = counts(store)
    for stat, table in TABLE_OF_STAT.items():
        assert len(read(real, table)) == stats[stat], (stat, table)
    statements = read(real, "statements")
    assert statements["type"].str.contains("Claim").sum() + \
        statements["type"].str.contains("Accusation").sum() >= 0   # types come with cpo:directType
    sparql = lambda q: int(next(iter(store.query(sparql_prologue() + q,
                                                 use_default_graph_as_union=True)))[0].value)
    assert len(read(real, "participants")) == sparql(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?e ?p ?a WHERE { GRAPH <https://w3id.org/civic-protest/graph/data> { ?e ?p ?a } "
        "GRAPH <https://w3id.org/civic-protest/graph/ontology> { ?p rdfs:subPropertyOf* cpo:participant } } }")
    assert len(read(real, "citations")) == sparql(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/civic-protest/graph/data> { ?n prov:wasDerivedFrom ?p . ?p a cpo:Passage } FILTER(isIRI(?n)) }")
    assert len(read(real, "names")) == sparql(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/civic-protest/graph/data> { ?e schema:name|skos:altLabel ?x } "
        "FILTER(STRSTARTS(STR(?e), 'https://w3id.org/civic-protest/id/')) FILTER NOT EXISTS { ?e a cpo:SourceDocument } }")
    assert len(read(real, "links")) == sparql(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/civic-protest/graph/data> { ?e skos:exactMatch ?x } }")


# --- the modelling guide's terms, on the small report ----------------------------------------

def test_dates_keep_their_precision_and_bounds(small):
    events = read(small, "events").set_index("id")
    release = events.loc["https://w3id.org/civic-protest/id/event/release"]
    assert (release["date"], release["date_precision"], release["time_precision"]) == ("--08-14", "years", "3")
    assert (release["earliest_date"], release["latest_date"]) == ("2021-08-14", "2022-08-14")
    assert (release["not_before"], release["not_after"], release["possible_years"]) == ("2020-10-01", "2022", "2021 2022")
    urmia = events.loc["https://w3id.org/civic-protest/id/event/urmia-arrest"]
    assert (urmia["date"], urmia["date_precision"], urmia["date_inferred"]) == ("2020-11", "month", "true")
    assert events.loc["https://w3id.org/civic-protest/id/event/rally", "date_inferred"] == "false"


def test_quantities_hedges_omissions_and_identity_candidates(small):
    quantities = read(small, "quantities").set_index("wording")
    assert quantities.loc["around 40 people", ["value", "approximate"]].tolist() == ["40", "true"]
    assert quantities.loc["More than 30 men", ["value", "min_value", "max_value"]].tolist() == ["", "31", ""]
    assert quantities.loc["on bail", ["kind", "not_stated"]].tolist() == ["money", "currency value"]
    qualifiers = read(small, "qualifiers")
    hedge = qualifiers[qualifiers["kind"] == "hedge"].iloc[0]
    assert (hedge["hedge_type"], hedge["wording"]) == ("reportedly", "reportedly")
    assert hedge["property"].endswith("#responsibleOfficial") and "reportedly" in hedge["quote"]
    omissions = set(zip(*read(small, "omissions")[["node", "property"]].T.values))
    assert ("https://w3id.org/civic-protest/id/person/ardabil-head-of-intelligence",
            "https://schema.org/name") in omissions
    assert ("https://w3id.org/civic-protest/id/event/release",
            "https://schema.org/value") in omissions
    people = read(small, "people").set_index("id")
    assert people.loc["https://w3id.org/civic-protest/id/person/ardabil-head-of-intelligence", "name_not_stated"] == "true"
    candidates = read(small, "identity_candidates")
    assert len(candidates) == 1 and "apostrophe" in candidates.iloc[0]["reason"]


def test_claims_and_denials_meet_on_their_proposition(small):
    propositions = read(small, "statement_propositions")
    by_relation = propositions.groupby("relation")["proposition"].apply(set)
    assert by_relation["claims"] == by_relation["denies"]


# --- ACLED ------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["real", "small"])
def test_acled_table_loads_with_acled_column_names_and_code_lists(which, request):
    directory = request.getfixturevalue(which)
    acled = pd.read_csv(directory / "acled_events.csv")
    assert list(acled.columns[:len(ACLED_COLUMNS)]) == ACLED_COLUMNS
    assert set(acled["event_type"]) <= EVENT_TYPES
    assert set(acled["sub_event_type"]) <= SUB_EVENT_TYPES
    assert set(acled["time_precision"].dropna()) <= {1, 2, 3}
    assert set(acled["geo_precision"].dropna()) <= {1, 2, 3}
    assert set(acled["inter1"].dropna()) | set(acled["inter2"].dropna()) <= set(range(1, 9))
    assert acled["event_id_cnty"].is_unique
    events, unmapped = read(directory, "events"), read(directory, "acled_unmapped")
    assert set(acled["iri"]) | set(unmapped["id"]) == set(events["id"])
    assert not set(acled["iri"]) & set(unmapped["id"])
    assert (unmapped["reason"] != "").all()


def test_acled_codes_a_dispersal_with_beatings_as_excessive_force_and_arrests_apart(small):
    acled = read(small, "acled_events").set_index("event_id_cnty")
    rally = acled.loc["rally"]
    assert (rally["event_type"], rally["sub_event_type"], rally["disorder_type"]) == \
        ("Protests", "Excessive force against protesters", "Political violence; Demonstrations")
    assert (rally["actor1"], rally["inter1"], rally["actor2"], rally["inter2"]) == \
        ("Protesters (Iran)", "6", "Security forces", "1")
    assert (rally["country"], rally["admin1"], rally["location"], rally["geo_precision"]) == \
        ("Iran", "East Azerbaijan Province", "Tabriz", "1")
    assert (rally["latitude"], rally["tags"], rally["timestamp"]) == ("38.08", "crowd size=around 40 people", "1700000000")
    assert rally["passage"] == "https://w3id.org/civic-protest/id/passage/rally"
    arrests = acled.loc["arrests"]
    assert (arrests["event_type"], arrests["sub_event_type"], arrests["disorder_type"]) == \
        ("Strategic developments", "Arrests", "Strategic developments")
    assert (arrests["actor2"], arrests["inter2"]) == ("Protesters (Iran)", "6")
    unmapped = read(small, "acled_unmapped").set_index("id")["reason"]
    for folded in ("dispersal", "beatings"):
        assert "intervention in the protest row" in unmapped[f"https://w3id.org/civic-protest/id/event/{folded}"]
    assert "release" in unmapped["https://w3id.org/civic-protest/id/event/release"]
    assert "speech" in unmapped["https://w3id.org/civic-protest/id/event/claim"]


def test_the_real_acled_table_codes_events_as_the_sources_tell_them(real):
    acled = read(real, "acled_events").set_index("event_id_cnty")
    columns = ["event_date", "time_precision", "event_type", "sub_event_type", "actor1", "inter1",
               "actor2", "assoc_actor_2", "inter2", "country", "admin1", "location", "geo_precision"]
    # "gathered in Sabze Meydan ... faced abuse and beatings ... interrupted by security forces"
    assert acled.loc["2020-10-01-zanjan-sabze-meydan-rally", columns].tolist() == [
        "2020-10-01", "1", "Protests", "Excessive force against protesters", "Protesters (Iran)", "6",
        "Iranian security forces", "", "1", "Iran", "Zanjan Province", "Zanjan", "1"]
    # "... resulting in the detention of several individuals, including Akbar Karabagi and Majid Karim"
    assert acled.loc["2020-10-01-zanjan-arrests", columns].tolist() == [
        "2020-10-01", "1", "Strategic developments", "Arrests", "Iranian security forces", "1",
        "Protesters (Iran)", "", "6", "Iran", "Zanjan Province", "Zanjan", "1"]
    # the 2023 report: "took place in four provinces" of South Azerbaijan, none named, in the
    # report's month; "Neither ... were able to stop or detain any participant"
    assert acled.loc["2023-03-south-azerbaijan-azfront-action", columns].tolist() == [
        "2023-03-01", "3", "Protests", "Peaceful protest", "Protesters (Iran)", "6",
        "", "", "", "Iran", "", "South Azerbaijan", "3"]
    # "In cities like Ardabil, Tabriz, ... Parsabad, and Tehran, hundreds ... were arrested": a row a city
    war_arrests = acled[acled.index.str.startswith("2020-second-karabakh-war-arrests@")]
    assert sorted(war_arrests["location"]) == sorted([
        "Ardabil", "Tabriz", "Urmia", "Zanjan", "Julfa", "Alamdar", "Khiyav", "Kaleybar", "Maki",
        "Maragha", "Marand", "Sulduz", "Parsabad", "Tehran"])
    assert set(war_arrests["time_precision"]) == {"3"} and set(war_arrests["year"]) == {"2020"}
    # every row has an ACLED time precision: its date is known to the day, the week or the month
    assert set(acled["time_precision"]) <= {"1", "2", "3"}
    # arrested "following the protest" of 18 October, with no later bound: not an ACLED row
    # (its event_date would be the bound), kept among the unmapped with the bound
    assert "undated-rasht-arrests" not in acled.index
    unmapped = read(real, "acled_unmapped").set_index("id")["reason"]
    assert "one side only (not before 2020-10-18)" in unmapped[f"https://w3id.org/civic-protest/id/event/undated-rasht-arrests"]


# --- the crosswalks ---------------------------------------------------------------------------

def test_crosswalk_covers_every_event_class_and_only_real_codes(built):
    store = load_store(built.output)
    event_classes = {s["c"].value for s in store.query(
        sparql_prologue() + "SELECT DISTINCT ?c WHERE { GRAPH <https://w3id.org/civic-protest/graph/ontology> "
        "{ ?c rdfs:subClassOf* cpo:Event } }", use_default_graph_as_union=True)}
    crosswalk = Crosswalk.read()
    uncovered = {c for c in event_classes if c not in crosswalk.matches and c not in crosswalk.reasons}
    assert not uncovered, sorted(uncovered)
    for cls, (match, concept) in crosswalk.matches.items():
        notation = crosswalk.notation(concept)
        assert notation in EVENT_TYPES | SUB_EVENT_TYPES or notation in {str(i) for i in range(1, 9)}, cls
        assert cls.startswith("https://w3id.org/civic-protest/ontology#") and cls.rsplit("#")[-1]
    for concept in crosswalk.concepts.values():
        if concept["column"] == "sub_event_type":
            assert concept["notation"] in SUB_EVENT_TYPES
            assert crosswalk.notation(concept["broader"]) in EVENT_TYPES


def test_crosswalk_files_stay_out_of_the_ontology_graph(built):
    store = load_store(built.output)
    ask = "ASK { GRAPH <https://w3id.org/civic-protest/graph/ontology> { ?s ?p ?o FILTER(STRSTARTS(STR(?o), 'https://w3id.org/civic-protest/alignments/')) } }"
    assert not store.query(ask)
    assert sorted(p.name for p in ALIGNMENTS_DIR.glob("*.ttl")) == ["acled.ttl", "huridocs.ttl"]


def test_package_opens_with_frictionless_and_pandas_as_users_do(real):
    package = Package(real / "datapackage.json")
    sentences = package.get_resource("sentences").to_pandas()
    assert len(sentences) == len(read(real, "sentences"))


# --- the loaders people use ------------------------------------------------------------------

EXAMPLES = Path(__file__).parents[1] / "examples" / "tables"


def arrests_per_city(output: str) -> dict[tuple[str, str], int]:
    """(town, month) -> arrests, from either example's printed table."""
    section = output.split("Arrests per city per month")[1]
    found, town = {}, None
    for line in section.splitlines()[1:]:
        parts = line.split()
        if len(parts) == 3 and parts[1][:4].isdigit() and parts[2].isdigit():
            town = parts[0]
            found[(town, parts[1])] = int(parts[2])
        elif len(parts) == 2 and parts[0][:4].isdigit() and parts[1].isdigit() and town:
            found[(town, parts[0])] = int(parts[1])
    return found


@pytest.fixture(scope="module")
def python_example(real):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, str(EXAMPLES / "sentences_per_court.py"), str(real)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_python_example_answers_sentences_per_court_and_arrests_per_city(python_example, real):
    courts = read(real, "sentences")["court_name"]
    for court in set(courts) - {""}:
        assert court in python_example
    per_city = arrests_per_city(python_example)
    assert per_city and all(n > 0 for n in per_city.values())
    events = read(real, "events").set_index("id")
    dated_arrests = [i for i in read(real, "arrests")["id"] if re.match(r"\d{4}-\d{2}", events.loc[i, "date"])]
    assert sum(per_city.values()) >= len(dated_arrests) > 0


def test_r_example_gives_the_same_answer(python_example, real):
    import shutil
    import subprocess

    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed (Debian: apt-get install --no-install-recommends r-base-core r-cran-jsonlite)")
    if subprocess.run(["Rscript", "-e", "library(jsonlite)"], capture_output=True).returncode:
        pytest.skip("the R package jsonlite is not installed (Debian: r-cran-jsonlite)")
    result = subprocess.run(["Rscript", str(EXAMPLES / "arrests_per_city.R"), str(real)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert arrests_per_city(result.stdout) == arrests_per_city(python_example)
    for court in set(read(real, "sentences")["court_name"]) - {""}:
        assert court in result.stdout
