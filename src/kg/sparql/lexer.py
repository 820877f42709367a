"""A SPARQL tokenizer for the safety guard: linear, no recursion, no parser.

It skips strings, IRIs and comments, so a keyword inside them is never mistaken for one,
and `decode_codepoint_escapes` applies the grammar's \\u / \\U escape processing
(SPARQL 1.1 Query, 19.2) for readers that decode escapes before tokenizing.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)
              |\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)
              |'(?:[^'\\\n\r]|\\.)*'?
              |"(?:[^"\\\n\r]|\\.)*"?)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<bnode>_:[\w\u00B7\u0300-\u036F\u203F-\u2040.\-]*)
  | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w:.\-\u00B7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<word>[^\W\d][\w]*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|<<|>>|.)
""", re.VERBOSE | re.DOTALL)

# `<<` / `>>` (RDF-star triple terms) nest too: pyoxigraph's parser recurses on them.
OPENERS = ("(", "{", "[", "<<")
CLOSERS = (")", "}", "]", ">>")


@dataclass(frozen=True)
class Token:
    kind: str    # iri, var, bnode, pname, word, number, string, punct
    text: str
    start: int
    depth: int   # bracket depth before this token

    def is_keyword(self, *names: str) -> bool:
        return self.kind == "word" and self.text.upper() in names

    @property
    def iri(self) -> str:
        return self.text[1:-1]


def decode_codepoint_escapes(text: str) -> str:
    def decode(match):
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)
    return CODEPOINT_ESCAPE.sub(decode, text)


def tokenize(text: str) -> list[Token]:
    """Tokens of `text` (without whitespace and comments), each with its bracket depth.

    The guard, the conformance rewrites and the dataset clauses read the same text in the
    same worker, one after the other: the last few texts' tokens are kept (a fresh list each
    time; tokens are immutable), so a query is tokenized once, not three times."""
    return list(_tokenized(text))


@lru_cache(maxsize=2)
def _tokenized(text: str) -> tuple[Token, ...]:
    return tuple(_tokenize(text))


def _tokenize(text: str) -> list[Token]:
    tokens, depth, position = [], 0, 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        kind, value = match.lastgroup, match.group()
        position = match.end()
        if kind in ("ws", "comment"):
            continue
        if kind == "pname" and value.endswith("."):  # a local name never ends with '.'
            value = value.rstrip(".")
            position = match.start() + len(value)
        tokens.append(Token(kind, value, match.start(), depth))
        if kind == "punct" and value in OPENERS:
            depth += 1
        elif kind == "punct" and value in CLOSERS:
            depth = max(0, depth - 1)
    return tokens


def max_depth(text: str) -> int:
    """Deepest bracket nesting, counted without tokenizing (cheap, for a first check)."""
    depth = deepest = 0
    for char in text:
        if char in OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif char in CLOSERS:
            depth -= 1
    return deepest
