"""Research questions on the 2023 news report (source:azfront-2023): the AZfront action, who joined
and organised it, the Telegraph it cites, and the opinions it states (claims, not facts).

Answered by SPARQL on the built graph (ontology + data + OWL-RL inferences); each test asserts
the exact answer the source text gives, names compared through schema:name.
"""

from research_questions import ask, graph


def test_which_organisations_joined_the_2023_action_and_who_organised_it(graph):
    joined = ask(graph, """
        SELECT ?name WHERE { event:2023-03-south-azerbaijan-azfront-action cpo:protester/schema:name ?name }""")
    assert {r[0] for r in joined} == {
        "National Liberation Front of South Azerbaijan", "Azerbaijan National Resistance Organization",
        "Azerbaijan Student Movement", "Independence Party of South Azerbaijan",
        "Democratic Turkic Union of South Azerbaijan", "Democratic Party of South Azerbaijan",
        "Liberal Democratic Party of South Azerbaijan", "Center Party of Azerbaijan",
    }
    organisers = ask(graph, """
        SELECT ?name ?date ?place WHERE { event:2023-03-south-azerbaijan-azfront-action
            cpo:organiser/schema:name ?name ; cpo:date ?date ; cpo:place/schema:name ?place }""")
    assert set(organisers) == {("AZfront", "2023-03", "South Azerbaijan"),
                               ("AZfront Telegram channel", "2023-03", "South Azerbaijan")}


def test_the_2023_report_names_the_telegraph_as_its_source_and_its_opinions_are_claims(graph):
    cited = ask(graph, """
        SELECT ?name WHERE { source:azfront-2023 cpo:citesSource ?m . ?m a cpo:MediaOutlet ; schema:name ?name }""")
    assert cited == [("The Telegraph",)]
    # the report's opinions are claims reported by the report, not facts
    claims = ask(graph, """
        SELECT ?prop WHERE { ?c a cpo:Claim ; cpo:reportedBy source:azfront-2023 ; cpo:claims/schema:name ?prop .
                             FILTER NOT EXISTS { ?c cpo:author ?anyone } }""")
    assert {r[0] for r in claims} == {
        "Tabriz is Iran's fourth largest city",
        "Neither the employees of the Islamic Revolution Guards Corps nor the members of the paramilitary "
        "group Basij were able to stop or detain any participant in the action",
        "The young Azerbaijanis of Iran have been the most active against the state system of this "
        "Russian raw material satellite for a long time",
        "The opposition of representatives of the Iranian authorities is quite natural, because the "
        "separation of the region from 30 million ethnic Azerbaijanis, who make up approximately 20% of "
        "the entire population of the country, will significantly weaken Iran",
        "This fully corresponds to the interests of Ukraine, whose territory the Russian Federation is "
        "shelling with the help of Iranian drones, as well as the interests of Israel, which is directly "
        "interested in the overthrow of the Iranian dictatorship",
    }
    telegraph = ask(graph, """
        SELECT ?prop WHERE { ?c a cpo:Claim ; cpo:author organisation:telegraph ; cpo:claims/schema:name ?prop }""")
    assert telegraph == [("President Volodymyr Zelenskyy supported this opinion",)]


def test_zelenskyy_meeting_eli_cohen_in_kyiv(graph):
    rows = ask(graph, """
        SELECT ?who ?date ?place WHERE {
          ?m a cpo:PoliticalEvent ; cpo:participant/schema:name ?who ; cpo:date ?date ; cpo:place/schema:name ?place ;
             prov:wasDerivedFrom/oa:hasSource source:azfront-2023 .
        }""")
    assert set(rows) == {("Volodymyr Zelenskyy", "2023-02-16", "Kyiv"), ("Eli Cohen", "2023-02-16", "Kyiv")}
    said = ask(graph, """
        SELECT ?author ?to ?prop WHERE {
          ?c a cpo:Claim ; cpo:subEventOf event:2023-02-16-kyiv-zelenskyy-cohen-meeting ;
             cpo:author/schema:name ?author ; cpo:addressedTo/schema:name ?to ; cpo:claims/schema:name ?prop }""")
    assert said == [("Volodymyr Zelenskyy", "Eli Cohen", "Both countries have a common enemy")]
