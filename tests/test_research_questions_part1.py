"""Research questions about part 1 of the first source document (infobox, introduction,
History, July 2020, the Second Karabakh War introduction and Ardabil), answered by SPARQL on the
built graph (ontology + data + OWL-RL inferences). Each test asserts the exact answer that the
text gives; names are compared through schema:name.
"""

from decimal import Decimal

import pytest

from rdflib import Literal
from rdflib.namespace import XSD

from kg.namespaces import sparql_prologue


@pytest.fixture(scope="module")
def graph(built):
    return built.graphs.union()


def _plain(value):
    """A term as a plain value: integers, decimals and booleans as Python values, everything
    else (IRIs, strings, dates at their precision, durations) as its lexical form."""
    if value is None:
        return None
    if isinstance(value, Literal) and value.datatype in (XSD.integer, XSD.nonNegativeInteger,
                                                         XSD.decimal, XSD.boolean):
        return value.toPython()
    return str(value)


def ask(graph, query):
    """Rows of the query as tuples of plain values."""
    return [tuple(_plain(v) for v in row) for row in graph.query(sparql_prologue() + query)]


ARTICLE_607_DEFENDANTS = {
    "Huseyn Balakhani", "Asghar Akbarzadeh", "Mustafa Parvin", "Murtaza Parvin", "Mojtaba Parvin",
    "Hamid Heydari", "Mohammad Colani", "Subhan Bakhshi", "Mehdi Hushmand", "Bahman Kheirju",
    "Sajjad Colani",
}


def test_who_was_sentenced_under_article_607_by_which_court_to_what(graph):
    rows = ask(graph, """
        SELECT ?name ?court ?date ?duration ?lashes WHERE {
          ?ruling a cpo:Conviction ; cpo:underProvision ?art ; cpo:court/schema:name ?court ;
                  cpo:date ?date ; cpo:imposes ?sentence .
          ?art cpo:articleNumber "607" .
          ?sentence cpo:sentencedPerson/schema:name ?name ;
                    cpo:component [ a cpo:PrisonTerm ; cpo:duration ?duration ] ,
                                  [ a cpo:Flogging ; cpo:lashes ?lashes ] .
        }""")
    assert {r[0] for r in rows} == ARTICLE_607_DEFENDANTS
    assert {r[1:] for r in rows} == {("Ardabil city court", "2021-10-09", "P7M16D", 74)}


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


def test_who_denied_the_arms_transit_claims_and_when(graph):
    rows = ask(graph, """
        SELECT ?name ?date WHERE {
          ?denial a cpo:Denial ; cpo:denies proposition:weapons-transit-through-iran ;
                  cpo:author/schema:name ?name .
          OPTIONAL { ?denial cpo:date ?date }
        }""")
    assert set(rows) == {
        ("Iranian Ministry of Foreign Affairs", "2020-09-29"),
        ("Mahmoud Vaezi", None),
        ("Saeed Khatibzadeh", "2020-10-05"),
        ("Iranian state-affiliated media", None),
    }


def test_who_claimed_weapons_went_to_armenia_through_iran(graph):
    rows = ask(graph, """
        SELECT ?name WHERE {
          ?claim a cpo:Claim ; cpo:claims proposition:weapons-transit-through-iran ;
                 cpo:author/schema:name ?name .
        }""")
    assert {r[0] for r in rows} == {
        "Tofig Zulfugarov", "Iranian Azerbaijanis", "Azerbaijani media", "Sabir Rustamkhanli"}


def test_whom_vaezi_denied_to_and_what_he_answered(graph):
    rows = ask(graph, """
        SELECT ?to ?accuser WHERE {
          ?d a cpo:Denial ; cpo:author person:mahmoud-vaezi ; cpo:addressedTo/schema:name ?to ;
             cpo:respondsTo/cpo:author/schema:name ?accuser .
        }""")
    assert rows == [("Shahin Mustafayev", "Sabir Rustamkhanli")]


