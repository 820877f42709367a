"""Research questions on what the sources leave uncertain, answered from the structure rather
than from notes (docs/modelling.md): approximate and bounded numbers, what the source omits,
dates without a year, identity candidates, the source's hedges, the curators' inferences,
date and place precision with ACLED's codes, offices as places, and the one way each thing is
said (the author of a claim, the link from repression to protest, written words, legal
articles, the most specific type).

Answered by SPARQL on the built graph (ontology + data + inferred and derived terms); each test
asserts the exact answer the source text gives.
"""

from research_questions import ask, graph, local


def test_how_many_were_arrested_in_tabriz_on_1_october_and_is_the_number_exact(graph):
    rows = ask(graph, """
        SELECT ?value ?approximate ?wording WHERE {
          event:2020-10-01-tabriz-arrests cpo:arrestCount ?q .
          ?q schema:value ?value ; cpo:wording ?wording .
          OPTIONAL { ?q cpo:approximate ?approximate }
        }""")
    assert rows == [(40, True, "around 40 individuals")]


def test_the_least_number_of_men_and_women_siyamak_kushi_saw_detained(graph):
    # "more than 30 men and more than 10 women": bounds, not values.
    rows = ask(graph, """
        SELECT ?min ?wording WHERE {
          ?detention cpo:reportedBy person:siyamak-kushi ; cpo:arrestCount ?q .
          ?q schema:minValue ?min ; cpo:wording ?wording .
          FILTER NOT EXISTS { ?q schema:value ?exact }
        } ORDER BY ?min""")
    assert rows == [(11, "more than 10 women"), (31, "more than 30 men")]


def test_in_how_many_provinces_the_2023_action_took_place_and_which(graph):
    rows = ask(graph, """
        SELECT ?n ?unit ?wording ?placeNotStated WHERE {
          event:2023-03-south-azerbaijan-azfront-action cpo:reportedNumber ?q .
          ?q schema:value ?n ; schema:unitText ?unit ; cpo:wording ?wording .
          BIND(EXISTS { event:2023-03-south-azerbaijan-azfront-action cpo:notStated cpo:place } AS ?placeNotStated)
        }""")
    assert rows == [(4, "provinces", "four provinces", True)]
    provinces = ask(graph, """SELECT ?p WHERE { event:2023-03-south-azerbaijan-azfront-action cpo:place ?p . ?p a cpo:Province }""")
    assert provinces == []


def test_releases_on_bail_whose_amount_the_source_does_not_give(graph):
    rows = ask(graph, """
        SELECT ?name ?date ?wording WHERE {
          ?release a cpo:Release ; cpo:bail ?bail ; cpo:releasedPerson/schema:name ?name ; cpo:date ?date .
          ?bail cpo:notStated schema:value ; cpo:wording ?wording .
          FILTER NOT EXISTS { ?bail schema:value ?amount }
        }""")
    assert rows == [("Parviz Siyabi", "2020-10-05", "on bail")]


def test_the_guarantee_of_21_july_is_for_each_and_whose_release_it_is_is_not_stated(graph):
    rows = ask(graph, """
        SELECT ?value ?currency ?each ?who ?released WHERE {
          event:2020-07-21-tabriz-temporary-release cpo:bail ?bail ; cpo:participantDescription ?who .
          ?bail schema:value ?value ; cpo:currency ?currency ; cpo:perPerson ?each .
          BIND(EXISTS { event:2020-07-21-tabriz-temporary-release cpo:releasedPerson ?p } AS ?released)
          FILTER EXISTS { event:2020-07-21-tabriz-temporary-release cpo:notStated cpo:releasedPerson }
        }""")
    assert [(v, local(c), e, w, r) for v, c, e, w, r in rows] == [
        (50000000, "ontology#IranianToman", True, "each of them", False)]


