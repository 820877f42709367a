"""Federated SERVICE under our control: only endpoints on an allow-list, our User-Agent, a timeout,
and a bind join, so a SERVICE asks the remote endpoint only about what our side has bound.

pyoxigraph would execute SERVICE with its own HTTP client (no allow-list, no User-Agent or
timeout of ours: `Store.query` offers no service handler). So the query is rewritten before
pyoxigraph sees it: each outermost `SERVICE [SILENT] <iri> { P }` whose IRI is on the
allow-list is evaluated here and replaced by its results as inline data (`VALUES (?a ?b) { ...
}`), which joins exactly as the SERVICE group would. `SERVICE ?var`, prefixed-name services and
IRIs off the list are refused before any connection. Blank nodes in remote results are left
unbound.

Bind join (as Jena, Comunica and FedX do it). Sent as written, `SERVICE <wikidata> { ?item
wdt:P1082 ?pop }` would ask for every population Wikidata has. So, SERVICEs taken left to right:
in the group holding the SERVICE, the elements before it are what the SERVICE is joined with
(SPARQL 1.1 Query, 18.2.2.5: a group is built left to right, `Join(X, SERVICE)`). `local_part`
isolates them as `SELECT DISTINCT ?shared WHERE { X }` (plus the group's FILTERs that read
only variables X certainly binds, so they give the same answer on X's solutions as on the whole
group's), evaluated on our store by the caller's `local` function (same dataset). `?shared`:
the variables of P that X certainly binds (in a triple pattern at the group's own level), so
every row is fully bound; rows binding a blank node are dropped (no remote term equals it).
P is then sent as `SELECT * WHERE { VALUES (?shared) { rows } P }` (P in its own group `{ P }`
unless that is provably the same), `chunk_size` rows per request, and the union of the answers
is inlined. This is exact: each X solution is compatible with exactly one VALUES row, the one
equal to its own bindings, so it meets exactly the remote solutions it would have met.

Where no such variable exists, or the group cannot be isolated safely (inside GRAPH or EXISTS,
a sub-select in P), P is sent unbound as before, but with `LIMIT max_rows + 1`: more than
`max_rows` answers is an error (ServiceTooLarge) instead of a silent fetch of everything.
Bounds: at most `max_bindings` local rows (`max_bindings / chunk_size` requests), at most
`max_rows` remote rows in all, `timeout` seconds in all for one SERVICE (each request gets what
is left), and the worker's deadline and memory limit around everything. SILENT: any failure of
the SERVICE (including a cap) gives the single empty solution, as SPARQL 1.1 Federated Query
says. The local query passes the caller's checks (kg.sparql.prepare runs the guard on it):
it is cut out of a query that already did, and holds no SERVICE.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable, Iterable

import pyoxigraph as ox

from kg.engine.errors import Rejected
from kg.sparql.lexer import CLOSERS, OPENERS, Token, tokenize

USER_AGENT = ("civic-protest-kg/0.1 (https://w3id.org/civic-protest/; federated SPARQL SERVICE; "
              "python-urllib)")
DEFAULT_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
WIKIDATA_QUERY_SERVICE = "https://query.wikidata.org/sparql"   # the documented allow-list entry
IRI_FORBIDDEN = '<>"{}|^`\\ \t\n\r'
LANGUAGE_TAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")
VARIABLE_NAME = re.compile(r"\w+")
BIND_JOIN_CHUNK = 100        # VALUES rows per request
MAX_BINDINGS = 5000          # distinct local bindings one SERVICE may send (50 requests)
MAX_SERVICE_ROWS = 10000     # rows one SERVICE may answer in all; the cap of an unbound one
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# Functions whose value changes between two evaluations: a FILTER using one is not run locally.
VOLATILE = ("RAND", "NOW", "UUID", "STRUUID", "BNODE", "EXISTS")
# Elements that make `{ VALUES ... P }` differ from `{ VALUES ... { P } }` when P leaves a
# shared variable unbound.
NOT_JOINS = ("OPTIONAL", "MINUS", "BIND", "VALUES", "SERVICE", "GRAPH")


class ServiceRefused(Rejected):
    """A SERVICE this endpoint does not call (400)."""

    status = 400


class ServiceFailed(Rejected):
    """An allowed SERVICE that did not answer in time or well (502)."""

    status = 502


class ServiceTooLarge(ServiceFailed):
    """A SERVICE that would send or fetch more than the caps allow (400: narrow the query)."""

    status = 400


@dataclass(frozen=True)
class ServiceCall:
    start: int          # offset of the SERVICE keyword
    end: int            # offset just after the closing brace
    iri: str
    silent: bool
    pattern: str        # the text between the braces


Fetch = Callable[[str, str, float, str], dict]   # (endpoint, query, timeout, user agent) -> SPARQL JSON
# (SELECT query) -> its solutions on our store, each indexable by variable name (pyoxigraph's)
Local = Callable[[str], Iterable]


@dataclass(frozen=True)
class LocalPart:
    query: str                   # SELECT DISTINCT ?shared ... WHERE { X } for our store
    variables: tuple[str, ...]   # the shared variables (names without '?'), all bound by X
    flat: bool                   # P may be sent as `{ VALUES ... P }` rather than `{ VALUES ... { P } }`


def service_calls(text: str, allowlist) -> list[ServiceCall]:
    """The outermost SERVICE groups of `text`; refuses those this endpoint does not call."""
    tokens, calls, skip_until = tokenize(text), [], -1
    for index, token in enumerate(tokens):
        if not token.is_keyword("SERVICE") or token.start < skip_until:
            continue
        call = _service_call(text, tokens, index, allowlist)
        calls.append(call)
        skip_until = call.end
    return calls


def _service_call(text: str, tokens: list[Token], index: int, allowlist) -> ServiceCall:
    position = index + 1
    silent = position < len(tokens) and tokens[position].is_keyword("SILENT")
    position += silent
    target = tokens[position] if position < len(tokens) else None
    if target is None or target.kind != "iri":
        raise ServiceRefused("SERVICE needs an endpoint written as a full IRI on this endpoint's "
                             "allow-list (no SERVICE ?variable, no prefixed name)")
    if target.iri not in set(allowlist):
        raise ServiceRefused(f"SERVICE <{target.iri}> is not on this endpoint's federation "
                             f"allow-list ({', '.join(sorted(allowlist)) or 'empty'})")
    opening = tokens[position + 1] if position + 1 < len(tokens) else None
    if opening is None or opening.text != "{":
        raise ServiceRefused("SERVICE <iri> must be followed by a group { ... }")
    closing = next((t for t in tokens[position + 2:] if t.text == "}" and t.depth == opening.depth + 1), None)
    if closing is None:
        raise ServiceRefused("unbalanced braces after SERVICE")
    return ServiceCall(tokens[index].start, closing.start + 1, target.iri, bool(silent),
                       text[opening.start + 1:closing.start])


def prologue(text: str) -> str:
    """The PREFIX and BASE declarations of the query, for the remote pattern."""
    tokens, lines = tokenize(text), []
    for index, token in enumerate(tokens):
        if token.is_keyword("PREFIX") and index + 2 < len(tokens):
            lines.append(f"PREFIX {tokens[index + 1].text} {tokens[index + 2].text}")
        elif token.is_keyword("BASE") and index + 1 < len(tokens):
            lines.append(f"BASE {tokens[index + 1].text}")
        elif token.is_keyword("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
            break
    return "\n".join(lines)


def federate(text: str, allowlist, timeout: float = DEFAULT_TIMEOUT, user_agent: str = USER_AGENT,
             fetch: Fetch | None = None, prefixes: dict[str, str] | None = None,
             local: Local | None = None, chunk_size: int = BIND_JOIN_CHUNK,
             max_bindings: int = MAX_BINDINGS, max_rows: int = MAX_SERVICE_ROWS) -> str:
    """`text` with every allowed SERVICE group replaced by its results as VALUES.

    `local(query)`: evaluates a SELECT on our store (the query's dataset); without it, every
    SERVICE is sent unbound (capped at `max_rows`)."""
    calls = service_calls(text, allowlist)          # refuses any SERVICE off the list first
    if not calls:
        return text
    fetch = fetch or fetch_results
    head = "\n".join([*(f"PREFIX {p}: <{ns}>" for p, ns in (prefixes or {}).items()), prologue(text)])
    while calls:
        call = calls[0]                             # left to right: X may hold earlier answers
        part = local_part(text, call) if local is not None else None
        try:
            results = call_service(call, part, head, fetch, local, timeout, user_agent,
                                   chunk_size, max_bindings, max_rows)
            block = values_block(results)
        except ServiceFailed:
            if not call.silent:
                raise
            block = values_block({"head": {"vars": []}, "results": {"bindings": [{}]}})
        except (OSError, ValueError, AttributeError, KeyError, TypeError) as error:  # incl. a malformed answer
            if not call.silent:
                raise ServiceFailed(f"SERVICE <{call.iri}> failed: {error}") from None
            block = values_block({"head": {"vars": []}, "results": {"bindings": [{}]}})
        text = text[:call.start] + block + text[call.end:]
        calls = service_calls(text, allowlist)
    return text


def call_service(call: ServiceCall, part: LocalPart | None, head: str, fetch: Fetch,
                 local: Local | None, timeout: float, user_agent: str, chunk_size: int,
                 max_bindings: int, max_rows: int) -> dict:
    """The SERVICE's answers (SPARQL JSON): bound by the local part's rows when there is one."""
    rows = bound_rows(part, local, max_bindings, call) if part is not None else None
    stop_at = time.monotonic() + timeout            # for all the requests of this SERVICE
    if rows is None:
        answer = ask(fetch, call.iri, f"{head}\nSELECT * WHERE {{{call.pattern}}}\nLIMIT {max_rows + 1}",
                     stop_at, user_agent)
        if len(answer["results"]["bindings"]) > max_rows:
            raise ServiceTooLarge(
                f"SERVICE <{call.iri}> shares no variable bound by the rest of its group, so it was "
                f"sent unbound, and it has more than {max_rows} answers (this endpoint's cap): bind "
                "its variables with triple patterns before the SERVICE, in the same group")
        return answer
    header = " ".join(f"?{v}" for v in part.variables)
    pattern = call.pattern if part.flat else f"{{{call.pattern}}}"
    merged, received = {"head": {"vars": list(part.variables)}, "results": {"bindings": []}}, 0
    for first in range(0, len(rows), max(1, chunk_size)):
        chunk = " ".join(rows[first:first + max(1, chunk_size)])
        query = (f"{head}\nSELECT * WHERE {{\n  VALUES ({header}) {{ {chunk} }}\n{pattern}\n}}\n"
                 f"LIMIT {max_rows - received + 1}")
        answer = ask(fetch, call.iri, query, stop_at, user_agent)
        variables, bindings = answer["head"]["vars"], answer["results"]["bindings"]
        if not isinstance(variables, list) or not isinstance(bindings, list):
            raise ValueError("the answer is not SPARQL JSON results")
        merged["head"]["vars"] += [v for v in variables if v not in merged["head"]["vars"]]
        merged["results"]["bindings"] += bindings
        received += len(bindings)
        if received > max_rows:
            raise ServiceTooLarge(f"SERVICE <{call.iri}> has more than {max_rows} answers for the "
                                  "bindings of the rest of its group (this endpoint's cap)")
    return merged


def ask(fetch: Fetch, endpoint: str, query: str, stop_at: float, user_agent: str) -> dict:
    remaining = stop_at - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("its time (the federation timeout) ran out")
    answer = fetch(endpoint, query, remaining, user_agent)
    answer["results"]["bindings"]                   # KeyError / TypeError: not SPARQL JSON
    return answer


def bound_rows(part: LocalPart, local: Local, max_bindings: int, call: ServiceCall) -> list[str] | None:
    """The local part's distinct rows as VALUES rows; None: send the SERVICE unbound."""
    rows = []
    try:
        for solution in local(part.query):
            terms = [sendable(solution[v]) for v in part.variables]
            if any(t is None for t in terms):       # a blank node: no remote term equals it
                continue
            rows.append("(" + " ".join(terms) + ")")
            if len(rows) > max_bindings:
                raise ServiceTooLarge(
                    f"the rest of the group around SERVICE <{call.iri}> binds more than "
                    f"{max_bindings} distinct values of {' '.join('?' + v for v in part.variables)} "
                    "to send (this endpoint's cap): narrow it")
    except (SyntaxError, ValueError, TypeError, RuntimeError, KeyError, OSError):
        return None                                 # could not evaluate it here: send unbound
    return sorted(rows)                             # the same requests for the same data


def sendable(value) -> str | None:
    """An RDF term of ours written for a VALUES block (None: a blank node, or unwritable)."""
    if isinstance(value, ox.NamedNode):
        binding = {"type": "uri", "value": value.value}
    elif isinstance(value, ox.Literal):
        binding = {"type": "literal", "value": value.value}
        if value.language:
            binding["xml:lang"] = value.language
        elif value.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            binding["datatype"] = value.datatype.value
    elif isinstance(value, ox.BlankNode):
        return None
    else:
        raise ValueError(f"cannot send {value!r} to a SERVICE")  # unbound, a triple term: no bind join
    written = term(binding)
    return None if written == "UNDEF" else written


def local_part(text: str, call: ServiceCall) -> LocalPart | None:
    """What the SERVICE is joined with, as a query for our store; None when there is nothing
    to bind or it cannot be isolated safely.

    That is the elements before it in its group; or, when those bind none of its variables
    and the group is `OPTIONAL { ... }` (or `MINUS { ... }`), the elements before that in the
    enclosing group, provided P itself certainly binds the variables sent: then an answer of P
    that no solution there is compatible with can only give group solutions that none is
    compatible with either, which a left join (or MINUS) ignores."""
    tokens = tokenize(text)
    service = next((i for i, t in enumerate(tokens) if t.start == call.start), None)
    if service is None:
        return None
    ancestors = []                                  # indices of the brackets open at the SERVICE
    for index in range(service):
        token = tokens[index]
        if token.kind == "punct" and token.text in OPENERS:
            ancestors.append(index)
        elif token.kind == "punct" and token.text in CLOSERS and ancestors:
            ancestors.pop()
    pattern_tokens = tokenize(call.pattern)
    if not ancestors or any(not _plain_group(tokens, i) for i in ancestors) \
            or any(t.is_keyword("SELECT") for t in pattern_tokens):
        return None
    names = list(dict.fromkeys(t.text[1:] for t in pattern_tokens if t.kind == "var"))
    part = _group_part(text, tokens, ancestors[-1], service, names)
    if part is None and len(ancestors) > 1 and tokens[ancestors[-1] - 1].is_keyword("OPTIONAL", "MINUS"):
        own = _certainly_bound(pattern_tokens, 0, len(pattern_tokens), 0)
        part = _group_part(text, tokens, ancestors[-2], ancestors[-1] - 1,
                           [v for v in names if v in own])
    if part is None:
        return None
    before, kept, shared = part
    datasets = [text[t.start:_end(tokens, i + 1 + tokens[i + 1].is_keyword("NAMED"))]
                for i, t in enumerate(tokens[:-2]) if t.depth == 0 and t.is_keyword("FROM")]
    query = "\n".join([prologue(text),
                       f"SELECT DISTINCT {' '.join('?' + v for v in shared)}", *datasets,
                       "WHERE {", before, *kept, "}"])
    return LocalPart(query, tuple(shared), _flat(pattern_tokens, shared))


def _group_part(text: str, tokens: list[Token], opening: int, element: int, names: list[str]):
    """For the group opened at `opening`: the text of its elements before the one starting at
    token `element`, the group's FILTERs that may run on them, and which of `names` they
    certainly bind (None if none)."""
    level = tokens[opening].depth + 1
    closing = next((i for i in range(element, len(tokens))
                    if tokens[i].text == "}" and tokens[i].depth == level), None)
    if closing is None:
        return None
    bound = _certainly_bound(tokens, opening + 1, element, level)
    shared = [v for v in names if v in bound]
    if not shared:
        return None
    # The elements before, their FILTERs made neutral (a FILTER is the group's, not theirs);
    # then the group's FILTERs (anywhere in it) that read only variables those elements
    # certainly bind, which are true of their solution exactly when of the group's solutions.
    pieces, cut, kept = [], tokens[opening].start + 1, []
    for first, last in _filters(tokens, opening + 1, closing, level):
        safe = not any(t.is_keyword(*VOLATILE) for t in tokens[first:last + 1]) and \
            all(t.text[1:] in bound for t in tokens[first:last + 1] if t.kind == "var")
        if safe:
            kept.append(text[tokens[first].start:_end(tokens, last)])
        if first < element:
            pieces += [text[cut:tokens[first].start], "FILTER(true)"]
            cut = _end(tokens, last)
    pieces.append(text[cut:tokens[element].start])
    return "".join(pieces), kept, shared


def _filters(tokens: list[Token], first: int, stop: int, level: int) -> list[tuple[int, int]]:
    return [_filter_span(tokens, i) for i in range(first, stop)
            if tokens[i].depth == level and tokens[i].is_keyword("FILTER")]


def _certainly_bound(tokens: list[Token], first: int, stop: int, level: int) -> set[str]:
    """Variables bound in every solution of the elements in tokens[first:stop] of a group whose
    own level is `level`: those of its triple patterns (and GRAPH ?g), not of FILTER, BIND,
    VALUES, or anything nested (OPTIONAL, UNION, sub-selects)."""
    in_filter = {i for a, b in _filters(tokens, first, stop, level) for i in range(a, b + 1)}
    return {tokens[i].text[1:] for i in range(first, stop)
            if tokens[i].depth == level and tokens[i].kind == "var" and i not in in_filter
            and not (i > 0 and tokens[i - 1].is_keyword("VALUES"))}


def _plain_group(tokens: list[Token], index: int) -> bool:
    """The bracket at `index` opens a group evaluated on the query's active graph, and not with
    the bindings of an outer solution: not GRAPH x { }, not EXISTS { }, not ( ... )."""
    if tokens[index].text != "{":
        return False
    before = tokens[max(0, index - 2):index]
    if before and before[-1].is_keyword("EXISTS"):
        return False
    return not (len(before) == 2 and before[0].is_keyword("GRAPH"))


def _filter_span(tokens: list[Token], index: int) -> tuple[int, int]:
    """First and last token of the FILTER at `index`: FILTER (…), FILTER f(…), FILTER [NOT] EXISTS {…}."""
    position = index + 1
    while position < len(tokens) and tokens[position].text not in ("(", "{"):
        position += 1
    if position >= len(tokens):
        return index, len(tokens) - 1
    opening = tokens[position]
    pair = ")" if opening.text == "(" else "}"
    for last in range(position + 1, len(tokens)):
        if tokens[last].text == pair and tokens[last].depth == opening.depth + 1:
            return index, last
    return index, len(tokens) - 1


def _flat(pattern_tokens: list[Token], shared: list[str]) -> bool:
    """`{ VALUES ... P }` is the same as `{ VALUES ... { P } }` when P's own level is only triple
    patterns and FILTERs and certainly binds every shared variable; else P goes in its own group."""
    if any(t.depth == 0 and (t.is_keyword(*NOT_JOINS) or t.text == "{") for t in pattern_tokens):
        return False
    bound = _certainly_bound(pattern_tokens, 0, len(pattern_tokens), 0)
    return all(v in bound for v in shared)


def _end(tokens: list[Token], index: int) -> int:
    return tokens[index].start + len(tokens[index].text)


def fetch_results(endpoint: str, query: str, timeout: float, user_agent: str) -> dict:
    """POST the query to the endpoint (SPARQL 1.1 Protocol), read SPARQL JSON results."""
    request = urllib.request.Request(
        endpoint, data=urllib.parse.urlencode({"query": query}).encode(), method="POST",
        headers={"User-Agent": user_agent, "Accept": "application/sparql-results+json",
                 "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read(MAX_RESPONSE_BYTES + 1)
    if len(body) > MAX_RESPONSE_BYTES:
        raise ValueError(f"the answer is larger than {MAX_RESPONSE_BYTES} bytes")
    return json.loads(body)


def values_block(results: dict) -> str:
    variables = results.get("head", {}).get("vars", [])
    rows = results.get("results", {}).get("bindings", [])
    if not all(isinstance(v, str) and VARIABLE_NAME.fullmatch(v) for v in variables):
        raise ValueError("the answer names a variable that is not a SPARQL variable name")
    header = " ".join(f"?{v}" for v in variables)
    body = " ".join("(" + " ".join(term(row.get(v)) for v in variables) + ")" for row in rows)
    return f"VALUES ({header}) {{ {body} }}"


def term(binding: dict | None) -> str:
    if not binding or binding.get("type") == "bnode":
        return "UNDEF"
    value = binding["value"]
    if binding["type"] == "uri":
        if any(c in value for c in IRI_FORBIDDEN):
            return "UNDEF"
        return f"<{value}>"
    literal = '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
    # The tag and the datatype come from the remote answer: written into our query only
    # when well-formed, so an answer can never add syntax of its own.
    if binding.get("xml:lang"):
        return f"{literal}@{binding['xml:lang']}" if LANGUAGE_TAG.fullmatch(binding["xml:lang"]) else "UNDEF"
    if binding.get("datatype"):
        datatype = binding["datatype"]
        return "UNDEF" if any(c in datatype for c in IRI_FORBIDDEN) else f"{literal}^^<{datatype}>"
    return literal