def test_statements_of_the_introduction_by_whom_with_how_many_signatories(graph):
    rows = ask(graph, """
        SELECT DISTINCT ?author ?count ?wording WHERE {
          ?s a cpo:Statement ; cpo:author/schema:name ?author ; prov:wasDerivedFrom ?p .
          FILTER(STRSTARTS(STR(?p), STR(passage:intro-)))
          OPTIONAL { ?s cpo:signatoryCount [ schema:value ?count ; cpo:wording ?wording ] }
        }""")
    assert set(rows) == {
        ("Amnesty International", None, None),
        ("Iranian Azerbaijanis feminists", None, None),
        ("Azerbaijani cinematographers living in Iran", 100, "100 Azerbaijani cinematographers living in Iran"),
        ("Iranian Azerbaijani poets, writers and scientists living in Iran", 669, "669"),
        ("Azerbaijan Student Movement", None, None),
        ("Human rights defenders living in the Republic of Azerbaijan", None, None),
        ("Jala Tabrizli", None, None),
        ("Sahin Khiyavli", None, None),
    }


def test_twice_told_statements_are_one_node_citing_both_passages(graph):
    rows = ask(graph, """
        SELECT ?s (COUNT(DISTINCT ?p) AS ?n) WHERE {
          VALUES ?s { event:2020-10-03-669-poets-statement event:2021-10-14-human-rights-defenders-appeal
                      event:2020-10-03-amnesty-concern event:2020-10-feminists-statement
                      event:tabrizli-khiyavli-on-flogging event:2020-tabriz-fatma-ibrahimzade-tortured }
          ?s prov:wasDerivedFrom ?p .
        } GROUP BY ?s""")
    assert len(rows) == 6 and all(n == 2 for _, n in rows)
    organiser = ask(graph, """
        SELECT ?name ?alt WHERE { event:2020-10-03-669-poets-statement cpo:organiser ?o .
                                  ?o schema:name ?name ; skos:altLabel ?alt }""")
    assert organiser == [("South Azerbaijan Union of Poets and Writers",
                          "Iranian Azerbaijanis Poets and Writers Union")]


def test_who_addressed_the_october_2021_appeal_and_what_it_demanded(graph):
    rows = ask(graph, """
        SELECT ?to ?demand ?date WHERE {
          event:2021-10-14-human-rights-defenders-appeal cpo:addressedTo/schema:name ?to ;
              cpo:demand ?demand ; cpo:date ?date .
        }""")
    assert set(rows) == {(to, "their immediate release", "2021-10-14") for to in
                         ("UN Human Rights Committee", "Amnesty International", "Iranian government")}


def test_who_was_held_in_solitary_confinement(graph):
    rows = ask(graph, """
        SELECT DISTINCT ?name WHERE {
          ?d a cpo:Detention ; cpo:solitaryConfinement true ; cpo:detainee/schema:name ?name .
        }""")
    assert rows == [("Abbas Lisani",)]


def test_bail_amounts_with_currency(graph):
    rows = ask(graph, """
        SELECT ?name ?value ?currency ?wording WHERE {
          ?r a cpo:Release ; cpo:releasedPerson/schema:name ?name ;
             cpo:bail [ schema:value ?value ; cpo:currency/rdfs:label ?currency ; cpo:wording ?wording ] .
        }""")
    expected = {("Abbas Lisani", Decimal("200000000"), "Iranian rial", "200 million rials")}
    expected |= {(n, Decimal("50000000"), "Iranian toman", "50 million tomans") for n in
                 ("Hakima Ahmadi", "Yaseman Zafari", "Sadullah Sasaniyan", "Rahim Sasaniyan", "Mehdi Purali")}
    assert set(rows) == expected


def test_lashes_per_person(graph):
    rows = ask(graph, """
        SELECT DISTINCT ?name ?lashes WHERE {
          ?s cpo:sentencedPerson/schema:name ?name ; cpo:component [ a cpo:Flogging ; cpo:lashes ?lashes ] .
        }""")
    expected = {("Abbas Lisani", 15), ("Meysam Colani", 20), ("Ali Khairju", 20)}
    expected |= {(n, 60) for n in ("Hakima Ahmadi", "Yaseman Zafari", "Sadullah Sasaniyan",
                                   "Rahim Sasaniyan", "Mehdi Purali")}
    expected |= {(n, 74) for n in ARTICLE_607_DEFENDANTS}
    assert set(rows) == expected


