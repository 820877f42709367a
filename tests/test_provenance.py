"""Trust: every quoted passage occurs verbatim, and unambiguously, in the document it cites, and
each document's archived copy is still the text the quotes were checked against (its SHA-256)."""

import shutil

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from kg.namespaces import CPD, CPO
from kg.paths import SOURCES_DIR
from kg.pipeline.build import load_graphs
from kg.pipeline.passages import (SourceCopyError, locate, paragraph_spans, quotes_in, read_source,
                                  source_copy_problems, verify_source_copies)

GRAPHS = load_graphs()
QUOTES = quotes_in(GRAPHS.data)


def test_there_are_quotes():
    assert len(QUOTES) >= 5


@pytest.mark.parametrize("quote", QUOTES, ids=lambda q: q.passage.rsplit("/", 1)[-1])
def test_quote_occurs_exactly_once_in_its_source(quote):
    text = read_source(quote.local_file)
    places = locate(quote, text)
    assert places, f"not found in {quote.local_file}: {quote.exact[:120]!r}"
    assert len(places) == 1, (f"occurs {len(places)} times: add oa:prefix / oa:suffix so the "
                              f"selector picks one: {quote.exact[:80]!r}")


def test_each_archived_copy_matches_its_recorded_sha256():
    documents = set(GRAPHS.data.subjects(RDF.type, CPO.SourceDocument))
    assert len(documents) == 2
    assert source_copy_problems(GRAPHS.data) == []
    verify_source_copies(GRAPHS.data)


@pytest.fixture
def copies(tmp_path):
    """The archived copies, copied into a folder of their own that a test may damage."""
    folder = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, folder)
    return folder


def test_a_tampered_copy_is_refused_naming_the_document_and_its_file(copies):
    article = copies / "000_b4e487a1465595b6.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("74-year-old", "47-year-old"),
                       encoding="utf-8")
    problems = source_copy_problems(GRAPHS.data, copies)
    assert len(problems) == 1
    assert problems[0].startswith(f"source:actions-2020: {article} has SHA-256 ")
    assert "6ff542689b96b6c571af045d8954a3fe7c85224b9a49b0208b55d52dc72e99d8 is recorded" in problems[0]
    with pytest.raises(SourceCopyError) as refused:
        verify_source_copies(GRAPHS.data, copies)
    assert refused.value.problems == problems and "000_b4e487a1465595b6.txt" in str(refused.value)


def test_a_missing_copy_is_refused(copies):
    (copies / "002_50bffcdde9d50b9f.txt").unlink()
    assert source_copy_problems(GRAPHS.data, copies) == [
        f"source:azfront-2023: its archived copy {copies / '002_50bffcdde9d50b9f.txt'} is missing"]


@pytest.mark.parametrize("local_file", ["../pyproject.toml", "/etc/passwd", "sub/000_b4e487a1465595b6.txt", ".."])
def test_a_copy_named_outside_the_sources_folder_is_refused(local_file):
    graph = Graph()
    document = CPD["source/elsewhere"]
    graph.add((document, RDF.type, CPO.SourceDocument))
    graph.add((document, CPO.localFile, Literal(local_file)))
    assert source_copy_problems(graph) == [
        f"source:elsewhere: cpo:localFile {local_file!r} is not a file name in {SOURCES_DIR}"]
    with pytest.raises(ValueError):
        read_source(local_file)


def test_a_document_without_a_recorded_sha256_is_refused():
    graph = Graph()
    document = CPD["source/unchecked"]
    graph.add((document, RDF.type, CPO.SourceDocument))
    graph.add((document, CPO.localFile, Literal("000_b4e487a1465595b6.txt")))
    assert source_copy_problems(graph) == [
        "source:unchecked: no SHA-256 recorded for 000_b4e487a1465595b6.txt (spdx:checksum)"]


def test_paragraphs_are_blocks_without_headings():
    text = "= Title =\n\nFirst paragraph.\n\n== Section ==\nSecond, line one.\nline two.\n"
    spans = paragraph_spans(text)
    assert [text[a:b] for a, b in spans] == ["First paragraph.", "Second, line one.\nline two."]
