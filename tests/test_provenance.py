"""Trust: every quoted passage occurs verbatim, and unambiguously, in the document it cites."""

import hashlib

import pytest

from kg.pipeline.build import load_graphs
from kg.namespaces import CPO, SPDX
from kg.pipeline.passages import locate, paragraph_spans, quotes_in, read_source
from kg.paths import SOURCES_DIR
from rdflib.namespace import RDF

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


def test_source_documents_match_their_checksums():
    documents = list(GRAPHS.data.subjects(RDF.type, CPO.SourceDocument))
    assert documents
    for document in documents:
        local = GRAPHS.data.value(document, CPO.localFile)
        digest = hashlib.sha256((SOURCES_DIR / str(local)).read_bytes()).hexdigest()
        recorded = GRAPHS.data.value(GRAPHS.data.value(document, SPDX.checksum), SPDX.checksumValue)
        assert digest == str(recorded).lower(), local


def test_paragraphs_are_blocks_without_headings():
    text = "= Title =\n\nFirst paragraph.\n\n== Section ==\nSecond, line one.\nline two.\n"
    spans = paragraph_spans(text)
    assert [text[a:b] for a, b in spans] == ["First paragraph.", "Second, line one.\nline two."]
