"""The layout of data/ that data/README.md states: one folder per source document with one file per
section, one registry file per kind of shared entity, linksets apart. A curator who puts a fact or
a definition in another file is told which file it belongs in."""

import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from kg.namespaces import CPD, CPO, SCHEMA
from kg.paths import DATA_DIR, turtle_files
from kg.pipeline.load import parse_file
from kg.pipeline.passages import locate, quotes_in, read_source

PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
LEAD = "00-lead.ttl"

# registry file -> the kinds of entity (first segment after /id/) it defines
REGISTRY = {"people.ttl": {"person"}, "places.ttl": {"place"}, "organisations.ttl": {"organisation", "group"},
            "law.ttl": {"law"}, "sources.ttl": {"source"}}
KIND_FILE = {kind: name for name, kinds in REGISTRY.items() for kind in kinds}
RETIRED = "retired.ttl"   # the registry of retired IRIs, of every kind (docs/releases.md)
DEFINING = {RDF.type, SCHEMA.name, SKOS.altLabel}

FILES = {path.relative_to(DATA_DIR).as_posix(): parse_file(path) for path in turtle_files(DATA_DIR)}
DATA = Graph()
for part in FILES.values():
    DATA += part


def kind(term) -> str | None:
    """person, place, organisation, ... for an IRI of our data; None for anything else."""
    if isinstance(term, URIRef) and str(term).startswith(str(CPD)):
        return str(term)[len(str(CPD)):].split("/", 1)[0]
    return None


def slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def section_files(text: str) -> list[tuple[int, str]]:
    """(offset where it starts, file name) of each section of a document: 00-lead.ttl for the text
    before the first heading, then NN-<heading>.ttl for each "==" or "===" heading in order."""
    sections, offset = [(0, LEAD)], 0
    for line in text.splitlines(keepends=True):
        heading = re.match(r"^==+ (.*?) ==+\s*$", line)
        if heading:
            sections.append((offset, f"{len(sections):02d}-{slug(heading.group(1))}.ttl"))
        offset += len(line)
    return sections


def expected_files() -> dict[str, str]:
    """Passage IRI -> the data file it belongs in: the section of the document its quote is in."""
    where = {}
    for quote in quotes_in(DATA):
        document = quote.document.rsplit("/", 1)[-1]
        text = read_source(quote.local_file)
        starts = locate(quote, text)
        assert starts, f"{quote.passage}: quote not found in {quote.local_file}"
        name = [f for offset, f in section_files(text) if offset <= starts[0]][-1]
        where[quote.passage] = f"documents/{document}/{name}"
    return where


PASSAGE_FILES = expected_files()


def test_data_holds_a_readme_the_documents_the_registry_and_the_links():
    top = sorted(p.name for p in DATA_DIR.iterdir())
    assert top == ["README.md", "documents", "links", "registry"]
    assert sorted(p.name for p in (DATA_DIR / "registry").iterdir()) == sorted([*REGISTRY, RETIRED])


def test_each_source_document_has_its_folder_and_nothing_else_does():
    documents = {str(d).rsplit("/", 1)[-1] for d in DATA.subjects(RDF.type, CPO.SourceDocument)}
    assert documents == {p.name for p in (DATA_DIR / "documents").iterdir()}


def test_section_files_are_named_after_the_headings_of_their_document():
    text = "= Title =\n\nLead.\n\n== History ==\nText.\n\n=== Other regions and activities ===\nMore.\n"
    assert [name for _, name in section_files(text)] == [
        "00-lead.ttl", "01-history.ttl", "02-other-regions-and-activities.ttl"]
    for document in (DATA_DIR / "documents").iterdir():
        local = DATA.value(CPD["source/" + document.name], CPO.localFile)
        names = {name for _, name in section_files(read_source(str(local)))}
        stray = sorted(p.name for p in document.iterdir() if p.name not in names)
        assert not stray, f"{document.name}: no section of the document is called {stray}"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_a_registry_file_defines_one_kind_of_entity(name):
    graph = FILES[f"registry/{name}"]
    wrong = sorted({str(s) for s in graph.subjects() if kind(s) is not None and kind(s) not in REGISTRY[name]})
    assert not wrong, f"registry/{name} defines entities of another kind: {wrong}"


def test_every_shared_entity_is_defined_in_its_registry_and_only_there():
    retired = set(DATA.subjects(CPO.retirementReason, None))
    mentioned = {t for triple in DATA for t in triple if kind(t) in KIND_FILE} - retired
    undefined = sorted(str(e) for e in mentioned
                       if (e, RDF.type, None) not in FILES[f"registry/{KIND_FILE[kind(e)]}"])
    assert not undefined, f"used but not defined in data/registry/: {undefined}"
    elsewhere = sorted(f"{path}: {s} {p}" for path, graph in FILES.items() if not path.startswith("registry/")
                       for s, p, _ in graph if kind(s) in KIND_FILE and p in DEFINING)
    assert not elsewhere, f"type, name and other spellings belong in data/registry/: {elsewhere}"


def test_each_passage_is_in_the_file_of_its_section():
    misplaced = sorted(f"{passage} is in {path}, belongs in {PASSAGE_FILES[str(passage)]}"
                       for path, graph in FILES.items() for passage in graph.subjects(RDF.type, CPO.Passage)
                       if PASSAGE_FILES[str(passage)] != path)
    assert not misplaced, misplaced


def first_section_after_the_lead(files: set[str]) -> str:
    body = [f for f in files if not f.endswith("/" + LEAD)]
    return min(body or files)


def test_each_fact_is_in_the_first_section_after_the_lead_that_tells_it():
    # A node's facts go with the passages they cite; a fact told in several sections (the lead
    # summarises the sections below it) is written once, in the first of them after the lead.
    misplaced = []
    for path, graph in FILES.items():
        if not path.startswith("documents/"):
            continue
        for node in set(graph.subjects(PROV_DERIVED, None)):
            cited = {PASSAGE_FILES[str(p)] for p in graph.objects(node, PROV_DERIVED)}
            expected = first_section_after_the_lead(cited)
            if expected != path:
                misplaced.append(f"{node} is in {path}, belongs in {expected}")
    assert not misplaced, sorted(misplaced)
