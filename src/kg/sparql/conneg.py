"""Content negotiation: an Accept parser (q-values, wildcards, q=0) and the format tables.

The `format` (or `output`) request parameter, short names or full media types, overrides
Accept, as long as it names something the result comes in.
"""

from dataclasses import dataclass

from kg.engine.errors import Rejected
from kg.formats import (BOOLEAN_FORMAT_NAMES, BOOLEAN_MEDIA_TYPES, RDF_FORMAT_NAMES,
                        RDF_MEDIA_TYPES, RESULT_FORMAT_NAMES, RESULT_MEDIA_TYPES)

# Accept headers are read up to this many media ranges (bounds the work per request).
MAX_MEDIA_RANGES = 64


class NotAcceptable(Rejected):
    """Nothing the client accepts can be produced (answered with 406)."""

    status = 406


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    position: int

    def matches(self, media_type: str) -> int:
        """How specifically this range matches `media_type`: 2 exact, 1 type/*, 0 */*, -1 no."""
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != main:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed parts are skipped."""
    ranges = []
    for position, part in enumerate(header.split(",", MAX_MEDIA_RANGES)[:MAX_MEDIA_RANGES]):
        media, *params = [p.strip() for p in part.split(";")]
        main, slash, sub = media.lower().partition("/")
        if not slash or not main or not sub or (main == "*" and sub != "*"):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(main, sub, q, position))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> tuple[float, int, int]:
    """(q, specificity, -position) of the most specific range matching `media_type`."""
    best = (-1.0, -1, 0)
    for candidate in ranges:
        specificity = candidate.matches(media_type)
        if specificity > best[1]:
            best = (candidate.q, specificity, -candidate.position)
    return best


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers (q, then specificity, then its order, then ours)."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    scored = [(quality(ranges, offer), -index, offer) for index, offer in enumerate(offers)]
    (q, _, _), _, offer = max(scored)
    return offer if q > 0 else None


def choose(accept: str | None, format_param, media_types: dict[str, str],
           format_names: dict[str, str]) -> tuple[str, str]:
    """(media type, result format key) for a response, or raise NotAcceptable.

    `format_param`: None, one `format=` value, or several (kg.sparql.protocol.format_values).
    Values naming the same syntax agree; among values naming different ones, Accept decides
    (else 400);
    a value naming nothing this result comes in (`format=n3` for a graph, of which we write the
    Turtle subset) gives way to an Accept header that names something we write."""
    offers = list(media_types)
    if format_param:
        return chosen_by_format(accept, format_param, media_types, format_names)
    media_type = negotiate(accept, offers)
    if media_type is None:
        raise NotAcceptable(f"none of the accepted media types ({accept}) is available; "
                            f"this result comes as {offers}")
    return media_type, media_types[media_type]


def chosen_by_format(accept: str | None, format_param, media_types: dict[str, str],
                     format_names: dict[str, str]) -> tuple[str, str]:
    values = (format_param,) if isinstance(format_param, str) else tuple(format_param)
    named = []
    for value in values:
        wanted = value.strip().lower()
        media_type = format_names.get(wanted, wanted.split(";")[0].strip())
        if media_type in media_types and media_type not in named:
            named.append(media_type)
    if len({media_types[m] for m in named}) > 1:
        chosen = explicitly_accepted(accept, named)
        if chosen is None:
            raise Rejected(f"the format values {', '.join(repr(v) for v in values)} name different "
                           "syntaxes; give one (or an Accept header choosing among them)")
        named = [chosen]
    if named:
        return named[0], media_types[named[0]]
    accepted = explicitly_accepted(accept, list(media_types))
    if accepted:
        return accepted, media_types[accepted]
    shown = ", ".join(repr(v) for v in values)
    raise NotAcceptable(f"format={shown} is not available for this result; "
                        f"choose one of {sorted(set(format_names))} or {list(media_types)}")


def explicitly_accepted(accept: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers among those its Accept header names (not by */* alone)."""
    ranges = [r for r in parse_accept(accept or "") if r.type != "*"]
    if not ranges:
        return None
    chosen = negotiate(accept, offers)
    return chosen if chosen and quality(ranges, chosen)[0] > 0 else None


def for_query_form(form: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """The media type table and format names for a query form."""
    if form in ("CONSTRUCT", "DESCRIBE"):
        return RDF_MEDIA_TYPES, RDF_FORMAT_NAMES
    if form == "ASK":
        return BOOLEAN_MEDIA_TYPES, BOOLEAN_FORMAT_NAMES
    return RESULT_MEDIA_TYPES, RESULT_FORMAT_NAMES


def choose_rdf(accept: str | None, format_param: str | None = None) -> tuple[str, str]:
    """(media type, RDF syntax key) for an RDF document, or raise NotAcceptable."""
    return choose(accept, format_param, RDF_MEDIA_TYPES, RDF_FORMAT_NAMES)


def prefers_text(accept: str | None) -> bool:
    """True when the client's most preferred media range is a text/* one."""
    ranges = [r for r in parse_accept(accept or "") if r.q > 0]
    if not ranges:
        return False
    top = max(ranges, key=lambda r: (r.q, -r.position))
    return top.type == "text"


def prefers_html(accept: str | None) -> bool:
    """True when a browser asks: text/html explicitly, at the top preference."""
    ranges = [r for r in parse_accept(accept or "") if r.q > 0]
    if not ranges:
        return False
    top = max(ranges, key=lambda r: (r.q, -r.position))
    return (top.type, top.subtype) in (("text", "html"), ("application", "xhtml+xml"))
