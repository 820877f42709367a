"""Reading an uploaded RDF document safely (the Graph Store Protocol's /store).

Runs in the write's killable fork (kg.sparql.graph_store), under the deadline and memory
limit, and in this order:

1. cheap linear checks before any parser: size (413), a known media type (415), UTF-8
   (400), nesting depth (400; pyoxigraph's parsers recurse), and for RDF/XML no DOCTYPE or
   ENTITY declaration at all (400: no external entities, no entity expansion);
2. JSON-LD naming a context by IRI (`"@context": "http://..."`, `@import`) is refused
   (400): nothing is ever fetched or read on behalf of a request (pyoxigraph has no
   document loader set either);
3. pyoxigraph's parser, with fresh blank nodes, so an upload never joins blank nodes
   already in the store.

Error messages name the problem and its line/column, never a path or a traceback.
"""

from __future__ import annotations

import json
import re

import pyoxigraph as ox

from kg.engine.errors import Rejected
from kg.formats import RDF_SYNTAXES, RdfSyntax, rdf_syntax_of_media_type
from kg.sparql.nesting import NOT_STRUCTURE, bracket_depth

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_UPLOAD_DEPTH = 256


class UploadRefused(Rejected):
    """An upload refused before or while parsing; `status` says why (400, 413, 415)."""


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_XML_NOT_ELEMENTS = re.compile(r"<!--.*?(?:-->|$)|<\?.*?(?:\?>|$)|<!\[CDATA\[.*?(?:\]\]>|$)"
                               r"|\"[^\"]*\"|'[^']*'", re.DOTALL)
_XML_DECLARATION = re.compile(r"<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)
_BRACKETS = re.compile(r"[(){}\[\]]")
# a context named by IRI ("@context": "..." or a list holding one), or @import
_JSONLD_REMOTE = re.compile(r'"@import"|"@context"\s*:\s*(?:"|\[[^\]{]*")')
REMOTE_CONTEXT_REFUSED = ("JSON-LD contexts are not loaded from IRIs here (@context or @import "
                          "naming a document); inline the context instead")


def syntax_of(media_type: str) -> RdfSyntax:
    syntax = rdf_syntax_of_media_type(media_type)
    if syntax is None:
        known = ", ".join(sorted(m for s in RDF_SYNTAXES for m in s.media_types))
        raise UploadRefused(f"unsupported media type {media_type!r} for RDF; use one of {known}",
                            status=415)
    return syntax


def nesting_depth(text: str, syntax: RdfSyntax) -> int:
    """A lower bound of the document's nesting depth (linear, C speed)."""
    if syntax.ox == ox.RdfFormat.JSON_LD:
        return bracket_depth(text, skip=_JSON_STRING)[0]
    if syntax.ox == ox.RdfFormat.RDF_XML:
        # text content may hold brackets: blank them, then elements become brackets
        elements = _BRACKETS.sub(" ", _XML_NOT_ELEMENTS.sub(" ", text))
        elements = re.sub(r"<[^<>]*/>", " ", elements)
        elements = re.sub(r"</[^<>]*>", ")", elements)
        elements = re.sub(r"<[^<>]*>", "(", elements)
        return bracket_depth(elements, skip=None)[0]
    if syntax.ox in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        return bracket_depth(text.replace("<<", "(").replace(">>", ")"))[0]
    return bracket_depth(text, skip=NOT_STRUCTURE)[0]


def check_upload(data: bytes, media_type: str, max_bytes: int = MAX_UPLOAD_BYTES,
                 max_depth: int = MAX_UPLOAD_DEPTH) -> RdfSyntax:
    """The checks that run before any parser; return the syntax to parse with."""
    if len(data) > max_bytes:
        raise UploadRefused(f"the upload is larger than this endpoint's {max_bytes} bytes",
                            status=413)
    syntax = syntax_of(media_type)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UploadRefused(f"the upload is not valid UTF-8 (byte {error.start})") from None
    if syntax.ox == ox.RdfFormat.RDF_XML and _XML_DECLARATION.search(text):
        raise UploadRefused("RDF/XML with a DOCTYPE or ENTITY declaration is refused: "
                            "this endpoint expands no entities and reads no external ones")
    if syntax.ox == ox.RdfFormat.JSON_LD and _JSONLD_REMOTE.search(text):
        raise UploadRefused(REMOTE_CONTEXT_REFUSED)
    depth = nesting_depth(text, syntax)
    if depth > max_depth:
        raise UploadRefused(f"the upload nests more than {max_depth} levels deep "
                            f"(at least {depth}); this endpoint allows {max_depth}")
    return syntax


def parse_upload(data: bytes, media_type: str, base_iri: str | None = None,
                 max_bytes: int = MAX_UPLOAD_BYTES, max_depth: int = MAX_UPLOAD_DEPTH) -> list:
    """The triples (or quads, for a dataset syntax) of an uploaded document, after the
    checks; blank nodes fresh."""
    syntax = check_upload(data, media_type, max_bytes, max_depth)
    if syntax.ox == ox.RdfFormat.JSON_LD:
        refuse_remote_contexts(_json(data))
    try:
        return list(ox.parse(data, format=syntax.ox, base_iri=base_iri, rename_blank_nodes=True))
    except SyntaxError as error:
        raise UploadRefused(f"the {syntax.title} document is not valid: {_quiet(str(error))}") \
            from None
    except (ValueError, OSError) as error:
        raise UploadRefused(f"the {syntax.title} document could not be read: "
                            f"{_quiet(str(error))}") from None


def _json(data: bytes):
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        raise UploadRefused(f"the JSON-LD document is not valid JSON: {_quiet(str(error))}") \
            from None


def refuse_remote_contexts(document) -> None:
    """Refuse JSON-LD that refers to a context by IRI (`"@context": "http://..."`, `@import`):
    nothing is ever loaded on behalf of a request (iterative walk: no recursion limit)."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@import" or (key == "@context" and _names_a_document(value)):
                    raise UploadRefused(REMOTE_CONTEXT_REFUSED)
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _names_a_document(context) -> bool:
    return isinstance(context, str) or (
        isinstance(context, list) and any(isinstance(c, str) for c in context))


_PATHLIKE = re.compile(r"(?:file:/+|/)(?:[\w.\-]+/)+[\w.\-]*")


def _quiet(message: str) -> str:
    """One line of a parser message, without anything that looks like a file path."""
    line = message.strip().splitlines()[0] if message.strip() else "syntax error"
    return _PATHLIKE.sub("<path>", line)[:300]
