"""Quotes in a document's archived text: where each occurs, which section holds it, and, for a
quote that is not there, the passage of the text that comes closest."""

from __future__ import annotations

import difflib
import re

from kg.pipeline.passages import Quote, locate

LEAD = "00-lead.ttl"
_HEADING = re.compile(r"^==+ (.*?) ==+\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def slug(text: str, words: int | None = None) -> str:
    """Lower case, hyphens between words: 'Other regions and activities' ->
    'other-regions-and-activities' (the first `words` words only, when given)."""
    parts = re.findall(r"[a-z0-9]+", _ascii(text).lower())
    return "-".join(parts[:words] if words else parts)


def _ascii(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.replace("ə", "a").replace("ı", "i"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def sections(text: str) -> list[tuple[int, str, str]]:
    """(offset where it starts, file name, heading) of each section of a document: 00-lead.ttl
    for the text before the first heading, then NN-<heading>.ttl for each '==' or '===' heading
    in order (data/README.md)."""
    found, offset = [(0, LEAD, "")], 0
    for line in text.splitlines(keepends=True):
        heading = _HEADING.match(line)
        if heading:
            found.append((offset, f"{len(found):02d}-{slug(heading.group(1))}.ttl", heading.group(1)))
        offset += len(line)
    return found


def section_at(text_sections: list, offset: int) -> tuple[str, str]:
    """(file name, heading) of the section holding the character at `offset`."""
    name, heading = LEAD, ""
    for start, file_name, title in text_sections:
        if start <= offset:
            name, heading = file_name, title
    return name, heading


def first_after_lead(files) -> str:
    """Where a fact told in several sections goes: the first section after the lead (which
    sums up the sections below it), or the lead if only the lead tells it."""
    files = sorted(set(files))
    body = [f for f in files if f != LEAD]
    return (body or files or [LEAD])[0]


def occurrences(text: str, exact: str, prefix: str = "", suffix: str = "") -> list[int]:
    return locate(Quote("", "", "", exact, prefix, suffix), text)


def closest_passage(text: str, quote: str, width: int = 160) -> str:
    """The stretch of `text` most like `quote` (sentences joined to about its length), for a
    message that tells the documenter what the document says instead."""
    pieces = [p for p in _SENTENCE_END.split(text) if p.strip() and not _HEADING.match(p)]
    if not pieces:
        return ""
    target = len(quote)
    best, best_score = "", -1.0
    for start in range(len(pieces)):
        window = pieces[start]
        for following in pieces[start + 1:start + 4]:
            if len(window) >= target:
                break
            window += " " + following
        score = difflib.SequenceMatcher(None, quote.lower(), window.lower(), autojunk=False).ratio()
        if score > best_score:
            best, best_score = window, score
    return best if len(best) <= width * 2 else best[: width * 2] + " …"
