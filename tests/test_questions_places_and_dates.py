"""Research questions on what happened where and when: events in date order at their precision,
places inside places (after inference) and the schema.org view of them.

Answered by SPARQL on the built graph (ontology + data + OWL-RL inferences); each test asserts
the exact answer the source text gives, names compared through schema:name.
"""

from kg.namespaces import sparql_prologue
from research_questions import ask, graph, local


def test_what_happened_in_ardabil_in_the_ardabil_section_in_date_order(graph):
    # Dated events told in the Ardabil section that took place in Ardabil or before its courts,
    # ordered by the first day their date can denote (a year sorts before its days).
    rows = ask(graph, """
        SELECT DISTINCT ?date ?event WHERE {
          ?event a cpo:Event ; cpo:date ?date ; cpo:earliestDate ?earliest ; prov:wasDerivedFrom ?p .
          FILTER(STRSTARTS(STR(?p), STR(passage:ardabil-)))
          { ?event cpo:place/cpo:locatedIn* place:ardabil } UNION { ?event cpo:court/cpo:partOfOrganisation?/cpo:jurisdiction place:ardabil }
        } ORDER BY ?earliest ?event""")
    assert [(d, e.rsplit("/", 1)[-1]) for d, e in rows] == [
        ("2020", "2020-abbas-lisani-ban-on-visits-and-calls"),
        ("2020-09-29", "2020-09-29-ardabil-jiral-park-arrests"),
        ("2020-09-29", "2020-09-29-ardabil-jiral-park-beatings"),
        ("2020-09-29", "2020-09-29-ardabil-jiral-park-rally"),
        ("2020-09-29", "2020-09-29-ardabil-sajjad-colani-beaten"),
        ("2020-09-30", "2020-09-30-ardabil-sheikh-safi-banner"),
        ("2020-11-20", "2020-11-20-abbas-lisani-detention"),
        ("2020-11-20", "2020-11-20-ardabil-prison-lisani-sit-in"),
        ("2020-12", "2020-12-ardabil-conviction"),
        ("2021-10-09", "2021-10-09-ardabil-conviction"),
    ]


def test_infobox_places_found_through_schema_terms_only(graph):
    rows = ask(graph, """
        SELECT ?name WHERE {
          event:2020-iran-actions-in-support-of-azerbaijan schema:location ?p .
          ?p a schema:City ; schema:name ?name .
        }""")
    assert {r[0] for r in rows} == {"Tabriz", "Urmia", "Ardabil", "Zanjan", "Maku", "Marand",
                                    "Parsabad", "Rasht", "Tehran"}


def test_everything_that_happened_in_urmia_by_date(graph):
    rows = ask(graph, """
        SELECT DISTINCT ?earliest ?date ?event WHERE {
          ?event a cpo:Event ; cpo:date ?date ; cpo:earliestDate ?earliest ;
                 cpo:place/cpo:locatedIn* place:urmia ; prov:wasDerivedFrom ?p .
          FILTER(STRSTARTS(STR(?p), STR(passage:urmia-)))
        } ORDER BY ?earliest ?event""")
    assert [(d, local(e)) for _, d, e in rows] == [
        ("2020", "2020-urmia-salar-tahir-afshar-arrest"),
        ("2020-10-01", "2020-10-01-urmia-arrests"),
        ("2020-10-01", "2020-10-01-urmia-rallies"),
        ("2020-11-22", "2020-11-22-urmia-arrests"),
        ("2020-11-22", "2020-11-22-urmia-summons"),
    ]
    summoned = ask(graph, """
        SELECT ?name ?office WHERE { event:2020-11-22-urmia-summons cpo:target/schema:name ?name ;
                                     cpo:summonedTo ?o . ?o schema:name ?office ; cpo:branchNumber "8" }""")
    assert {r[0] for r in summoned} == {
        "Yunus Shirzad Javan", "Ramin Khuda Bakhsh", "Salar Tahir Afshar", "Sahand Behnamun",
        "Husniya Intikhabi Hansanluyi", "Ramin Dehgan", "Erfan Mehdi Khanli Saatlu", "Amir Izzati Heydarlu",
        "Farhad Mohammadi", "Javad Rizayi",
    }
    assert {r[1] for r in summoned} == {"8th department of the Urmia General and Revolutionary Prosecutor's Office"}


def test_schema_org_view_and_transitive_places_after_inference(graph):
    # Rastakucha Street is in Tabriz, hence (transitively) in East Azerbaijan Province and Iran
    assert graph.query(sparql_prologue() + "ASK { place:rastakucha-street cpo:locatedIn place:iran }").askAnswer
    # a query using only schema.org terms finds the 13-year-old detainee as a schema:Person
    rows = ask(graph, "SELECT ?n WHERE { ?p a schema:Person ; schema:name ?n ; cpo:reportedAge ?a . FILTER(?a = 13) }")
    assert ("Kovsar Nemati",) in rows
