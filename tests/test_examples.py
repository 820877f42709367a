"""The example queries: each is titled, parses, and the ones about documented facts find them."""

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from kg.dataset.examples import load_examples
from kg.paths import DATA_DIR, ONTOLOGY_DIR, ontology_files, turtle_files

EXAMPLES = load_examples()
BY_NAME = {e.name: e for e in EXAMPLES}


def test_at_least_ten_examples_each_with_a_title():
    assert len(EXAMPLES) >= 10
    assert all(e.title and e.query.startswith("# title:") for e in EXAMPLES)
    assert len({e.title for e in EXAMPLES}) == len(EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_example_parses_with_oxigraph_and_rdflib(example):
    ox.Store().query(example.query)   # raises SyntaxError if it does not parse
    prepareQuery(example.query)


@pytest.fixture(scope="module")
def store():
    files = ontology_files(ONTOLOGY_DIR) + turtle_files(DATA_DIR)
    if not files:
        pytest.skip("no ontology or data files yet")
    store = ox.Store()
    for path in files:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def rows(store, name):
    return [{v.value: s[v.value].value if s[v.value] is not None else None
             for v in results.variables}
            for results in [store.query(BY_NAME[name].query)] for s in results]


def test_article_607_finds_the_ardabil_sentences(store):
    found = rows(store, "06-sentenced-under-article-607")
    if not found:
        pytest.skip("no Article 607 conviction in the data")
    assert all(r["courtName"] and r["sentence"] for r in found)
    assert any(r["personName"] == "Huseyn Balakhani" for r in found)


def test_ardabil_timeline_lists_events_in_ardabil(store):
    names = [r["name"] for r in rows(store, "07-ardabil-by-date")]
    assert any("Ardabil" in (n or "") for n in names)


@pytest.mark.parametrize("name", ["01-events-by-date", "03-people", "04-count-per-class",
                                  "05-places", "11-sentence-components", "12-sources-of-each-event"])
def test_general_examples_find_rows(store, name):
    assert rows(store, name)


PRECONDITIONS = {   # example: what the data must hold for it to find rows
    "08-child-detainees": "ASK { ?e <https://w3id.org/civic-protest/ontology#arrestee> ?p . "
                          "?p <https://w3id.org/civic-protest/ontology#isMinor> true }",
    "09-statements-with-signatory-counts": "ASK { ?s <https://w3id.org/civic-protest/ontology#signatoryCount> ?c }",
    "10-denials-of-arms-transit-claims": "ASK { ?d <https://w3id.org/civic-protest/ontology#denies> ?p . "
                                         "?p <https://schema.org/name> ?n FILTER(REGEX(?n, 'weapon', 'i')) }",
    "15-family-relations": "ASK { ?r a <https://w3id.org/civic-protest/ontology#FamilyRelation> }",
}


@pytest.mark.parametrize("name", sorted(PRECONDITIONS))
def test_topical_examples_find_rows_when_the_data_has_them(store, name):
    if not store.query(PRECONDITIONS[name]):
        pytest.skip(f"the data has nothing for {name} yet")
    assert rows(store, name)
