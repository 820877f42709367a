"""Research questions on statements, appeals, claims and denials: who said what, to whom and when,
kept as someone's claim and never as a fact.

Answered by SPARQL on the built graph (ontology + data + OWL-RL inferences); each test asserts
the exact answer the source text gives, names compared through schema:name.
"""

from kg.namespaces import sparql_prologue
from research_questions import ask, graph


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


def test_parviz_yari_figures_are_his_claim_not_facts(graph):
    rows = ask(graph, """
        SELECT ?author ?job ?wording ?value WHERE {
          ?c a cpo:Claim ; cpo:author ?a ; cpo:claims ?prop . ?a schema:name ?author ; cpo:occupation ?job .
          ?prop cpo:arrestCount [ cpo:wording ?wording ; schema:value ?value ] .
        }""")
    assert set(rows) == {("Parviz Yari", "journalist", "242 Turkish activists", 242),
                         ("Parviz Yari", "journalist", "24 women", 24)}
    # no event asserts 242 arrests as a fact
    assert not graph.query(sparql_prologue() + """
        ASK { ?e a cpo:Event ; cpo:arrestCount/schema:value ?v . FILTER(?v = 242) }""").askAnswer


def test_khoda_afarin_deployment_and_pakpour_claim(graph):
    rows = ask(graph, """
        SELECT ?who ?position ?date ?prop ?unit WHERE {
          ?c a cpo:Claim ; cpo:author ?a ; cpo:date ?date ; cpo:claims/schema:name ?prop ; cpo:about ?dep .
          ?a schema:name ?who ; cpo:position ?position .
          ?dep a cpo:MilitaryEvent ; cpo:place place:khoda-afarin ; cpo:participant/schema:name ?unit }""")
    assert rows == [("Mohammad Pakpour", "commander of the Ground Forces of the Islamic Revolutionary Guard Corps",
                     "2020-10-24",
                     "The Imam Zaman brigade was stationed in the Khoda Afarin region to protect the residents of "
                     "Khudaferin and the borders", "Imam Zaman")]
    cheering = ask(graph, """
        SELECT ?slogan WHERE { ?e a cpo:Celebration ; cpo:place place:araz-river ; cpo:date "2020-10-18"^^xsd:date ;
                               cpo:slogan ?slogan }""")
    assert {r[0] for r in cheering} == {"Let them be blind whoever don't want Azerbaijan to be united",
                                         "Long live Azerbaijan"}