def test_abbas_lisani_2004_fine_and_charge(graph):
    rows = ask(graph, """
        SELECT ?value ?currency ?charge WHERE {
          ?r a cpo:Conviction ; cpo:defendant person:abbas-lisani ; cpo:charge/cpo:chargeWording ?charge ;
             cpo:imposes/cpo:component [ a cpo:Fine ; cpo:amount [ schema:value ?value ; cpo:currency ?c ] ] .
          ?c cpo:iso4217 ?currency .
        }""")
    assert rows == [(Decimal("800000"), "IRR", "disturbing public order")]


def test_ardabil_court_branches(graph):
    rows = ask(graph, """
        SELECT ?number ?court WHERE {
          ?b a cpo:CourtBranch ; cpo:branchNumber ?number ; cpo:partOfOrganisation ?c .
          ?c cpo:jurisdiction place:ardabil ; schema:name ?court .
        }""")
    assert set(rows) == {("7", "Ardabil Revolutionary Court"), ("110", "Second Criminal Court of Ardabil")}
    extended = ask(graph, """
        SELECT ?wording WHERE { ?e cpo:court organisation:ardabil-revolutionary-court-department-7 ;
                                   cpo:defendant person:abbas-lisani ; cpo:durationWording ?wording }""")
    assert extended == [("another month",)]


def test_reported_ages_and_disabilities(graph):
    ages = ask(graph, """
        SELECT ?name ?age WHERE { ?p a cpo:Person ; schema:name ?name ; cpo:reportedAge ?age }""")
    assert set(ages) == {("Kovsar Nemati", 13), ("Parviz Siyabi", 74)}
    disabilities = ask(graph, """
        SELECT ?name ?d WHERE { ?p schema:name ?name ; cpo:disability ?d }""")
    assert disabilities == [("Sajjad Colani", "visually impaired")]


def test_the_child_who_witnessed_her_mothers_torture(graph):
    rows = ask(graph, """
        SELECT DISTINCT ?child ?age ?mother WHERE {
          ?m a cpo:Mistreatment ; cpo:victim ?v ; cpo:witness ?w ; cpo:reportedBy source:actions-2020 .
          ?w schema:name ?child ; cpo:reportedAge ?age ; cpo:isMinor true .
          ?rel cpo:person ?w ; cpo:kinship cpo:daughter ; cpo:relative ?v .
          ?v schema:name ?mother .
        }""")
    assert rows == [("Kovsar Nemati", 13, "Fatma Ibrahimzade")]


def test_injuries_reported_in_part_one(graph):
    rows = ask(graph, """
        SELECT DISTINCT ?name ?injury WHERE {
          ?m a cpo:Mistreatment ; cpo:victim/schema:name ?name ; cpo:injury ?injury .
        }""")
    assert set(rows) >= {
        ("Abbas Lisani", "lost consciousness"), ("Abbas Lisani", "broken ribs"),
        ("Abbas Lisani", "a fractured nose"), ("Abbas Lisani", "damage to his lungs and kidneys"),
        ("Sajjad Colani", "his nose was broken"),
        ("Parviz Siyabi", "fractures in his arm"), ("Parviz Siyabi", "bruises on his back and arms"),
        ("Ehsan Ismaildokht", "torture marks on his back"),
    }


def test_officials_reportedly_responsible_for_lisanis_bans(graph):
    rows = ask(graph, """
        SELECT ?name ?scope WHERE {
          ?r a cpo:RestrictionMeasure ; cpo:target person:abbas-lisani ;
             cpo:responsibleOfficial/schema:name ?name ; cpo:banScope ?scope .
        }""")
    assert set(rows) == {(n, s) for n in ("Nasir Atabati", "Seyyed Abdullah Tabatabayi")
                         for s in ("meeting his relatives", "making phone calls")}
    sit_in = ask(graph, """
        SELECT ?date ?duration WHERE { ?s a cpo:SitIn ; cpo:protester person:abbas-lisani ;
                                          cpo:date ?date ; cpo:duration ?duration }""")
    assert sit_in == [("2020-11-20", "PT5H")]


