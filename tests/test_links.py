"""Links from the shared reference table (data/links/external-ids.ttl) and the linksets' VoID."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from kg.pipeline.build import load_graphs
from kg.linking.entities import our_entities
from kg.linking.linksets import linkset_descriptions
from kg.linking.reference import REFERENCE_CSV, read_reference
from kg.linking.reference_links import decide_all
from kg.linking.reference_output import reference_graph
from kg.linking.vocabulary import SOURCE_AGREEMENT, canonical_geonames, canonical_wikidata, linkset_iri
from kg.namespaces import CPD, VOID
from kg.paths import DATA_DIR, PROJECT_ROOT

LINKS_FILE = DATA_DIR / "links" / "external-ids.ttl"
CANONICAL = re.compile(r"^(http://www\.wikidata\.org/entity/Q[1-9][0-9]*|http://sws\.geonames\.org/[1-9][0-9]*/)$")
WD, GN = "http://www.wikidata.org/entity/", "http://sws.geonames.org/"


@pytest.fixture(scope="module")
def data() -> Graph:
    return load_graphs().data


@pytest.fixture(scope="module")
def decisions(data):
    return decide_all(read_reference(), our_entities(data))


def links(graph: Graph) -> set[tuple[str, str]]:
    return {(str(s), str(o)) for s, o in graph.subject_objects(SKOS.exactMatch)}


def test_the_committed_links_are_what_the_script_generates(decisions):
    committed = Graph().parse(LINKS_FILE)
    generated = reference_graph(decisions, REFERENCE_CSV.name)
    assert links(committed) == links(generated), "run scripts/links_from_reference.py and commit"
    assert len(committed) == len(generated)


def test_every_fitting_id_of_the_table_is_linked_in_canonical_form(data, decisions):
    in_data = links(data)
    for decision in decisions:
        for iri in decision.links.values():
            assert CANONICAL.match(iri)
            assert (str(decision.entity.iri), iri) in in_data
    assert all(CANONICAL.match(o) for s, o in in_data if str(s).startswith(str(CPD)))


@pytest.mark.parametrize("entity, iri", [
    ("place/zanjan", WD + "Q146699"), ("place/zanjan", GN + "111453/"),            # the city...
    ("place/zanjan-province", WD + "Q146726"), ("place/zanjan-province", GN + "111452/"),
    ("place/tehran", GN + "112931/"), ("place/urmia", GN + "121801/"),
    ("place/julfa", GN + "130081/"),                                                # Jolfa, Iran
    ("place/sulduz", GN + "122698/"), ("place/khiyav", GN + "124210/"),             # other names
    ("place/maragha", WD + "Q605021"),                                              # a variant
    ("place/sarab", GN + "117368/"),                                                # corroborated
    ("place/maku", WD + "Q720318"), ("place/iran", GN + "130758/"),
    ("person/nikol-pashinyan", WD + "Q7035479"),
    ("organisation/amnesty-international", WD + "Q42970"),
])
def test_expected_links(data, entity, iri):
    assert (CPD[entity], SKOS.exactMatch, URIRef(iri)) in data


@pytest.mark.parametrize("entity, iri, why", [
    ("place/zanjan", WD + "Q146726", "the province's id on the city"),
    ("place/julfa", GN + "148251/", "Culfa in Nakhchivan, not Jolfa in Iran"),
    ("place/maku", GN + "125205/", "the row says: check before use"),
    ("place/khoda-afarin", GN + "127433/", "a populated place, our node is the region"),
    ("organisation/iranian-government", WD + "Q794", "the country's id on the government"),
])
def test_no_link_where_the_table_says_no(data, entity, iri, why):
    assert (CPD[entity], SKOS.exactMatch, URIRef(iri)) not in data, why


def test_each_skip_is_explained(decisions):
    skips = {(d.row.label, target): why for d in decisions for target, why in d.skips.items()}
    assert "check before use" in skips[("Maku", "geonames")]
    assert "Region" in skips[("Khoda Afarin", "row")]
    assert "not in Azerbaijan" in skips[("Culfa / Julfa (Azerbaijan, Nakhchivan)", "row")]
    assert "no entity of ours" in skips[("Baku", "row")]


def test_each_link_has_one_record_with_its_agreement(data):
    for subject, obj in data.subject_objects(SKOS.exactMatch):
        records = [r for r in data.subjects(RDF.object, obj)
                   if (r, RDF.subject, subject) in data and (r, RDF.type, RDF.Statement) in data]
        assert records, f"no record for {subject} -> {obj}"
        reference = [r for r in records if (r, SOURCE_AGREEMENT, None) in data]
        for record in reference:
            assert int(data.value(record, SOURCE_AGREEMENT)) >= 1


def test_canonical_forms():
    assert str(canonical_wikidata("https://www.wikidata.org/wiki/Q80053")) == WD + "Q80053"
    assert str(canonical_geonames("https://www.geonames.org/113646/tabriz.html")) == GN + "113646/"
    assert str(canonical_geonames("113646")) == GN + "113646/"
    with pytest.raises(ValueError):
        canonical_wikidata("P31")


def test_linkset_descriptions_one_per_target(data):
    void = linkset_descriptions(data)
    linksets = set(void.subjects(RDF.type, VOID.Linkset))
    assert linksets == {linkset_iri("wikidata"), linkset_iri("geonames")}
    counts = {"wikidata": 0, "geonames": 0}
    for s, o in links(data):
        counts["wikidata" if o.startswith(WD) else "geonames"] += 1
    for target, count in counts.items():
        linkset = linkset_iri(target)
        assert int(void.value(linkset, VOID.triples)) == count > 0
        assert void.value(linkset, VOID.linkPredicate) == SKOS.exactMatch
        assert void.value(linkset, VOID.subjectsTarget) is not None
        assert void.value(linkset, VOID.objectsTarget) is not None
        assert len(set(void.objects(linkset, VOID.target))) == 2


def test_the_script_runs_and_explains(tmp_path):
    output = tmp_path / "links.ttl"
    result = subprocess.run([sys.executable, str(PROJECT_ROOT / "scripts" / "links_from_reference.py"),
                             "--output", str(output)], capture_output=True, text=True, check=True)
    assert "'Maku' geonames: <http://sws.geonames.org/125205/> not used" in result.stdout
    assert links(Graph().parse(output)) == links(Graph().parse(LINKS_FILE))
