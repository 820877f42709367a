"""Research questions on arrests, detentions, summonses, raids, mistreatment, bans and releases (on
bail, with an electronic handcuff).

Answered by SPARQL on the built graph (ontology + data + OWL-RL inferences); each test asserts
the exact answer the source text gives, names compared through schema:name.
"""

from decimal import Decimal

from research_questions import ask, graph, local


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


def test_injuries_reported_with_their_victims(graph):
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


def test_which_detainees_were_children_and_with_whom_they_were_held(graph):
    rows = ask(graph, """
        SELECT ?child ?age ?with ?wording WHERE {
          ?d a cpo:Detention ; cpo:detainee ?c, ?o ; cpo:durationWording ?wording ; prov:wasDerivedFrom ?p .
          FILTER(STRSTARTS(STR(?p), STR(passage:tabriz-)))
          ?c cpo:isMinor true ; cpo:reportedAge ?age ; schema:name ?child .
          ?o schema:name ?with . FILTER(?o != ?c)
        }""")
    assert set(rows) == {("Kovsar Nemati", 13, "Fatma Ibrahimzade", "24 hours")}
    # ... and the relation between them is a family relation with its passage
    rel = ask(graph, """
        SELECT ?kin ?quote WHERE {
          ?r a cpo:FamilyRelation ; cpo:person person:kovsar-nemati ; cpo:relative person:fatma-ibrahimzade ;
             cpo:kinship/rdfs:label ?kin ; prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote .
          FILTER(LANG(?kin) = "en")
        }""")
    assert {r[0] for r in rel} == {"daughter"}
    assert ("daughter", "Fatima Ibrahimzadeh, who was arrested with her 13-year-old daughter Kovsar, "
            "was released after 24 hours of detention.") in rel


def test_who_was_summoned_in_connection_with_the_nadarli_poster(graph):
    rows = ask(graph, """
        SELECT ?name ?office ?poster WHERE {
          ?s a cpo:Summons ; cpo:target/schema:name ?name ; cpo:summonedTo/schema:name ?office ;
             cpo:followed ?e .
          ?e a cpo:PosterDisplay ; cpo:place place:nadarli ; cpo:bannerText ?poster .
        }""")
    assert set(rows) == {
        ("Murtuz Nurmohammadi", "intelligence department of the Iranian police", "Karabakh is ours, it will be ours!"),
        ("Hossein Amani", "intelligence department of the Iranian police", "Karabakh is ours, it will be ours!"),
    }
    closure = ask(graph, """
        SELECT ?target ?by WHERE { ?r a cpo:RestrictionMeasure ; cpo:place place:nadarli ;
            cpo:target/schema:name ?target ; cpo:perpetrator/schema:name ?by }""")
    assert closure == [("Aydın Hilali", "Iranian police's public spaces control unit")]


def test_who_was_arrested_at_the_tabriz_rally_of_october_18_and_the_day_before(graph):
    rows = ask(graph, """
        SELECT ?date ?name WHERE { ?a a cpo:Arrest ; cpo:place place:tabriz ; cpo:date ?date ;
                                   cpo:arrestee/schema:name ?name . FILTER(?date IN ("2020-10-17"^^xsd:date, "2020-10-18"^^xsd:date)) }""")
    assert set(rows) == {
        ("2020-10-17", "Rasul Razavi"), ("2020-10-17", "Huseyn Amir-Hijri"), ("2020-10-17", "Huseyn Mohammadiya"),
        ("2020-10-18", "Shima Almasi"), ("2020-10-18", "Mehtab Asgarinejad"), ("2020-10-18", "Aylin Shirzadi"),
        ("2020-10-18", "Habiba Barqi"), ("2020-10-18", "Mina Valipour"), ("2020-10-18", "Sara Turi"),
        ("2020-10-18", "Fatma Ibrahimzade"), ("2020-10-18", "Kovsar Nemati"),
    }
    strike = ask(graph, """
        SELECT ?name ?start ?why WHERE { ?h a cpo:HungerStrike ; cpo:protester/schema:name ?name ;
                                         cpo:startDate ?start ; cpo:purpose ?why }""")
    assert set(strike) == {(n, "2020-10-17", "protesting that their arrest was illegal")
                           for n in ("Akbar Muhajiri", "Rasul Razavi", "Huseyn Mohammadiya")}