def test_raids_that_failed(graph):
    rows = ask(graph, """
        SELECT ?name WHERE { ?r a cpo:HomeRaid ; cpo:succeeded false ; cpo:target/schema:name ?name }""")
    assert {r[0] for r in rows} == {"Mohsen Ismaili Aghdam", "Samad Nazmi"}


def test_who_was_held_in_evin_and_whose_relatives_were_not_told(graph):
    rows = ask(graph, """
        SELECT DISTINCT ?name ?incommunicado WHERE {
          ?d a cpo:Detention ; cpo:heldAt organisation:evin-prison ; cpo:detainee/schema:name ?name .
          OPTIONAL { ?d cpo:incommunicado ?incommunicado }
        }""")
    assert set(rows) == {("Huseyn Shahidi", True), ("Hadi Alishi", True), ("Yagub Majidi", True),
                         ("Hamid Jabbarli", None)}


def test_ambiguous_charge_keeps_no_defendant(graph):
    rows = ask(graph, """
        SELECT ?wording WHERE {
          charge:2020-both-national-activists cpo:chargeWording ?wording ; cpo:curatorNote ?note .
          FILTER NOT EXISTS { charge:2020-both-national-activists cpo:defendant ?d }
        }""")
    assert {r[0] for r in rows} == {"propaganda against the Islamic Republic of Iran",
                                    "undermining national security and public order"}


def test_acquittal_of_farid_khorshidi(graph):
    rows = ask(graph, """
        SELECT ?date ?reason WHERE { ?a a cpo:Acquittal ; cpo:defendant/schema:name "Farid Khorshidi" ;
                                       cpo:date ?date ; cpo:reason ?reason }""")
    assert rows == [("2020-08", "lack of evidence against him")]


def test_slogans_and_banners_before_the_2020_war(graph):
    rows = ask(graph, """
        SELECT DISTINCT ?date ?text WHERE {
          ?e a cpo:Event ; cpo:date ?date ; prov:wasDerivedFrom ?p .
          FILTER(STRSTARTS(STR(?p), STR(passage:history-)))
          { ?e cpo:slogan ?text } UNION { ?e cpo:bannerText ?text }
        } ORDER BY STR(?date) ?text""")
    assert rows == [
        ("2019-02-27", "Karabakh is Armenia and the end"),
        ("2019-03-01", "Karabakh is an integral part of Azerbaijan"),
        ("2019-03-02", "Karabakh is an inseparable part of Azerbaijan"),
        ("2019-03-14", "Karabakh is ours, it will be ours!"),
        ("2019-04-05", "Karabakh is ours, it will be ours!"),
        ("2020-09-03", "Karabakh is ours, it will be ours"),
    ]


def test_infobox_places_found_through_schema_terms_only(graph):
    rows = ask(graph, """
        SELECT ?name WHERE {
          event:2020-iran-actions-in-support-of-azerbaijan schema:location ?p .
          ?p a schema:City ; schema:name ?name .
        }""")
    assert {r[0] for r in rows} == {"Tabriz", "Urmia", "Ardabil", "Zanjan", "Maku", "Marand",
                                    "Parsabad", "Rasht", "Tehran"}


def test_ardabil_december_2020_sentence(graph):
    rows = ask(graph, """
        SELECT ?name ?court ?date ?duration ?lashes ?charge WHERE {
          ?r a cpo:Conviction ; cpo:court/schema:name ?court ; cpo:date ?date ;
             cpo:charge/cpo:chargeWording ?charge ; cpo:imposes ?s .
          ?s cpo:sentencedPerson/schema:name ?name ;
             cpo:component [ a cpo:PrisonTerm ; cpo:duration ?duration ], [ a cpo:Flogging ; cpo:lashes ?lashes ] .
          FILTER(?date = "2020-12"^^xsd:gYearMonth)
        }""")
    assert set(rows) == {(n, "Second Criminal Court of Ardabil, Department No. 110", "2020-12", "P4M", 20,
                          "participating in disrupting public order by creating confusion")
                         for n in ("Meysam Colani", "Ali Khairju")}