def test_in_which_years_mohammad_eynis_release_of_14_august_can_lie(graph):
    rows = ask(graph, """
        SELECT ?date ?year ?earliest ?latest WHERE {
          ?release a cpo:Release ; cpo:releasedPerson person:mohammad-eyni ; cpo:date ?date ;
                   cpo:possibleYear ?year ; cpo:earliestDate ?earliest ; cpo:latestDate ?latest .
        } ORDER BY ?year""")
    assert rows == [("--08-14", "2021", "2021-08-14", "2022-08-14"),
                    ("--08-14", "2022", "2021-08-14", "2022-08-14")]


def test_how_early_said_sultani_and_babek_kiyumars_can_have_reached_tabriz_prison(graph):
    # "arrested on October 4 ... held in the ETTELAAT detention center in Tabriz for more than two
    # months before being transferred to Tabriz prison": a lower bound, no date, no upper bound.
    rows = ask(graph, """
        SELECT ?earliest ?latest ?date ?inferred WHERE {
          ?transfer a cpo:Detention ; cpo:detainee person:said-sultani, person:babek-kiyumars ;
                    cpo:heldAt organisation:tabriz-prison ; cpo:earliestDate ?earliest .
          OPTIONAL { ?transfer cpo:latestDate ?latest } OPTIONAL { ?transfer cpo:date ?date }
          BIND(EXISTS { ?transfer cpo:qualifier [ a cpo:CuratorInference ; cpo:onProperty cpo:notBefore ] } AS ?inferred)
        }""")
    assert rows == [("2020-12-04", None, None, True)]


def test_who_was_held_for_at_least_a_bound_the_source_gives_rather_than_a_duration(graph):
    # "held in the ETTELAAT detention center in Tabriz for more than two months": a lower bound
    # of the duration with the words it rests on, never an exact cpo:duration.
    rows = ask(graph, """
        SELECT ?name ?bound ?wording WHERE {
          ?d a cpo:Detention ; cpo:detainee/schema:name ?name ; cpo:minDuration ?bound ;
             cpo:durationWording ?wording .
          FILTER NOT EXISTS { ?d cpo:duration ?exact }
        } ORDER BY ?name""")
    assert rows == [("Babek Kiyumars", "P2M", "more than two months"),
                    ("Said Sultani", "P2M", "more than two months")]


def test_how_long_vugar_nemat_was_questioned_and_what_of_it_is_the_curators_reading(graph):
    rows = ask(graph, """
        SELECT ?bound ?wording ?reason WHERE {
          event:2020-10-01-kaleybar-vugar-nemat-interrogation cpo:minDuration ?bound ;
              cpo:durationWording ?wording ;
              cpo:qualifier [ a cpo:CuratorInference ; cpo:onProperty cpo:minDuration ; cpo:inferenceReason ?reason ] .
          FILTER NOT EXISTS { event:2020-10-01-kaleybar-vugar-nemat-interrogation cpo:duration ?exact }
        }""")
    assert [(str(b), w) for b, w, _ in rows] == [("PT2H", "several hours")]
    assert "at least two" in rows[0][2]


def test_who_directed_the_restrictions_on_abbas_lisani_and_how_sure_the_source_is(graph):
    rows = ask(graph, """
        SELECT ?name ?post ?nameNotStated ?hedge ?words WHERE {
          event:2020-abbas-lisani-ban-on-visits-and-calls cpo:responsibleOfficial ?official ;
              cpo:qualifier ?q .
          ?q a cpo:Hedge ; cpo:onProperty cpo:responsibleOfficial ; cpo:hedgeType/skos:notation ?hedge ; cpo:wording ?words .
          ?official schema:name ?name .
          OPTIONAL { ?official cpo:position ?post }
          BIND(EXISTS { ?official cpo:notStated schema:name } AS ?nameNotStated)
        } ORDER BY ?name""")
    assert rows == [
        ("Ardabil’s head of intelligence", "Ardabil’s head of intelligence", True, "reportedly", "reportedly"),
        ("Nasir Atabati", "the regional justice director", False, "reportedly", "reportedly"),
        ("Seyyed Abdullah Tabatabayi", "Ardabil’s prosecutor", False, "reportedly", "reportedly"),
    ]


