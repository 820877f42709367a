"""Reading a SPARQL 1.1 Protocol request: which operation, its text and its dataset.

`read_operation` takes a werkzeug/Flask request (method, query_string, headers,
content_length, get_data); it needs no application.

Rules (SPARQL 1.1 Protocol, sections 2.1 and 2.2): queries by GET `?query=`, by POST
form-encoded `query=` or by POST direct `application/sparql-query`; updates only by POST,
form-encoded `update=` or direct `application/sparql-update`. Exactly one operation per
request. Bodies and query strings must be UTF-8.
"""

from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox

from kg.engine.errors import Rejected
from kg.sparql.lexer import tokenize

FORM = "application/x-www-form-urlencoded"
DIRECT_QUERY = "application/sparql-query"
DIRECT_UPDATE = "application/sparql-update"
UTF8_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}
QUERY_DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
UPDATE_DATASET_PARAMS = ("using-graph-uri", "using-named-graph-uri")
# The names clients give the result-format parameter: `format` (Virtuoso, Fuseki, us) and
# `output` (Joseki, sparqler); SPARQLWrapper sends both, each possibly twice.
FORMAT_PARAMS = ("format", "output")
MAX_PARAMS = 1000  # parameters per request: bounds the parsing done in the server process
PROLOGUE_SCAN = 65536  # characters read for the first keyword (prologues are short)
QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
UPDATE_FORMS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


class ProtocolError(Rejected):
    """A request the SPARQL 1.1 Protocol does not allow (status: 400, 405, 413, 414, 415)."""

    def __init__(self, status: int, detail: str, headers: dict | None = None):
        super().__init__(detail, status=status, headers=headers)

    def __reduce__(self):
        return (ProtocolError, (self.status, str(self), self.headers))


@dataclass(frozen=True)
class Operation:
    kind: str | None                      # "query", "update", or None (no operation)
    text: str = ""
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()
    # One `format`/`output` value, or the distinct values given (kg.sparql.conneg.choose
    # reconciles them with Accept), or None.
    format: str | tuple[str, ...] | None = None


def read_operation(request, max_bytes: int) -> Operation:
    operation = read_parameters(request, max_bytes)
    refuse_misplaced(operation)
    return operation


def read_parameters(request, max_bytes: int) -> Operation:
    refuse_oversized(request, max_bytes)
    params = decode_params(request.query_string, "the query string")
    if request.method == "GET":
        if any(name == "update" for name, _ in params):
            raise ProtocolError(405, "updates must be sent by POST", {"Allow": "POST"})
        return operation_from(params, "query", None)
    media_type, charset = content_type_of(request)
    if media_type == FORM:
        body = decode_utf8(request.get_data(cache=True), charset)
        return operation_from(params + decode_params(body.encode(), "the form body"), None, None)
    if media_type in (DIRECT_QUERY, DIRECT_UPDATE):
        kind = "query" if media_type == DIRECT_QUERY else "update"
        if any(name in ("query", "update") for name, _ in params):
            raise ProtocolError(400, f"a direct {media_type} POST carries its operation in the body, "
                                "not also in the query string")
        return operation_from(params, kind, decode_utf8(request.get_data(cache=True), charset))
    if not media_type:
        raise ProtocolError(415, f"a POST needs a Content-Type: {FORM}, {DIRECT_QUERY} or {DIRECT_UPDATE}")
    raise ProtocolError(415, f"unsupported Content-Type {media_type!r}; use {FORM}, "
                        f"{DIRECT_QUERY} or {DIRECT_UPDATE}")


def refuse_oversized(request, max_bytes: int) -> None:
    if len(request.query_string) > max_bytes:
        raise ProtocolError(414, f"the query string is longer than this endpoint's {max_bytes} bytes")
    if request.content_length is not None and request.content_length > max_bytes:
        raise ProtocolError(413, f"the request body is larger than this endpoint's {max_bytes} bytes")


def content_type_of(request) -> tuple[str, str | None]:
    header = request.headers.get("Content-Type", "")
    media_type, *params = [p.strip() for p in header.split(";")]
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower(), charset


def decode_utf8(body: bytes, charset: str | None) -> str:
    if charset is not None and charset not in UTF8_CHARSETS:
        raise ProtocolError(400, f"the request body must be UTF-8 (charset={charset} was declared)")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(400, f"the request body is not valid UTF-8 (byte {error.start})") from None


def decode_params(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        text = raw.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                         max_num_fields=MAX_PARAMS)
    except UnicodeDecodeError:
        raise ProtocolError(400, f"{where} is not valid UTF-8 once percent-decoded") from None
    except ValueError:
        raise ProtocolError(400, f"{where} has more than {MAX_PARAMS} parameters") from None


