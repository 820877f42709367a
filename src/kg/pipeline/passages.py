"""Quoted passages: finding each quote in its source document, and which paragraphs are cited;
the archived copies of the source documents, and whether each is still the text its quotes were
checked against (its SHA-256)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.namespaces import CPD, CPO, OA, SPDX
from kg.pipeline.errors import BuildError
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


def archived_copy(local_file: str, sources_dir: Path = SOURCES_DIR) -> Path:
    """The path of a source document's archived copy. cpo:localFile is a plain file name in
    sources_dir: anything else (a folder, "..") is refused, so data can name no other file."""
    if not local_file or Path(local_file).name != local_file or local_file in (".", ".."):
        raise ValueError(f"cpo:localFile {local_file!r} is not a file name in {sources_dir}")
    return Path(sources_dir) / local_file


def read_source(local_file: str, sources_dir: Path = SOURCES_DIR) -> str:
    return archived_copy(local_file, sources_dir).read_text(encoding="utf-8")


class SourceCopyError(BuildError):
    """Source documents whose archived copies are missing or no longer match their SHA-256."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("archived copies of source documents that cannot be trusted:\n"
                         + "\n".join(f"  {problem}" for problem in problems))


def recorded_sha256(graph: Graph, document) -> str | None:
    """The SHA-256 recorded for a document's archived copy (spdx:checksum), in lowercase hex."""
    for checksum in graph.objects(document, SPDX.checksum):
        value = graph.value(checksum, SPDX.checksumValue)
        if (checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256) in graph and value is not None:
            return str(value).lower()
    return None


def source_copy_problems(graph: Graph, sources_dir: Path = SOURCES_DIR) -> list[str]:
    """For each cpo:SourceDocument of `graph` whose archived copy cannot be trusted, one line
    naming the document and the file: no copy named, a name outside sources_dir, no SHA-256
    recorded, a missing file, or a file whose SHA-256 differs from the recorded one. Empty when
    every copy is byte for byte the text that the quotes were checked against."""
    problems = []
    for document in sorted(graph.subjects(RDF.type, CPO.SourceDocument), key=str):
        name = _short(document)
        local_file = graph.value(document, CPO.localFile)
        if local_file is None:
            problems.append(f"{name}: names no archived copy (cpo:localFile)")
            continue
        try:
            path = archived_copy(str(local_file), sources_dir)
        except ValueError as error:
            problems.append(f"{name}: {error}")
            continue
        expected = recorded_sha256(graph, document)
        if expected is None:
            problems.append(f"{name}: no SHA-256 recorded for {local_file} (spdx:checksum)")
        elif not path.is_file():
            problems.append(f"{name}: its archived copy {path} is missing")
        else:
            with path.open("rb") as copy:
                actual = hashlib.file_digest(copy, "sha256").hexdigest()
            if actual != expected:
                problems.append(f"{name}: {path} has SHA-256 {actual}, but {expected} is recorded: "
                                f"the copy has changed since its quotes were checked")
    return problems


def verify_source_copies(graph: Graph, sources_dir: Path = SOURCES_DIR) -> None:
    """Raise SourceCopyError listing every source document of `graph` whose archived copy is
    missing or differs from its recorded SHA-256 (see source_copy_problems)."""
    problems = source_copy_problems(graph, sources_dir)
    if problems:
        raise SourceCopyError(problems)


def _short(document) -> str:
    """source:actions-2020 for an IRI of our data; the full IRI otherwise."""
    if isinstance(document, URIRef) and str(document).startswith(str(CPD)):
        return str(document)[len(str(CPD)):].replace("/", ":", 1)
    return str(document)


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
