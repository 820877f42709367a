"""Identity candidates (cpo:possiblySameAs) in reconciliation: two nodes the curators keep apart
come back together, and neither is an automatic match, which a tool would merge on."""

from kg.linking.entity_search import SearchEntity, search

PERSON = "https://w3id.org/civic-protest/id/person/"
RZAYI = SearchEntity(PERSON + "javad-rzayi", "Javad Rzayi", possibly_same_as=(PERSON + "javad-rizayi",))
RIZAYI = SearchEntity(PERSON + "javad-rizayi", "Javad Rizayi", possibly_same_as=(PERSON + "javad-rzayi",))
OTHER = SearchEntity(PERSON + "reza-khalili", "Reza Khalili")
STATEMENT_A = SearchEntity("https://w3id.org/civic-protest/id/event/a", "Amnesty International expresses concern",
                           possibly_same_as=("https://w3id.org/civic-protest/id/event/b",))
STATEMENT_B = SearchEntity("https://w3id.org/civic-protest/id/event/b", "Concern for 20 activists in Ardabil",
                           possibly_same_as=("https://w3id.org/civic-protest/id/event/a",))
ENTITIES = [RZAYI, RIZAYI, OTHER, STATEMENT_A, STATEMENT_B]


def test_an_exact_name_with_an_identity_candidate_is_never_a_match():
    found = search([RZAYI, OTHER], "Javad Rzayi")
    assert found[0].entity == RZAYI and found[0].score == 100.0
    assert not found[0].match


def test_the_candidate_comes_back_right_after_it_even_under_another_name():
    found = search(ENTITIES, "Amnesty International expresses concern", limit=1)
    assert [s.entity for s in found] == [STATEMENT_A, STATEMENT_B]
    assert not any(s.match for s in found)


def test_a_name_without_candidates_still_matches():
    found = search(ENTITIES, "Reza Khalili")
    assert found[0].entity == OTHER and found[0].match
