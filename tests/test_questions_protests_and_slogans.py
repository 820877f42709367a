"""Research questions on rallies, banners, wall slogans and chants, with their words as the source
gives them.

Answered by SPARQL on the built graph (ontology + data + OWL-RL inferences); each test asserts
the exact answer the source text gives, names compared through schema:name.
"""

from research_questions import ask, graph


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


def test_slogans_of_the_tabriz_rallies_of_october_2020(graph):
    rows = ask(graph, """
        SELECT ?date ?slogan WHERE { ?e a cpo:Rally ; cpo:place place:tabriz ; cpo:date ?date ; cpo:slogan ?slogan ;
                                     prov:wasDerivedFrom ?p . FILTER(STRSTARTS(STR(?p), STR(passage:tabriz-2020-10))) }""")
    assert set(rows) == {
        ("2020-10-01", "Long live Azerbaijan"), ("2020-10-01", "Karabakh is ours, it will be ours"),
        ("2020-10-01", "We are ready to die, we are Babak's soldiers"),
        ("2020-10-18", "Come to the square, my brother, arms are going to Yerevan"),
        ("2020-10-18", "Karabakh is ours, it will be ours"),
        ("2020-10-18", "Protection of Armenia is a crime, a crime"),
        ("2020-10-18", "Tabriz, Baku, Ankara, Hail to Turan!"),
    }


def test_washington_protest_called_for_the_release_of_named_activists(graph):
    rows = ask(graph, """
        SELECT ?name WHERE { ?s a cpo:Statement ; cpo:author group:azerbaijani-diaspora-in-the-united-states ;
                             cpo:about ?p . ?p a cpo:Person ; schema:name ?name }""")
    assert {r[0] for r in rows} == {
        "Latif Hasanli", "Abbas Lisani", "Alirza Farshi", "Behnam Sheikhi", "Hamid Manafi Nadarli",
        "Yaseman Zafari", "Hakima Ahmadi", "Sadullah Sasaniyan", "Rahim Sasaniyan", "Hamid Jabbarli", "Maqsud Fazli",
    }
    where = ask(graph, """
        SELECT ?date ?city ?country WHERE { event:2020-08-washington-protest cpo:date ?date ;
            cpo:place/cpo:locatedIn ?c . ?c a cpo:City ; schema:name ?city ; cpo:locatedIn/schema:name ?country }""")
    assert where == [("2020-08", "Washington", "United States")]


def test_wall_slogans_in_ardabil_on_26_october_2020(graph):
    rows = ask(graph, """
        SELECT ?text WHERE { ?e a cpo:WallSlogan ; cpo:place place:ardabil ; cpo:date "2020-10-26"^^xsd:date ;
                             cpo:bannerText ?text }""")
    assert {r[0] for r in rows} == {"Free Azerbaijani artists and political activists",
                                     "Free activists who support Karabakh"}
