"""Federated SERVICE under our control: only endpoints on an allow-list, our User-Agent, a timeout.

pyoxigraph would execute SERVICE with its own HTTP client (no allow-list, no User-Agent or
timeout of ours: `Store.query` offers no service handler). So the query is rewritten before
pyoxigraph sees it: each outermost `SERVICE [SILENT] <iri> { P }` whose IRI is on the
allow-list is evaluated here (`SELECT * WHERE { P }` sent to the endpoint, with the query's
PREFIX/BASE lines) and replaced by its results as inline data (`VALUES (?a ?b) { ... }`), which
joins exactly as the SERVICE group would. `SERVICE ?var`, prefixed-name services and IRIs off
the list are refused before any connection. Blank nodes in remote results are left unbound.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Callable

from kg.engine.errors import Rejected
from kg.server.lexer import Token, tokenize

USER_AGENT = ("civic-protest-kg/0.1 (https://w3id.org/civic-protest/; federated SPARQL SERVICE; "
              "python-urllib)")
DEFAULT_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
WIKIDATA_QUERY_SERVICE = "https://query.wikidata.org/sparql"   # the documented allow-list entry
IRI_FORBIDDEN = '<>"{}|^`\\ \t\n\r'
LANGUAGE_TAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")
VARIABLE_NAME = re.compile(r"\w+")


class ServiceRefused(Rejected):
    """A SERVICE this endpoint does not call (400)."""

    status = 400


class ServiceFailed(Rejected):
    """An allowed SERVICE that did not answer in time or well (502)."""

    status = 502


@dataclass(frozen=True)
class ServiceCall:
    start: int          # offset of the SERVICE keyword
    end: int            # offset just after the closing brace
    iri: str
    silent: bool
    pattern: str        # the text between the braces


Fetch = Callable[[str, str, float, str], dict]   # (endpoint, query, timeout, user agent) -> SPARQL JSON


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
             fetch: Fetch | None = None, prefixes: dict[str, str] | None = None) -> str:
    """`text` with every allowed SERVICE group replaced by its results as VALUES."""
    calls = service_calls(text, allowlist)
    if not calls:
        return text
    fetch = fetch or fetch_results
    head = "\n".join([*(f"PREFIX {p}: <{ns}>" for p, ns in (prefixes or {}).items()), prologue(text)])
    for call in reversed(calls):
        remote = f"{head}\nSELECT * WHERE {{{call.pattern}}}"
        try:
            block = values_block(fetch(call.iri, remote, timeout, user_agent))
        except (OSError, ValueError, AttributeError, KeyError, TypeError) as error:  # incl. a malformed answer
            if not call.silent:
                raise ServiceFailed(f"SERVICE <{call.iri}> failed: {error}") from None
            block = values_block({"head": {"vars": []}, "results": {"bindings": [{}]}})
        text = text[:call.start] + block + text[call.end:]
    return text


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
