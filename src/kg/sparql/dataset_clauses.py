"""The protocol's `using-graph-uri` / `using-named-graph-uri` for SPARQL updates.

pyoxigraph's update API takes no dataset arguments, so the protocol dataset is written
into the update as USING / USING NAMED clauses before the WHERE of every DELETE/INSERT
operation (SPARQL 1.1 Protocol 2.2.3 gives them the same meaning). The caller first
refuses updates that already have USING or WITH (the protocol forbids combining them).
"""

from kg.sparql.lexer import tokenize


def with_using_clauses(update: str, using_graphs, using_named_graphs) -> str:
    clauses = "".join(f" USING <{iri}>" for iri in using_graphs)
    clauses += "".join(f" USING NAMED <{iri}>" for iri in using_named_graphs)
    if not clauses:
        return update
    tokens = tokenize(update)
    cut_points = [
        token.start for previous, token in zip([None] + tokens, tokens)
        if token.depth == 0 and token.is_keyword("WHERE")
        and not (previous is not None and previous.is_keyword("DELETE"))  # DELETE WHERE {...}
    ]
    for start in reversed(cut_points):
        update = update[:start] + clauses + " " + update[start:]
    return update
