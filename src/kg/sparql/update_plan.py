"""An update's operations, read from its tokens, so that the engine can find exactly what each
one removes and adds (kg.engine.evaluate.evaluate_update) instead of comparing the whole store
before and after (a second per 10^5 quads).

pyoxigraph does all the parsing: each operation becomes texts it runs (the operation itself,
its data or templates as INSERT DATA, its WHERE as a SELECT), always with the update's prologue.
Here only the operations are told apart and their parts cut out, on the tokens of
kg.sparql.lexer. Anything not read with certainty (a form not known, brackets that do not
close where they should) gives None, and the engine compares the store before and after, as
it always could.
"""

from __future__ import annotations

from kg.engine.jobs import VARIABLE_IRI, UpdateOperation
from kg.sparql.lexer import Token, tokenize

GRAPH_OPERATIONS = ("CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")


class Unreadable(ValueError):
    """The update is not read with certainty here (the engine then compares snapshots)."""


def plan_update(text: str) -> tuple[UpdateOperation, ...] | None:
    """The operations of update `text` in order, or None when they are not read with certainty."""
    try:
        return tuple(_operations(text, tokenize(text)))
    except Unreadable:
        return None


def _operations(text: str, tokens: list[Token]):
    prologue: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.depth != 0:
            raise Unreadable("a token outside every operation")
        if token.is_keyword("PREFIX"):
            _expect(tokens, index + 2, "iri")
            prologue.append(_span(text, tokens[index], tokens[index + 2]))
            index += 3
        elif token.is_keyword("BASE"):
            _expect(tokens, index + 1, "iri")
            prologue.append(_span(text, tokens[index], tokens[index + 1]))
            index += 2
        elif _is(token, ";"):
            index += 1
        else:
            end = next((i for i in range(index, len(tokens))
                        if tokens[i].depth == 0 and _is(tokens[i], ";")), len(tokens))
            yield _operation(text, tokens[index:end], " ".join(prologue) + "\n")
            index = end


def _operation(text: str, tokens: list[Token], prologue: str) -> UpdateOperation:
    first = tokens[0]
    second = tokens[1] if len(tokens) > 1 else None
    whole = prologue + _span(text, tokens[0], tokens[-1])
    if first.is_keyword("INSERT", "DELETE") and second is not None and second.is_keyword("DATA"):
        block = _block(tokens, 2)
        if block[1] != len(tokens) - 1:
            raise Unreadable("text after the data")
        data = prologue + "INSERT DATA " + _span(text, tokens[2], tokens[-1])
        return UpdateOperation("insert-data" if first.is_keyword("INSERT") else "delete-data",
                               whole, data=data)
    if first.is_keyword("DELETE") and second is not None and second.is_keyword("WHERE"):
        start, end = _block(tokens, 2)
        if end != len(tokens) - 1:
            raise Unreadable("text after DELETE WHERE's pattern")
        # Its WHERE is made of the template's quads by the engine (an empty GRAPH block matches
        # nothing there, as in pyoxigraph's own DELETE WHERE).
        return UpdateOperation("modify", whole, delete=_template(text, tokens[start:end + 1], prologue))
    if first.is_keyword("WITH", "DELETE", "INSERT"):
        return _modify(text, tokens, prologue, whole)
    if first.is_keyword(*GRAPH_OPERATIONS):
        return _graph_operation(text, tokens, prologue, whole)
    raise Unreadable(f"an operation starting with {first.text!r}")