def operation_from(params: list[tuple[str, str]], kind: str | None, text: str | None) -> Operation:
    values: dict[str, list[str]] = {}
    for name, value in params:
        values.setdefault(name, []).append(value)
    if text is None:
        kind, text = operation_in_params(values, kind)
    if kind is None:
        return Operation(None, format=format_values(values))
    dataset_params, other_params = ((QUERY_DATASET_PARAMS, UPDATE_DATASET_PARAMS) if kind == "query"
                                    else (UPDATE_DATASET_PARAMS, QUERY_DATASET_PARAMS))
    misplaced = [name for name in other_params if name in values]
    if misplaced:
        raise ProtocolError(400, f"{', '.join(misplaced)} does not apply to a {kind}")
    first, second = (graph_iris(values, name) for name in dataset_params)
    if kind == "query":
        given = first is not None or second is not None
        return Operation("query", text, first if given else None, second if given else None,
                         format=format_values(values))
    return Operation("update", text, using_graphs=first or (), using_named_graphs=second or (),
                     format=format_values(values))


def operation_in_params(values: dict[str, list[str]], kind: str | None):
    present = [name for name in ("query", "update") if name in values]
    if len(present) > 1:
        raise ProtocolError(400, "a request carries one operation: both query and update were given")
    if not present:
        return None, None
    name = present[0]
    if len(values[name]) > 1:
        raise ProtocolError(400, f"a request carries one operation: {name} was given "
                            f"{len(values[name])} times")
    return name, values[name][0]


def format_values(values: dict[str, list[str]]) -> str | tuple[str, ...] | None:
    """The distinct non-empty `format`/`output` values, in the order given: repeating one, or
    naming it twice (`format=tsv&output=text/tab-separated-values`), is no error."""
    given = []
    for name in FORMAT_PARAMS:
        for value in values.get(name, ()):
            value = value.strip()
            if value and value.lower() not in (v.lower() for v in given):
                given.append(value)
    if not given:
        return None
    return given[0] if len(given) == 1 else tuple(given)


def graph_iris(values: dict[str, list[str]], name: str) -> tuple[str, ...] | None:
    if name not in values:
        return None
    for iri in values[name]:
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            raise ProtocolError(400, f"{name}={iri!r} is not an absolute IRI ({error})") from None
    return tuple(values[name])


# --- what the text says it is -----------------------------------------------------------

def first_keyword(text: str) -> str | None:
    """The operation's first keyword after its prologue (PREFIX and BASE declarations)."""
    tokens = tokenize(text[:PROLOGUE_SCAN])
    index = 0
    while index < len(tokens):
        word = tokens[index].text.upper() if tokens[index].kind == "word" else None
        if word == "PREFIX":
            index += 3
        elif word == "BASE":
            index += 2
        else:
            return word
    return None


def refuse_misplaced(operation: Operation) -> None:
    """An update sent as `query=` (or a query as `update=`) is named as such, before any parser
    answers with what its grammar expected instead."""
    if operation.kind is None:
        return
    keyword = first_keyword(operation.text)
    if operation.kind == "query" and keyword in UPDATE_FORMS:
        raise ProtocolError(400, f"this is an update ({keyword}): send it as update= in a POST "
                                 "(or as application/sparql-update), not as query=")
    if operation.kind == "update" and keyword in QUERY_FORMS:
        raise ProtocolError(400, f"this is a query ({keyword}): send it as query= "
                                 "(or as application/sparql-query), not as update=")


def explain_syntax_error(text: str, message: str, known_prefixes) -> str:
    """The parser's message, or a plainer one: the unknown prefix named, and no grammar dump."""
    if "Prefix not found" in message:
        unknown = unknown_prefixes(text, known_prefixes)
        if unknown:
            names = ", ".join(f"{p}:" for p in unknown)
            ours = ", ".join(f"{p}:" for p in sorted(known_prefixes))
            return (f"unknown prefix {names} (declare it with PREFIX {unknown[0]}: <...>, or use "
                    f"one that is pre-set here: {ours})")
    if "expected one of" in message and len(message) > 200:
        return message[:message.index("expected one of")].rstrip(": ") + ": unexpected text here"
    return message


def unknown_prefixes(text: str, known_prefixes) -> list[str]:
    tokens = tokenize(text)
    declared = set(known_prefixes)
    for before, token in zip(tokens, tokens[1:]):
        if before.kind == "word" and before.text.upper() == "PREFIX" and token.kind == "pname":
            declared.add(token.text.split(":", 1)[0])
    used = []
    for token in tokens:
        prefix = token.text.split(":", 1)[0] if token.kind == "pname" else None
        if prefix is not None and prefix not in declared and prefix not in used:
            used.append(prefix)
    return used