def test_nasir_atabatis_post_is_the_curators_reading_of_the_punctuation(graph):
    rows = ask(graph, """
        SELECT ?post ?reason WHERE {
          person:nasir-atabati cpo:position ?post ; cpo:qualifier ?q .
          ?q a cpo:CuratorInference ; cpo:onProperty cpo:position ; cpo:inferenceReason ?reason .
        }""")
    assert len(rows) == 1 and rows[0][0] == "the regional justice director"
    assert "Ardabil’s prosecutor, Seyyed Abdullah Tabatabayi" in rows[0][1]


def test_which_persons_may_be_one_and_the_same_and_are_kept_apart(graph):
    rows = ask(graph, """
        SELECT ?a ?b WHERE {
          ?x cpo:possiblySameAs ?y . ?x a cpo:Person ; schema:name ?a . ?y schema:name ?b .
        } ORDER BY ?a""")
    assert rows == [("Javad Rizayi", "Javad Rzayi"), ("Javad Rzayi", "Javad Rizayi")]
    merged = ask(graph, "SELECT ?x WHERE { person:javad-rzayi owl:sameAs ?x }")
    assert merged == [], "never merged by inference"
    arrests = ask(graph, """SELECT ?d WHERE { ?a cpo:arrestee person:javad-rizayi ; cpo:date ?d }""")
    assert arrests == [("2020-11-22",)], "no fact of the one is copied onto the other"


def test_the_two_amnesty_statements_of_october_2020_and_which_demands_release(graph):
    rows = ask(graph, """
        SELECT ?date ?demand ?sameAs WHERE {
          ?s a cpo:Statement ; cpo:author organisation:amnesty-international ; cpo:date ?date .
          OPTIONAL { ?s cpo:demand ?demand }
          OPTIONAL { ?s cpo:possiblySameAs ?other . ?other cpo:date ?sameAs }
        } ORDER BY STR(?date)""")
    assert rows == [("2020-10", "their unconditional release", "2020-10-03"),
                    ("2020-10-03", None, "2020-10")]


def test_which_claims_the_source_hedges_and_how(graph):
    rows = ask(graph, """
        SELECT ?claim ?hedge ?words WHERE {
          ?claim a cpo:Claim ; cpo:qualifier ?q .
          ?q a cpo:Hedge ; cpo:hedgeType/skos:notation ?hedge ; cpo:wording ?words .
        } ORDER BY ?claim""")
    assert [(local(c), h, w) for c, h, w in rows] == [
        ("2020-second-karabakh-war-transit-footage", "allegedly", "allegedly showing"),
        ("trucks-appeared-military", "apparently", "appeared to be"),
    ]


def test_who_authored_what_the_article_says_in_its_own_voice(graph):
    rows = ask(graph, """
        SELECT ?claim ?nameNotStated WHERE {
          source:actions-2020 schema:author ?authors .
          ?claim a cpo:Claim ; cpo:author ?authors .
          BIND(EXISTS { ?authors cpo:notStated schema:name } AS ?nameNotStated)
        }""")
    assert [(local(c), n) for c, n in rows] == [("trucks-appeared-military", True)]
    unattributed = ask(graph, """SELECT ?name WHERE { event:reports-670-trucks cpo:author ?a .
                                   ?a schema:name ?name ; cpo:notStated schema:name }""")
    assert unattributed == [("Unnamed reports on the trucks",)]


def test_the_footage_claim_is_not_authored_by_the_whole_ethnic_group(graph):
    rows = ask(graph, """
        SELECT ?author WHERE { event:2020-second-karabakh-war-transit-footage cpo:author/schema:name ?author }""")
    assert rows == [("Iranian Azerbaijanis who took the footage of the Nurduz crossing",)]