def _modify(text: str, tokens: list[Token], prologue: str, whole: str) -> UpdateOperation:
    """( WITH iri )? ( DELETE {..} INSERT? {..} | INSERT {..} ) ( USING NAMED? iri )* WHERE {..}"""
    index, with_graph, templates = 0, None, {}
    if tokens[0].is_keyword("WITH"):
        with_graph = _graph_query([_expect(tokens, 1, "iri", "pname")], prologue)
        index = 2
    for keyword in ("DELETE", "INSERT"):
        if index < len(tokens) and tokens[index].is_keyword(keyword):
            start, end = _block(tokens, index + 1)
            templates[keyword] = _template(text, tokens[start:end + 1], prologue)
            index = end + 1
    if not templates:
        raise Unreadable("a modify without DELETE or INSERT")
    using = []
    while index < len(tokens) and tokens[index].is_keyword("USING"):
        named = index + 1 < len(tokens) and tokens[index + 1].is_keyword("NAMED")
        graph = _expect(tokens, index + 1 + named, "iri", "pname")
        using.append(("FROM NAMED " if named else "FROM ") + graph.text)
        index += 2 + named
    if index >= len(tokens) or not tokens[index].is_keyword("WHERE"):
        raise Unreadable("no WHERE where one is due")
    start, end = _block(tokens, index + 1)
    if end != len(tokens) - 1:
        raise Unreadable("text after the WHERE clause")
    where = (prologue + "SELECT * " + " ".join(using) + " WHERE "
             + _span(text, tokens[start], tokens[end]))
    return UpdateOperation("modify", whole, delete=templates.get("DELETE"),
                           insert=templates.get("INSERT"), where=where, with_graph=with_graph,
                           using=bool(using))


def _graph_operation(text: str, tokens: list[Token], prologue: str, whole: str) -> UpdateOperation:
    """CLEAR / DROP SILENT? (GRAPH iri | DEFAULT | NAMED | ALL), CREATE SILENT? GRAPH iri,
    ADD / MOVE / COPY SILENT? (DEFAULT | GRAPH? iri) TO (DEFAULT | GRAPH? iri)."""
    rest = tokens[1:]
    if rest and rest[0].is_keyword("SILENT"):
        rest = rest[1:]
    graphs, default = [], False
    if tokens[0].is_keyword("CLEAR", "DROP") and len(rest) == 1 and rest[0].is_keyword("NAMED", "ALL"):
        return UpdateOperation("graphs", whole, all_graphs=True)
    for part in _split_on(rest, "TO"):
        if len(part) == 1 and part[0].is_keyword("DEFAULT"):
            default = True
        elif len(part) in (1, 2) and part[-1].kind in ("iri", "pname") \
                and (len(part) == 1 or part[0].is_keyword("GRAPH")):
            graphs.append(part[-1])
        else:
            raise Unreadable("a graph operation not read")
    return UpdateOperation("graphs", whole, graphs=_graph_query(graphs, prologue) if graphs else None,
                           default_graph=default)


def _template(text: str, block: list[Token], prologue: str) -> str:
    """A DELETE or INSERT template as INSERT DATA, its variables written as IRIs."""
    pieces, position = [], block[0].start
    for token in block:
        if token.kind == "var":
            pieces.append(text[position:token.start])
            pieces.append(f"<{VARIABLE_IRI}{token.text[1:]}>")
            position = token.start + len(token.text)
    pieces.append(text[position:_end(block[-1])])
    return prologue + "INSERT DATA " + "".join(pieces)


def _graph_query(graphs: list[Token], prologue: str) -> str:
    return prologue + "SELECT ?g WHERE { VALUES ?g { " + " ".join(t.text for t in graphs) + " } }"


def _block(tokens: list[Token], index: int) -> tuple[int, int]:
    """(start, end): the indexes of the `{` at `index` and of the `}` that closes it."""
    if index >= len(tokens) or not _is(tokens[index], "{"):
        raise Unreadable("a block where one is due")
    depth = tokens[index].depth
    for end in range(index + 1, len(tokens)):
        if tokens[end].depth <= depth:
            raise Unreadable("a bracket that does not close")
        if tokens[end].depth == depth + 1 and _is(tokens[end], "}"):
            return index, end
    raise Unreadable("a block that does not close")


def _split_on(tokens: list[Token], keyword: str) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    for token in tokens:
        if token.is_keyword(keyword):
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _expect(tokens: list[Token], index: int, *kinds: str) -> Token:
    if index >= len(tokens) or tokens[index].kind not in kinds:
        raise Unreadable(f"expected {' or '.join(kinds)}")
    return tokens[index]


def _is(token: Token, punct: str) -> bool:
    return token.kind == "punct" and token.text == punct


def _end(token: Token) -> int:
    return token.start + len(token.text)


def _span(text: str, first: Token, last: Token) -> str:
    return text[first.start:_end(last)]
