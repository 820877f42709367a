"""Quoted passages: finding each quote in its source document, and which paragraphs are cited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from kg.namespaces import CPO, OA
from kg.paths import SOURCES_DIR


@dataclass(frozen=True)
class Quote:
    passage: str
    document: str
    local_file: str
    exact: str
    prefix: str = ""
    suffix: str = ""


def quotes_in(graph: Graph) -> list[Quote]:
    """Every TextQuoteSelector of every cpo:Passage, with the local copy of its document."""
    quotes = []
    for passage in graph.subjects(RDF.type, CPO.Passage):
        document = graph.value(passage, OA.hasSource)
        local_file = graph.value(document, CPO.localFile) if document is not None else None
        for selector in graph.objects(passage, OA.hasSelector):
            quotes.append(Quote(
                passage=str(passage), document=str(document), local_file=str(local_file or ""),
                exact=str(graph.value(selector, OA.exact) or ""),
                prefix=str(graph.value(selector, OA.prefix) or ""),
                suffix=str(graph.value(selector, OA.suffix) or ""),
            ))
    return sorted(quotes, key=lambda q: q.passage)


def read_source(local_file: str, sources_dir: Path = SOURCES_DIR) -> str:
    return (Path(sources_dir) / local_file).read_text(encoding="utf-8")


def locate(quote: Quote, text: str) -> list[int]:
    """Start offsets where the quote occurs in `text` with its prefix before and suffix after."""
    starts = []
    position = text.find(quote.exact)
    while quote.exact and position != -1:
        before = text[max(0, position - len(quote.prefix)):position]
        after = text[position + len(quote.exact):position + len(quote.exact) + len(quote.suffix)]
        if before == quote.prefix and after == quote.suffix:
            starts.append(position)
        position = text.find(quote.exact, position + 1)
    return starts


HEADING = re.compile(r"^=+ .* =+\s*$")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: a block of non-blank lines, headings left out."""
    spans, offset = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped and not HEADING.match(stripped):
            start, end = offset, offset + len(line.rstrip("\n"))
            if spans and spans[-1][1] + 1 == start:  # continues the previous block
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
        offset += len(line)
    return spans


@dataclass
class Coverage:
    local_file: str
    paragraphs: int
    cited: int
    uncited: list[str]

    @property
    def share(self) -> float:
        return self.cited / self.paragraphs if self.paragraphs else 0.0


def coverage(graph: Graph, sources_dir: Path = SOURCES_DIR) -> list[Coverage]:
    """For each source document: how many of its paragraphs at least one passage quotes."""
    by_file: dict[str, list[Quote]] = {}
    for quote in quotes_in(graph):
        by_file.setdefault(quote.local_file, []).append(quote)
    result = []
    for local_file, quotes in sorted(by_file.items()):
        text = read_source(local_file, sources_dir)
        quoted = [(s, s + len(q.exact)) for q in quotes for s in locate(q, text)]
        spans = paragraph_spans(text)
        cited = [span for span in spans if any(a < span[1] and b > span[0] for a, b in quoted)]
        uncited = [text[a:b][:80] for a, b in spans if (a, b) not in cited]
        result.append(Coverage(local_file, len(spans), len(cited), uncited))
    return result
