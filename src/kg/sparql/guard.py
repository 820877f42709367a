"""Safe in public: refuse what would make the server fetch a URL, read a file, or crash a parser.

These checks run inside the query worker (see kg.sparql.prepare), under the deadline:
tokenizing a hostile 1 MiB query costs seconds of Python, which must never hold the
server's GIL.

Decided on tokens, never on raw text matching: strings, IRIs and comments are skipped,
and every check runs on two readings of the text, as written and with \\u/\\U escapes
decoded, so `\\u0053ERVICE` is caught whichever way a parser treats escapes.
(pyoxigraph decodes them only inside strings and IRIs, which the grammar does not
forbid a later version to change.) The nesting check runs before any parser sees the text:
pyoxigraph's parser crashes with SIGSEGV at about 5000 nested groups.

FROM / FROM NAMED in the query must name graphs of the dataset (400 otherwise). The
protocol's default-graph-uri / named-graph-uri parameters naming an unknown graph are
answered as over an empty graph instead: the W3C protocol tests require a 2xx for
`default-graph-uri=.../data0.rdf`, a graph no dataset has. pyoxigraph never dereferences
either; only SERVICE and LOAD fetch. LOAD is always refused; SERVICE too, except to an
endpoint written as a full IRI exactly as on the operator's federation allow-list
(`services`; empty by default), which kg.sparql.federation then calls itself.
"""

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from kg.engine.errors import Rejected
from kg.sparql.lexer import Token, decode_codepoint_escapes, tokenize

MAX_NESTING_DEPTH = 256
QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


class Refused(Rejected):
    """The text asks for something this endpoint never does (answered with 400)."""

    status = 400


@dataclass(frozen=True)
class QueryShape:
    form: str | None            # SELECT, CONSTRUCT, DESCRIBE, ASK (None if unrecognized)
    has_dataset_clause: bool    # FROM / FROM NAMED present
    has_service: bool = False   # SERVICE to an allow-listed endpoint present


@dataclass(frozen=True)
class UpdateShape:
    has_using_or_with: bool


def readings(text: str) -> list[list[Token]]:
    decoded = decode_codepoint_escapes(text)
    return [tokenize(text)] + ([tokenize(decoded)] if decoded != text else [])


def inspect_query(text: str, dataset_graphs=frozenset(), base_iri: str | None = None,
                  prefixes: dict[str, str] | None = None, services=frozenset()) -> QueryShape:
    """Refuse unsafe queries (raise Refused); otherwise tell the query's form.

    `services`: the federation allow-list, endpoint IRIs that SERVICE may name."""
    token_readings = readings(text)
    for tokens in token_readings:
        refuse_unsafe_tokens(tokens, services)
        refuse_foreign_datasets(tokens, dataset_graphs, base_iri, prefixes or {})
    tokens = token_readings[0]
    form = next((t.text.upper() for t in tokens if t.is_keyword(*QUERY_FORMS)), None)
    has_dataset = any(t.is_keyword("FROM") for t in tokens)
    has_service = any(t.is_keyword("SERVICE") for reading in token_readings for t in reading)
    return QueryShape(form, has_dataset, has_service)


def inspect_update(text: str) -> UpdateShape:
    token_readings = readings(text)
    for tokens in token_readings:
        refuse_unsafe_tokens(tokens)
    tokens = token_readings[0]
    return UpdateShape(any(t.depth == 0 and t.is_keyword("USING", "WITH") for t in tokens))


def refuse_unsafe_tokens(tokens: list[Token], services=frozenset()) -> None:
    deepest = max((t.depth for t in tokens), default=0)
    if deepest > MAX_NESTING_DEPTH:
        raise Refused(f"the query nests {deepest} levels deep; this endpoint allows "
                      f"{MAX_NESTING_DEPTH}")
    negations = longest_negation_run(tokens)
    if negations > MAX_NESTING_DEPTH:  # `!!!!...` nests without brackets; the parser recurses
        raise Refused(f"the query nests {negations} negations (!) deep; this endpoint allows "
                      f"{MAX_NESTING_DEPTH}")
    for index, token in enumerate(tokens):
        if token.is_keyword("SERVICE") and not allowed_service(tokens, index, services):
            if not services:
                raise Refused("SERVICE (federated query) is not allowed on this endpoint: "
                              "a query never makes the server fetch a URL")
            raise Refused("SERVICE is allowed only to an endpoint on this endpoint's federation "
                          f"allow-list, written as a full IRI: {', '.join(sorted(services))}")
        if token.is_keyword("LOAD"):
            raise Refused("LOAD is not allowed on this endpoint: "
                          "a request never makes the server fetch a URL or read a file")