def test_which_dates_of_the_2023_report_rest_on_the_reports_own_date(graph):
    rows = ask(graph, """
        SELECT DISTINCT ?event ?date WHERE {
          ?event prov:wasDerivedFrom/oa:hasSource source:azfront-2023 ; cpo:date ?date ; cpo:qualifier ?q .
          ?q a cpo:CuratorInference ; cpo:onProperty cpo:date ; cpo:inferenceReason ?reason .
          FILTER(CONTAINS(?reason, "report's own"))
        } ORDER BY ?event""")
    assert [(local(e), d) for e, d in rows] == [
        ("2023-02-16-kyiv-zelenskyy-cohen-meeting", "2023-02-16"),
        ("2023-02-16-zelenskyy-common-enemy-claim", "2023-02-16"),
        ("2023-03-azfront-no-detentions-claim", "2023-03"),
        ("2023-03-south-azerbaijan-azfront-action", "2023-03"),
        ("2023-03-tabriz-azfront-leaflets", "2023-03"),
    ]


def test_date_and_place_precision_of_the_2023_action_with_acled_codes(graph):
    rows = ask(graph, """
        SELECT ?datePrecision ?time ?placePrecision ?geo WHERE {
          event:2023-03-south-azerbaijan-azfront-action cpo:datePrecision/skos:notation ?datePrecision ;
              cpo:acledTimePrecision ?time ; cpo:placePrecision/skos:notation ?placePrecision ;
              cpo:acledGeoPrecision ?geo .
        }""")
    assert rows == [("month", 3, "region", 3)]


def test_events_of_1_october_2020_in_zanjan_by_their_most_specific_type(graph):
    rows = ask(graph, """
        SELECT ?type (COUNT(?e) AS ?n) WHERE {
          ?e cpo:directType ?type ; cpo:date "2020-10-01"^^xsd:date ; cpo:place place:sabze-meydan .
        } GROUP BY ?type ORDER BY ?type""")
    assert [(local(t).split("#")[1], n) for t, n in rows] == [
        ("Arrest", 1), ("Dispersal", 2), ("Mistreatment", 1), ("Rally", 1), ("Rescue", 1)]


def test_events_located_to_an_exact_site_in_ardabil_acled_geo_precision_1(graph):
    rows = ask(graph, """
        SELECT DISTINCT ?event WHERE {
          ?event a cpo:Event ; cpo:acledGeoPrecision 1 ; cpo:placePrecision cpo:sitePrecision ;
                 cpo:place/cpo:locatedIn+ place:ardabil .
          FILTER(STRSTARTS(STR(?event), STR(event:ardabil-)))
        } ORDER BY ?event""")
    assert [local(e) for (e,) in rows] == [
        "ardabil-afsana-akbarzadeh-arrest", "ardabil-afsana-akbarzadeh-insulted",
        "ardabil-afsana-akbarzadeh-visit", "ardabil-khairju-house-raid",
        "ardabil-khairju-house-raid-beatings", "ardabil-raids-ismaili-aghdam-nazmi"]


def test_where_afsana_akbarzadeh_was_arrested_an_office_that_is_a_place(graph):
    rows = ask(graph, """
        SELECT ?office ?town WHERE {
          event:ardabil-afsana-akbarzadeh-arrest cpo:place ?o .
          ?o a cpo:ProsecutorsOffice, cpo:Place ; schema:name ?office ; cpo:locatedIn ?t .
          ?t a cpo:City ; schema:name ?town .
        }""")
    assert rows == [("Ardabil prosecutor's office, 10th department", "Ardabil")]


def test_where_the_activists_summoned_on_22_november_were_detained(graph):
    rows = ask(graph, """
        SELECT ?office ?town (COUNT(DISTINCT ?p) AS ?named) WHERE {
          event:2020-11-22-urmia-arrests cpo:place ?o ; cpo:arrestee ?p .
          ?o a cpo:Office ; schema:name ?office ; cpo:locatedIn+ ?t . ?t a cpo:City ; schema:name ?town .
        } GROUP BY ?office ?town""")
    assert rows == [("8th department of the Urmia General and Revolutionary Prosecutor's Office", "Urmia", 10)]