def test_numbers_keep_their_wording(graph):
    rows = ask(graph, """
        SELECT ?event ?wording ?value ?min WHERE {
          ?event cpo:arrestCount ?q ; prov:wasDerivedFrom ?p . ?q cpo:wording ?wording .
          OPTIONAL { ?q schema:value ?value } OPTIONAL { ?q schema:minValue ?min }
          FILTER(STRSTARTS(STR(?p), STR(passage:tabriz-)))
        }""")
    assert {(local(e), w, v, m) for e, w, v, m in rows} == {
        ("2020-10-01-tabriz-arrests", "around 40 individuals", 40, None),
        ("undated-tabriz-detention-center", "more than 30 men", None, 31),
        ("undated-tabriz-detention-center", "more than 10 women", None, 11),
    }


def test_releases_with_an_electronic_handcuff_and_its_removal(graph):
    rows = ask(graph, """
        SELECT ?name ?date WHERE { ?r a cpo:Release ; cpo:electronicMonitoring true ; cpo:releasedPerson/schema:name ?name ;
                                   prov:wasDerivedFrom/oa:hasSource source:actions-2020 .
                                   OPTIONAL { ?r cpo:date ?date } }""")
    assert set(rows) == {("Salar Tahir Afshar", "2021-06-19"), ("Mohammad Eyni", None)}
    removal = ask(graph, """
        SELECT ?name ?date WHERE { ?m a cpo:MonitoringRemoval ; cpo:date ?date ;
                                   cpo:endsMonitoringOf/cpo:releasedPerson/schema:name ?name }""")
    assert removal == [("Mohammad Eyni", "2023-02")]
    prison = ask(graph, """
        SELECT ?where ?duration WHERE { ?d a cpo:Detention ; cpo:detainee person:mohammad-eyni ;
                                        cpo:heldAt/schema:name ?where ; cpo:duration ?duration }""")
    assert prison == [("Rasht prison", "P8M")]


def test_where_said_sultani_and_babek_kiyumars_were_held(graph):
    rows = ask(graph, """
        SELECT ?name ?where ?wording WHERE {
          ?d a cpo:Detention ; cpo:detainee/schema:name ?name ; cpo:heldAt/schema:name ?where .
          OPTIONAL { ?d cpo:durationWording ?wording }
          FILTER(?name IN ("Said Sultani", "Babek Kiyumars")) }""")
    assert set(rows) == {
        ("Said Sultani", "ETTELAAT detention center in Tabriz", "more than two months"),
        ("Babek Kiyumars", "ETTELAAT detention center in Tabriz", "more than two months"),
        ("Said Sultani", "Tabriz prison", None), ("Babek Kiyumars", "Tabriz prison", None),
    }


def test_vugar_nemat_summons_interview_and_arrest_in_order(graph):
    rows = ask(graph, """
        SELECT ?type ?date ?office WHERE {
          ?e cpo:participant person:vugar-nemat ; a ?t ; cpo:date ?date ; cpo:earliestDate ?d .
          VALUES ?t { cpo:Summons cpo:Interrogation cpo:Arrest } BIND(STRAFTER(STR(?t), "#") AS ?type)
          OPTIONAL { ?e cpo:summonedTo|cpo:perpetrator ?o . ?o schema:name ?office }
        } ORDER BY ?d ?type""")
    assert rows == [("Interrogation", "2020-10-01", "ETTELAAT Office in Keleybar"),
                    ("Summons", "2020-10-01", "ETTELAAT Office in Keleybar"),
                    ("Arrest", "2020-10-30", "ETTELAAT")]
    medium = ask(graph, """
        SELECT ?m WHERE { ?i a cpo:Interview ; cpo:author person:vugar-nemat ; cpo:medium/schema:name ?m }""")
    assert medium == [("Azerbaijan service of RFE/RL",)]