def allowed_service(tokens: list[Token], index: int, services) -> bool:
    """SERVICE [SILENT] <iri> with the IRI exactly as listed (never a variable or a prefixed
    name, never resolved against a base)."""
    following = tokens[index + 1:index + 3]
    if following and following[0].is_keyword("SILENT"):
        following = following[1:]
    return bool(following) and following[0].kind == "iri" and following[0].iri in services


def longest_negation_run(tokens: list[Token]) -> int:
    longest = run = 0
    for token in tokens:
        run = run + 1 if token.kind == "punct" and token.text == "!" else 0
        longest = max(longest, run)
    return longest


def refuse_foreign_datasets(tokens: list[Token], dataset_graphs, base_iri, prefixes) -> None:
    """FROM / FROM NAMED may only name graphs of this dataset (nothing is ever fetched)."""
    namespaces, base = dict(prefixes), base_iri
    for index, token in enumerate(tokens):
        following = tokens[index + 1:index + 3]
        if token.is_keyword("PREFIX") and len(following) == 2 and following[1].kind == "iri":
            namespaces[following[0].text[:-1]] = resolve(following[1].iri, base)
        elif token.is_keyword("BASE") and following and following[0].kind == "iri":
            base = resolve(following[0].iri, base)
        elif token.is_keyword("FROM"):
            target = following[1] if following and following[0].is_keyword("NAMED") else \
                (following[0] if following else None)
            iri = graph_iri(target, namespaces, base)
            if iri not in dataset_graphs:
                raise Refused(f"FROM <{iri}> names no graph of this dataset; this endpoint "
                              "never fetches graphs (its graphs are listed at /-/graphs)")


def graph_iri(token: Token | None, namespaces: dict[str, str], base: str | None) -> str:
    if token is None:
        return ""
    if token.kind == "iri":
        return resolve(token.iri, base)
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        return namespaces.get(prefix, prefix + ":") + local
    return token.text


def resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base and ":" not in iri.split("/")[0] else iri


# --- the cheap first look --------------------------------------------------------------

# Whatever the checks above refuse, or a conformance rewrite (kg.sparql.conformance) changes,
# involves one of these words, wherever they occur (inside strings and IRIs too: a false
# alarm only costs the full check).
_NEEDS_TOKENS = re.compile(r"SERVICE|LOAD|FROM|GRAPH|GROUP_CONCAT|BNODE", re.IGNORECASE)
# Comments, strings and IRIs as kg.sparql.lexer reads them (with no backslash in the text,
# which `screen` requires, a left-to-right search finds the same spans as the lexer).
_NOT_CODE = re.compile(r"""
    \#[^\n\r]*
  | '''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)
  | \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)
  | '(?:[^'\\\n\r]|\\.)*'?
  | "(?:[^"\\\n\r]|\\.)*"?
  | <[^<>"{}|^`\\\x00-\x20]*>
""", re.VERBOSE)
_FORM = re.compile(r"(?<![\w:.\-?$])(SELECT|CONSTRUCT|DESCRIBE|ASK)(?![\w:.\-])", re.IGNORECASE)
_ALLOWED_STAR = re.compile(r"(?<![\w:.\-?$])SELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?\*"
                           r"|\(\s*(?:DISTINCT\s+)?\*\s*\)", re.IGNORECASE)
_PATH_QUESTION_MARK = re.compile(r"\?(?![\w\u00B7\u0300-\u036F\u203F-\u2040])")


def screen(text: str) -> str | None:
    """The query's form if `inspect_query` would pass it and no conformance rewrite would
    change it, found without tokenizing (regular expressions, C speed: the common query
    costs microseconds instead of a tokenization); None when the full check must run.

    It answers only for text with no backslash (no escapes to decode), none of the words
    above, fewer brackets and `!` than MAX_NESTING_DEPTH (so no nesting past it), one
    query form, and no `*` or `?` that could be a path modifier."""
    if "\\" in text or _NEEDS_TOKENS.search(text):
        return None
    brackets = text.count("(") + text.count("{") + text.count("[") + text.count("<<")
    if brackets > MAX_NESTING_DEPTH or text.count("!") > MAX_NESTING_DEPTH:
        return None
    code = _NOT_CODE.sub(" ", text)
    forms = {form.upper() for form in _FORM.findall(code)}
    if len(forms) != 1:
        return None
    if "*" in _ALLOWED_STAR.sub(" ", code) or _PATH_QUESTION_MARK.search(code):
        return None
    return forms.pop()