def test_the_homes_raided_in_ardabil_and_that_their_town_is_the_curators_reading(graph):
    rows = ask(graph, """
        SELECT ?home ?town ?reason WHERE {
          event:ardabil-raids-ismaili-aghdam-nazmi cpo:place ?h ; cpo:succeeded false .
          ?h schema:name ?home ; cpo:locatedIn ?t ; cpo:qualifier ?q .
          ?t a cpo:City ; schema:name ?town .
          ?q a cpo:CuratorInference ; cpo:onProperty cpo:locatedIn ; cpo:inferenceReason ?reason .
        } ORDER BY ?home""")
    assert [(h, t) for h, t, _ in rows] == [("Home of Mohsen Ismaili Aghdam", "Ardabil"), ("Home of Samad Nazmi", "Ardabil")]
    assert all("That same night" in r for _, _, r in rows)


def test_arrests_aimed_at_the_tabriz_rally_of_18_october_before_and_on_the_day(graph):
    rows = ask(graph, """
        SELECT ?date (COUNT(DISTINCT ?person) AS ?named) WHERE {
          ?arrest a cpo:Arrest ; cpo:directedAgainst event:2020-10-18-tabriz-rally ; cpo:date ?date ;
                  cpo:arrestee ?person .
        } GROUP BY ?date ORDER BY ?date""")
    assert rows == [("2020-10-17", 3), ("2020-10-18", 8)]


def test_what_was_written_rather_than_chanted(graph):
    rows = ask(graph, """
        SELECT ?text WHERE { ?e a cpo:WallSlogan ; cpo:bannerText ?text } ORDER BY ?text""")
    assert rows == [("Free Azerbaijani artists and political activists",), ("Free activists who support Karabakh",),
                    ("Karabakh is an integral part of Azerbaijan",)]
    assert ask(graph, "SELECT ?e WHERE { ?e a cpo:WallSlogan ; cpo:slogan ?s }") == []


def test_which_rulings_applied_which_article_through_their_charge(graph):
    rows = ask(graph, """
        SELECT ?date ?article (COUNT(DISTINCT ?d) AS ?defendants) WHERE {
          ?ruling a cpo:Conviction ; cpo:date ?date ; cpo:charge/cpo:underProvision/cpo:articleNumber ?article ;
                  cpo:defendant ?d .
        } GROUP BY ?date ?article ORDER BY ?date""")
    assert rows == [("2021-10-09", "607", 11), ("2021-12", "499", 2)]
    assert ask(graph, "SELECT ?r WHERE { ?r a cpo:Ruling ; cpo:underProvision ?a }") == []


def test_the_dome_of_soltaniyeh_stands_in_its_town_not_in_zanjan(graph):
    rows = ask(graph, """
        SELECT ?town ?province WHERE {
          place:dome-of-soltaniyeh cpo:locatedIn ?t . ?t a cpo:Town ; schema:name ?town ; cpo:locatedIn ?p .
          ?p a cpo:Province ; schema:name ?province .
        }""")
    assert rows == [("Soltaniyeh", "Zanjan Province")]
    assert ask(graph, "SELECT ?x WHERE { place:dome-of-soltaniyeh cpo:locatedIn ?x FILTER(?x = place:zanjan) }") == []


def test_the_telegraph_of_the_2023_report_is_not_the_british_newspaper(graph):
    rows = ask(graph, """
        SELECT ?name (COUNT(?link) AS ?links) WHERE {
          organisation:telegraph schema:name ?name . OPTIONAL { organisation:telegraph skos:exactMatch ?link }
        } GROUP BY ?name""")
    assert rows == [("Telegraph", 0)]
