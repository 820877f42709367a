"""`kg export --format mixnmatch`: a Mix'n'match catalog (CSV with the columns id, name,
description, url, type) with one row per person and organisation that has no Wikidata link,
each described from our data."""

from __future__ import annotations

import csv
import io

from conftest import run_kg
from kg.dataset.mixnmatch import COLUMNS, date_in_words, mixnmatch_csv
from kg.engine.store import load_store
from wikidata_fixtures import fixture_store

import pyoxigraph as ox

UNLINKED_PEOPLE = """
PREFIX cpo: <https://w3id.org/civic-protest/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?person WHERE {
  ?person a cpo:Person .
  FILTER NOT EXISTS { ?person skos:exactMatch ?item FILTER(STRSTARTS(STR(?item), "http://www.wikidata.org/entity/Q")) }
  FILTER NOT EXISTS { ?person cpo:notStated schema:name }
}"""


def rows_of(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames) == COLUMNS
    return list(reader)


def test_one_row_per_unlinked_person_of_the_real_data(built, build_env):
    result = run_kg("export", "--format", "mixnmatch", env=build_env)
    assert result.returncode == 0, result.stderr.decode()
    rows = rows_of(result.stdout.decode("utf-8"))
    store = load_store(built.output)
    people = {s["person"].value for s in store.query(UNLINKED_PEOPLE, use_default_graph_as_union=True)}
    humans = [r for r in rows if r["type"] == "Q5"]
    assert len(people) > 50
    assert sorted(r["url"] for r in humans) == sorted(people)      # one row each, no other
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(r["description"].strip() and r["name"].strip() for r in rows)
    assert all(r["url"] == "https://w3id.org/civic-protest/id/" + r["id"] for r in rows)
    linked = {"https://w3id.org/civic-protest/id/person/nikol-pashinyan",
              "https://w3id.org/civic-protest/id/organisation/amnesty-international"}
    assert not linked & {r["url"] for r in rows}
    described = {r["id"]: r["description"] for r in rows}
    assert described["person/abulfazl-askari"] == "arrested in Urmia on 1 October 2020"


def test_descriptions_are_written_from_the_data():
    rows = {r["id"]: r for r in rows_of(mixnmatch_csv(fixture_store()))}
    assert set(rows) == {"person/third-activist", "organisation/example-detention-centre"}
    third = rows["person/third-activist"]
    # occupation, then what happened, where and when, with the source's hedge
    assert third["description"] == ("student reportedly arrested at Example Square on 1 October 2020; "
                                    "released in October 2020")
    assert third["type"] == "Q5" and third["name"] == "Third Activist"
    # an organisation has no checked item of its kind: no type rather than a guessed one
    assert rows["organisation/example-detention-centre"] == {
        "id": "organisation/example-detention-centre", "name": "Example Detention Centre",
        "description": "prison in Urmia", "type": "",
        "url": "https://w3id.org/civic-protest/id/organisation/example-detention-centre"}
    # linked people and agents known only by a designation are not in the catalog
    assert "person/local-official" not in rows and "person/example-activist" not in rows


def test_dates_in_words_keep_their_precision():
    xsd = "http://www.w3.org/2001/XMLSchema#"
    words = lambda lex, dt: date_in_words(ox.Literal(lex, datatype=ox.NamedNode(xsd + dt)))
    assert words("2020-10-01", "date") == "on 1 October 2020"
    assert words("2020-10", "gYearMonth") == "in October 2020"
    assert words("2020", "gYear") == "in 2020"
    assert words("--08-14", "gMonthDay") == "on 14 August"
