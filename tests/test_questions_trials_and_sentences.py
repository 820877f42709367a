"""Research questions on charges, convictions and acquittals, the courts and their branches, the
articles of law, and the sentences (prison, lashes, fines), including a sentence the source
gives in two versions.

Answered by SPARQL on the built graph (ontology + data + OWL-RL inferences); each test asserts
the exact answer the source text gives, names compared through schema:name.
"""

from decimal import Decimal

from research_questions import ask, graph, local


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


def test_who_was_sentenced_under_article_499_by_which_court_to_what(graph):
    rows = ask(graph, """
        SELECT ?name ?branch ?number ?court ?date ?duration ?charge WHERE {
          ?ruling a cpo:Conviction ; cpo:underProvision law:iran-criminal-code-article-499 ;
                  cpo:court ?b ; cpo:date ?date ; cpo:imposes ?s ; cpo:charge/cpo:chargeWording ?charge .
          ?b a cpo:CourtBranch ; schema:name ?branch ; cpo:branchNumber ?number ;
             cpo:partOfOrganisation/schema:name ?court .
          ?s cpo:sentencedPerson/schema:name ?name ; cpo:component [ a cpo:PrisonTerm ; cpo:duration ?duration ] .
        }""")
    assert {r[0] for r in rows} == {"Said Sultani", "Babek Kiyumars"}
    assert {r[1:] for r in rows} == {(
        "3rd branch of the Tabriz Revolutionary Court", "3", "Tabriz Revolutionary Court", "2021-12",
        "P2Y", "membership to illegal groups to undermine the country's security")}
    article = ask(graph, """
        SELECT ?n ?code WHERE { law:iran-criminal-code-article-499 cpo:articleNumber ?n ;
                                cpo:partOfCode/schema:name ?code }""")
    assert article == [("499", "Criminal Code of the Islamic Republic of Iran")]


def test_both_versions_of_salar_tahir_afshar_sentence_with_their_passages(graph):
    rows = ask(graph, """
        SELECT ?version ?duration ?quote WHERE {
          conflict:salar-tahir-afshar-sentence a cpo:SourceConflict ; cpo:conflictingVersion ?version .
          ?version a cpo:Conviction ; cpo:defendant person:salar-tahir-afshar ;
                   cpo:imposes/cpo:component/cpo:duration ?duration ;
                   prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote .
        }""")
    assert {(local(v), d, q) for v, d, q in rows} == {
        ("2021-salar-tahir-afshar-conviction", "P3Y",
         "Salar Tahir Afshar was sentenced to 3 years in prison in 2021."),
        ("undated-urmia-salar-tahir-afshar-conviction", "P4Y",
         "He was convicted and sentenced to 4 years in prison on the charges of \"propaganda against "
         "the system\" and \"organizing an illegal protest.\""),
    }
    # the second version goes on: reduced to 1 year by the West Azerbaijan Court of Appeals
    appeal = ask(graph, """
        SELECT ?court ?duration ?replaced WHERE {
          ?a a cpo:AppealRuling ; cpo:amends event:undated-urmia-salar-tahir-afshar-conviction ;
             cpo:court/schema:name ?court ; cpo:imposes ?s .
          ?s cpo:component/cpo:duration ?duration ; cpo:replacesSentence/cpo:component/cpo:duration ?replaced .
        }""")
    assert appeal == [("West Azerbaijan Court of Appeals", "P1Y", "P4Y")]
    note = ask(graph, "SELECT ?n WHERE { conflict:salar-tahir-afshar-sentence cpo:curatorNote ?n }")
    assert len(note) == 1 and "neither is chosen" in note[0][0]


def test_charges_as_worded(graph):
    rows = ask(graph, """
        SELECT ?name ?wording WHERE { ?c a cpo:Charge ; cpo:defendant/schema:name ?name ; cpo:chargeWording ?wording ;
            prov:wasDerivedFrom ?p . FILTER(STRSTARTS(STR(?p), STR(passage:urmia-)) || STRSTARTS(STR(?p), STR(passage:other-))
                                            || STRSTARTS(STR(?p), STR(passage:after-war-))) }""")
    assert set(rows) == {
        ("Salar Tahir Afshar", "propaganda against the system"), ("Salar Tahir Afshar", "organizing an illegal protest"),
        ("Mohammad Eyni", "conducting propaganda against the system"), ("Mohammad Eyni", "acting against national security"),
        ("Said Sultani", "membership to illegal groups to undermine the country's security"),
        ("Babek Kiyumars", "membership to illegal groups to undermine the country's security"),
        ("Ogtay Lisani", "disturbing public opinion"),
    }
    by = ask(graph, "SELECT ?by WHERE { charge:2020-11-ogtay-lisani cpo:chargedBy/schema:name ?by }")
    assert by == [("Ardabil Public Catering Facilities Control Department",)]
