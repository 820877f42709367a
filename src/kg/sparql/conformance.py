"""Rewrites that make pyoxigraph 0.5.13 answer four kinds of query as SPARQL 1.1 says.

Each rewrite is a text edit on tokens (kg.sparql.lexer), so everything it does not touch
reaches pyoxigraph exactly as written; a query with none of the constructs below is
returned unchanged after one tokenization (the common case). Runs in the worker, after
the guard, under the deadline. Every rewrite is exact by SPARQL 1.1 semantics:

- GROUP_CONCAT: always a simple literal (rdf-tests #280/#281; pyoxigraph keeps a common
  language tag). `GROUP_CONCAT(...)` becomes `STR(GROUP_CONCAT(...))`: STR of a string
  literal is its lexical form, and an error stays an error.
- BNODE(str): a blank node per solution, the same for the same string within a solution
  (pyoxigraph returns `_:str` for every solution, and nothing for strings that are not
  blank node labels). In BIND and SELECT expressions, each solution gets a nonce
  (`BIND(STRUUID() AS ?nonce)`, per group `COALESCE(MIN(?nonce), STRUUID())` after
  grouping) and `BNODE(x)` becomes `<BNODE_FUNCTION>(?nonce, x)`, a custom function
  (kg.engine.evaluate) hashing both into a fresh label. The nonce variables are hidden from
  the results. BNODE in FILTER / HAVING / ORDER BY / GROUP BY keeps pyoxigraph's meaning.
- Zero-length paths: `X p* ?v` (`?`, or an alternative with such a branch) must give
  ?v = X even where X is no node of the active graph (pyoxigraph gives it only for graph
  nodes). Such a triple becomes
  `{ { X p* ?v } UNION { VALUES ?v { X } FILTER NOT EXISTS { X p* X } } }`: the second
  branch adds X exactly when pyoxigraph left it out.
- GRAPH ?g { P } where P holds a sub-select, VALUES or MINUS: pyoxigraph evaluates P once
  over all graphs and does not bind ?g. It becomes the spec's definition written out, a
  UNION over the dataset's named graphs of `{ VALUES ?g { <gi> } GRAPH <gi> { P } }`
  (skipped, leaving the query as is, past MAX_GRAPHS graphs or MAX_EXPANDED_CHARS).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.engine.evaluate import BNODE_FUNCTION
from kg.sparql.lexer import Token, tokenize

MAX_GRAPHS = 64
MAX_EXPANDED_CHARS = 2 * 1024 * 1024
AGGREGATES = ("COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT")
GRAPH_TRIGGERS = ("SELECT", "VALUES", "MINUS")
OTHER_CLAUSES = ("WHERE", "HAVING", "ORDER", "GROUP", "BY", "FILTER", "VALUES", "LIMIT", "OFFSET")


@dataclass
class Rewritten:
    text: str
    hidden_variables: tuple[str, ...] = ()
    uses_bnode_function: bool = False
    applied: list[str] = field(default_factory=list)
    _tokens: tuple[str, list[Token]] | None = field(default=None, repr=False)

    @property
    def tokens(self) -> list[Token]:
        """The tokens of the current text (tokenized once per version of it)."""
        if self._tokens is None or self._tokens[0] is not self.text:
            self._tokens = (self.text, tokenize(self.text))
        return self._tokens[1]


class CannotRewrite(Exception):
    """The text is not in a shape this module understands: leave it unchanged."""


def rewrite_query(text: str, named_graphs) -> Rewritten:
    """`named_graphs`: the IRIs GRAPH ?g ranges over (None: unknown, no GRAPH expansion)."""
    result = Rewritten(text)
    tokens = result.tokens
    if not _may_need(tokens):
        return result
    for step in (_group_concat, _bnodes, _zero_length_paths):
        try:
            step(result)
        except CannotRewrite:
            pass
    if named_graphs is not None and any(t.is_keyword("GRAPH") for t in result.tokens):
        try:
            _expand_graphs(result, sorted(named_graphs))
        except CannotRewrite:
            pass
    return result


def _may_need(tokens: list[Token]) -> bool:
    for index, token in enumerate(tokens):
        if token.is_keyword("GROUP_CONCAT", "BNODE", "GRAPH"):
            return True
        if token.kind == "punct" and token.text in "*?" and index and _ends_path_primary(tokens[index - 1]):
            return True
    return False


def _ends_path_primary(token: Token) -> bool:
    return token.kind in ("iri", "pname") or token.is_keyword("A") or token.text == ")"


# --- token helpers ---------------------------------------------------------------------

def _closing(tokens: list[Token], index: int) -> int:
    """Index of the bracket closing the one at `index`."""
    opening = tokens[index]
    pair = {"(": ")", "{": "}", "[": "]"}[opening.text]
    for j in range(index + 1, len(tokens)):
        if tokens[j].text == pair and tokens[j].kind == "punct" and tokens[j].depth == opening.depth + 1:
            return j
    raise CannotRewrite("unbalanced brackets")


def _end(tokens: list[Token], index: int) -> int:
    return tokens[index].start + len(tokens[index].text)


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _fresh_variable(text: str, stem: str, taken: set[str]) -> str:
    names = {t.text[1:] for t in tokenize(text) if t.kind == "var"} | taken
    number = 1
    while f"{stem}{number}" in names:
        number += 1
    taken.add(f"{stem}{number}")
    return f"{stem}{number}"


# --- GROUP_CONCAT ----------------------------------------------------------------------

def _group_concat(result: Rewritten) -> None:
    tokens, edits = result.tokens, []
    for index, token in enumerate(tokens):
        if token.is_keyword("GROUP_CONCAT") and index + 1 < len(tokens) and tokens[index + 1].text == "(":
            close = _closing(tokens, index + 1)
            edits += [(token.start, token.start, "STR("), (_end(tokens, close), _end(tokens, close), ")")]
    if edits:
        result.text = _apply(result.text, edits)
        result.applied.append("group_concat")


# --- BNODE(str) ------------------------------------------------------------------------

def _bnodes(result: Rewritten) -> None:
    tokens = result.tokens
    calls = [i for i, t in enumerate(tokens) if t.is_keyword("BNODE") and i + 2 < len(tokens)
             and tokens[i + 1].text == "(" and tokens[i + 2].text != ")"]
    if not calls:
        return
    edits, taken, hidden = [], set(), []
    bind_nonces: dict[int, str] = {}        # index of a BIND keyword -> its nonce
    select_nonces: dict[int, str] = {}      # index of a SELECT keyword -> its nonce
    for call in calls:
        context = _enclosing_context(tokens, call)
        if context is None:
            continue
        kind, anchor = context
        if kind == "bind":
            nonce = bind_nonces.get(anchor)
            if nonce is None:
                previous = _previous_bind(tokens, anchor)
                nonce = bind_nonces.get(previous) if previous is not None else None
                if nonce is None:
                    nonce = _fresh_variable(result.text, "_kg_bnode_scope_", taken)
                    edits.append((tokens[anchor].start, tokens[anchor].start,
                                  f"BIND(STRUUID() AS ?{nonce}) "))
                bind_nonces[anchor] = nonce
            argument = f"?{nonce}"
        else:
            nonce = select_nonces.get(anchor)
            if nonce is None:
                nonce = _fresh_variable(result.text, "_kg_bnode_scope_", taken)
                edits += _nonce_in_where(result.text, tokens, anchor, nonce)
                select_nonces[anchor] = nonce
            grouped = _is_grouped(tokens, anchor)
            argument = f"?{nonce}" if not grouped or _inside_aggregate(tokens, call, anchor) \
                else f"COALESCE(MIN(?{nonce}), STRUUID())"
        hidden.append(nonce)
        edits.append((tokens[call].start, _end(tokens, call + 1), f"<{BNODE_FUNCTION}>({argument}, "))
    if edits:
        result.text = _apply(result.text, edits)
        result.hidden_variables += tuple(dict.fromkeys(hidden))
        result.uses_bnode_function = True
        result.applied.append("bnode")


def _enclosing_context(tokens: list[Token], call: int):
    """("bind", index of BIND) or ("select", index of SELECT) for a BNODE call in a BIND
    or in a SELECT clause expression; None elsewhere (FILTER, HAVING, ORDER BY ...)."""
    depth = tokens[call].depth
    for j in range(call - 1, -1, -1):
        token = tokens[j]
        if token.depth > depth:
            continue
        if token.depth < depth:                 # the bracket that opens the current level
            if token.text != "(":
                return None
            depth = token.depth
            if j and tokens[j - 1].is_keyword("BIND"):
                return ("bind", j - 1)
        elif token.is_keyword("SELECT"):
            return ("select", j)
        elif token.text in ("{", ".") or token.is_keyword(*OTHER_CLAUSES):
            return None
    return None
    return None


def _previous_bind(tokens: list[Token], bind: int):
    """The BIND right before this one in the same group (consecutive BINDs share a nonce)."""
    if bind == 0 or tokens[bind - 1].text != ")":
        return None
    depth = tokens[bind - 1].depth - 1
    for j in range(bind - 2, -1, -1):
        if tokens[j].text == "(" and tokens[j].depth == depth:
            return j - 1 if j and tokens[j - 1].is_keyword("BIND") else None
    return None


def _select_where(tokens: list[Token], select: int) -> tuple[int, int]:
    """Indices of the braces of the WHERE group of the (sub)query starting at SELECT."""
    depth = tokens[select].depth
    for j in range(select + 1, len(tokens)):
        if tokens[j].text == "{" and tokens[j].depth == depth and tokens[j].kind == "punct":
            return j, _closing(tokens, j)
    raise CannotRewrite("no WHERE group")


def _nonce_in_where(text: str, tokens: list[Token], select: int, nonce: str) -> list[tuple[int, int, str]]:
    """Bind the nonce once per solution of the WHERE clause (after a trailing VALUES)."""
    open_, close = _select_where(tokens, select)
    depth = tokens[select].depth
    values = next((j for j in range(close + 1, len(tokens))
                   if tokens[j].depth == depth and tokens[j].is_keyword("VALUES")), None)
    bind = f" BIND(STRUUID() AS ?{nonce}) "
    if values is None:
        return [(tokens[close].start, tokens[close].start, bind)]
    block = next(j for j in range(values, len(tokens)) if tokens[j].text == "{" and tokens[j].depth == depth)
    block_end = _closing(tokens, block)
    moved = text[tokens[values].start:_end(tokens, block_end)]
    return [(_end(tokens, open_), _end(tokens, open_), " { "),
            (tokens[close].start, tokens[close].start, f" }} {moved}{bind}"),
            (tokens[values].start, _end(tokens, block_end), "")]


def _is_grouped(tokens: list[Token], select: int) -> bool:
    depth = tokens[select].depth
    open_, close = _select_where(tokens, select)
    after = [t for t in tokens[close + 1:] if t.depth >= depth]
    after = after[:next((k for k, t in enumerate(after) if t.depth == depth and t.text == "}"), len(after))]
    head = tokens[select:open_]
    return any(t.is_keyword("GROUP") and t.depth == depth for t in after) or \
        any(t.is_keyword(*AGGREGATES) for t in head + after)


def _inside_aggregate(tokens: list[Token], call: int, select: int) -> bool:
    depth = tokens[call].depth
    for j in range(call - 1, select, -1):
        if tokens[j].text == "(" and tokens[j].depth < depth:
            depth = tokens[j].depth
            if j and tokens[j - 1].is_keyword(*AGGREGATES):
                return True
    return False


# --- zero-length property paths ---------------------------------------------------------

def _zero_length_paths(result: Rewritten) -> None:
    tokens = result.tokens
    if not any(t.kind == "punct" and t.text in "*?" and i and _ends_path_primary(tokens[i - 1])
               for i, t in enumerate(tokens)):
        return
    edits = []
    for block in _triples_blocks(tokens):
        edit = _rewrite_block(result.text, tokens, block)
        if edit:
            edits.append(edit)
    if edits:
        result.text = _apply(result.text, edits)
        result.applied.append("zero_length_paths")


def _triples_blocks(tokens: list[Token]):
    """(first, last) token indices of each TriplesSameSubjectPath in group patterns."""
    blocks, index = [], 0
    while index < len(tokens):
        token = tokens[index]
        if token.text == "{" and token.kind == "punct" and _opens_group(tokens, index):
            index = _scan_group(tokens, index, blocks)
        index += 1
    return blocks


def _opens_group(tokens: list[Token], index: int) -> bool:
    """A `{` that opens a group graph pattern (not a CONSTRUCT template or VALUES data)."""
    j = index - 1
    while j >= 0 and (tokens[j].kind == "var" or tokens[j].text in ("(", ")")):
        j -= 1
    if j >= 0 and tokens[j].is_keyword("VALUES"):
        return False
    return not (index and tokens[index - 1].is_keyword("CONSTRUCT", "DATA", "INSERT", "DELETE"))


def _scan_group(tokens: list[Token], open_: int, blocks: list) -> int:
    close = _closing(tokens, open_)
    index = open_ + 1
    while index < close:
        token = tokens[index]
        if token.text in (".", ";") and token.kind == "punct":
            index += 1
        elif token.text == "{":
            index = _scan_group(tokens, index, blocks) + 1
        elif token.is_keyword("OPTIONAL", "MINUS", "UNION"):
            index += 1
        elif token.is_keyword("GRAPH", "SERVICE"):
            index += 2 if not tokens[index + 1].is_keyword("SILENT") else 3
        elif token.is_keyword("FILTER", "BIND", "VALUES", "SELECT"):
            index = _skip_element(tokens, index, close, blocks)
        else:
            index = _triples(tokens, index, close, blocks)
    return close


def _skip_element(tokens, index, close, blocks) -> int:
    """Past a FILTER / BIND / VALUES / sub-select (scanning groups inside, e.g. EXISTS)."""
    keyword = tokens[index]
    if keyword.is_keyword("SELECT"):    # a sub-select: scan its WHERE; skip its modifiers
        _scan_group(tokens, _select_where(tokens, index)[0], blocks)
        return close
    index += 1
    if keyword.is_keyword("VALUES"):
        while index < close and tokens[index].text != "{":
            index += 1
        return _closing(tokens, index) + 1
    if tokens[index].is_keyword("NOT"):
        index += 1
    if tokens[index].is_keyword("EXISTS"):
        return _scan_group(tokens, index + 1, blocks) + 1
    if tokens[index].kind in ("iri", "pname", "word") and tokens[index].text != "(":
        index += 1       # FILTER fn(...)
    if tokens[index].text != "(":
        raise CannotRewrite("unexpected filter shape")
    end = _closing(tokens, index)
    for j in range(index, end):
        if tokens[j].text == "{" and tokens[j].depth > tokens[index].depth:
            _scan_group(tokens, j, blocks)
    return end + 1


def _triples(tokens, index, close, blocks) -> int:
    """One TriplesSameSubjectPath starting at `index`; records it; returns the index after."""
    first = index
    subject_end = _node(tokens, index)
    index = subject_end + 1
    if index < close and tokens[index].text not in (".", "}"):
        index = _property_list(tokens, index, close)
    blocks.append((first, index - 1))
    return index


def _node(tokens, index) -> int:
    """Last token index of the graph node at `index`."""
    token = tokens[index]
    if token.text in ("[", "(") and token.kind == "punct":
        return _closing(tokens, index)
    if token.kind in ("var", "iri", "pname", "bnode", "number") or token.is_keyword("TRUE", "FALSE"):
        return index
    if token.kind == "string":
        if index + 1 < len(tokens) and tokens[index + 1].text == "^^":
            return index + 2
        if index + 1 < len(tokens) and tokens[index + 1].text == "@":
            index += 2          # the tag's subtags come as adjacent '-' and word tokens
            while index + 1 < len(tokens) and tokens[index + 1].start == _end(tokens, index) \
                    and tokens[index + 1].kind in ("punct", "word", "number") \
                    and (tokens[index + 1].text == "-" or tokens[index].text == "-"):
                index += 1
        return index
    if token.text in ("+", "-") and index + 1 < len(tokens) and tokens[index + 1].kind == "number":
        return index + 1
    raise CannotRewrite(f"unexpected token {token.text!r} in a triple")


def _property_list(tokens, index, close) -> int:
    while index < close and tokens[index].text not in (".", "}") and not tokens[index].is_keyword(
            "FILTER", "BIND", "VALUES", "OPTIONAL", "MINUS", "GRAPH", "SERVICE"):
        if tokens[index].text == ";":
            index += 1
            continue
        index = _path_end(tokens, index) + 1                   # verb
        index = _node(tokens, index) + 1                       # object
        while index < close and tokens[index].text == ",":
            index = _node(tokens, index + 1) + 1
        if tokens[index].text == "{":
            raise CannotRewrite("annotation or unexpected brace")
    return index


def _path_end(tokens, index) -> int:
    """Last token index of the verb (a variable or a property path) at `index`."""
    if tokens[index].kind == "var":
        return index
    end, _ = _path(tokens, index)
    return end


def _path(tokens, index) -> tuple[int, bool]:
    """(last index, zero-length-capable) for PathAlternative at `index`."""
    end, nullable = _path_sequence(tokens, index)
    while end + 1 < len(tokens) and tokens[end + 1].text == "|":
        end, other = _path_sequence(tokens, end + 2)
        nullable = nullable or other
    return end, nullable


def _path_sequence(tokens, index) -> tuple[int, bool]:
    end, nullable = _path_element(tokens, index)
    steps = 1
    while end + 1 < len(tokens) and tokens[end + 1].text == "/":
        end, _ = _path_element(tokens, end + 2)
        steps += 1
    return end, nullable and steps == 1     # sequences: no zero-length rewrite


def _path_element(tokens, index) -> tuple[int, bool]:
    if tokens[index].text == "^":
        index += 1
    token = tokens[index]
    if token.text == "(":
        close = _closing(tokens, index)
        _, inner = _path(tokens, index + 1)
        end, nullable = close, inner
    elif token.text == "!":
        end = _closing(tokens, index + 1) if tokens[index + 1].text == "(" else \
            index + 1 + (tokens[index + 1].text == "^")
        nullable = False
    elif token.kind in ("iri", "pname") or token.is_keyword("A"):
        end, nullable = index, False
    else:
        raise CannotRewrite(f"unexpected token {token.text!r} in a path")
    if end + 1 < len(tokens) and tokens[end + 1].kind == "punct" and tokens[end + 1].text in "*?+":
        modifier = tokens[end + 1].text
        return end + 1, True if modifier in "*?" else nullable
    return end, nullable


def _node_kind(tokens: list[Token], span) -> str:
    first = tokens[span[0]]
    if span[0] == span[1] and first.kind == "var":
        return "var"
    if first.kind in ("iri", "pname", "string", "number") or first.is_keyword("TRUE", "FALSE") \
            or first.text in ("+", "-"):
        return "constant"
    return "blank"


def _rewrite_block(text: str, tokens: list[Token], block) -> tuple[int, int, str] | None:
    """The block's triples written one by one, those with a zero-length-capable path and a
    constant end replaced by their UNION; None when nothing needs it."""
    first, last = block
    subject = (first, _node(tokens, first))
    triples, index = [], subject[1] + 1
    while index <= last:
        if tokens[index].text == ";":
            index += 1
            continue
        verb_end = _path_end(tokens, index)
        verb = (index, verb_end)
        index = verb_end + 1
        while True:
            obj = (index, _node(tokens, index))
            triples.append((verb, obj))
            index = obj[1] + 1
            if index <= last and tokens[index].text == ",":
                index += 1
                continue
            break
    source = lambda span: text[tokens[span[0]].start:_end(tokens, span[1])]  # noqa: E731
    subject_text = source(subject)
    is_constant = lambda span: _node_kind(tokens, span) == "constant"  # noqa: E731
    is_variable = lambda span: _node_kind(tokens, span) == "var"  # noqa: E731
    needed = []
    for verb, obj in triples:
        if tokens[verb[0]].kind == "var":
            needed.append(False)
            continue
        _, nullable = _path(tokens, verb[0])
        ends = (is_constant(subject), is_constant(obj))
        needed.append(nullable and any(ends) and
                      all(is_constant(s) or is_variable(s) for s in (subject, obj)))
    if not any(needed):
        return None
    if len(triples) > 1 and not (is_constant(subject) or is_variable(subject)):
        return None   # a [ ... ], ( ... ) or _:b subject cannot be repeated across groups
    parts = []
    for (verb, obj), rewrite in zip(triples, needed):
        s, p, o = subject_text, source(verb), source(obj)
        if not rewrite:
            parts.append(f"{s} {p} {o}")
        elif is_constant(subject) and is_constant(obj):
            parts.append(f"{{ {{ {s} {p} {o} }} UNION {{ FILTER(sameTerm({s}, {o}) && "
                         f"NOT EXISTS {{ {s} {p} {s} }}) }} }}")
        elif is_constant(subject):
            parts.append(f"{{ {{ {s} {p} {o} }} UNION {{ VALUES {o} {{ {s} }} "
                         f"FILTER NOT EXISTS {{ {s} {p} {s} }} }} }}")
        else:
            parts.append(f"{{ {{ {s} {p} {o} }} UNION {{ VALUES {s} {{ {o} }} "
                         f"FILTER NOT EXISTS {{ {o} {p} {o} }} }} }}")
    return tokens[first].start, _end(tokens, last), " . ".join(parts)


# --- GRAPH ?g { P } ---------------------------------------------------------------------

def _expand_graphs(result: Rewritten, graphs: list[str]) -> None:
    """Innermost first (from the last GRAPH ?var backwards), one expansion at a time."""
    if len(graphs) > MAX_GRAPHS:
        return
    text, expanded = result.text, False
    position = len(text)
    tokens = result.tokens
    while True:
        if expanded:
            tokens = tokenize(text)
        candidates = [i for i, t in enumerate(tokens) if t.is_keyword("GRAPH") and t.start < position
                      and i + 2 < len(tokens) and tokens[i + 1].kind == "var"
                      and tokens[i + 2].text == "{"]
        if not candidates:
            break
        index = candidates[-1]
        position = tokens[index].start
        close = _closing(tokens, index + 2)
        inner = tokens[index + 3:close]
        if not any(t.is_keyword(*GRAPH_TRIGGERS) for t in inner):
            continue
        variable = tokens[index + 1].text
        pattern = text[_end(tokens, index + 2):tokens[close].start]
        branches = [f"{{ VALUES {variable} {{ <{g}> }} GRAPH <{g}> {{{pattern}}} }}" for g in graphs]
        replacement = "{ " + (" UNION ".join(branches) if branches else f"VALUES {variable} {{ }}") + " }"
        text = text[:tokens[index].start] + replacement + text[_end(tokens, close):]
        if len(text) > MAX_EXPANDED_CHARS:
            return                      # too large: leave GRAPH as pyoxigraph does it
        expanded = True
    if expanded:
        result.text = text
        result.applied.append("graph")
