"""A nesting pre-check that runs before any parser and before a worker is involved.

pyoxigraph's parsers recurse, and crash the process (SIGSEGV) at about 5000 nested groups.
This strips strings, IRIs and comments with one regular expression (C speed) and counts
bracket depth over what is left: linear, milliseconds per MiB, cheap enough for the server
process. The full guard (kg.sparql.guard) still runs in the worker, under the deadline.
"""

import re

from kg.sparql.guard import Refused

# Strings (long and short, both quotes), IRIs and comments: their brackets do not nest.
NOT_STRUCTURE = re.compile(r"""
    '''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)
  | \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)
  | '(?:[^'\\\n\r]|\\.)*'?
  | "(?:[^"\\\n\r]|\\.)*"?
  | <[^<>"{}|^`\\\x00-\x20]*>
  | \#[^\n\r]*
""", re.VERBOSE | re.DOTALL)
_NOT_BRACKET = re.compile(r"[^(){}\[\]]+")
_RUN = re.compile(r"\(+|\)+")
COLLAPSE_PASSES = 8


def bracket_depth(text: str, skip=NOT_STRUCTURE) -> tuple[int, int]:
    """Bounds (low, high) of the deepest nesting of (), {} and [] outside strings, IRIs and
    comments. Linear, C speed: innermost pairs are deleted a few times (each pass lowers
    the depth by at most one), then the remaining runs of brackets are counted."""
    if text.count("(") + text.count("{") + text.count("[") + text.count("<<") == 0:
        return 0, 0
    parens = skip.sub(" ", text) if skip is not None else text
    if "<<" in parens:  # RDF-star triple terms nest like brackets
        parens = parens.replace("<<", "(").replace(">>", ")")
    parens = _NOT_BRACKET.sub("", parens)
    parens = parens.replace("{", "(").replace("[", "(").replace("}", ")").replace("]", ")")
    passes = 0
    while passes < COLLAPSE_PASSES:
        shorter = parens.replace("()", "")
        if len(shorter) == len(parens):
            break
        parens, passes = shorter, passes + 1
    depth = deepest = 0
    for run in _RUN.findall(parens):
        depth = depth + len(run) if run[0] == "(" else max(0, depth - len(run))
        deepest = max(deepest, depth)
    return deepest, deepest + passes


def refuse_deep_nesting(text: str, limit: int, what: str = "the query") -> None:
    """A 400 before any parser sees `text` if it surely nests deeper than `limit` (the
    worker's guard decides the cases this cheap count leaves open)."""
    # `!!!...!` nests without brackets: the parser recurses on each.
    negations = r"(?:!(?!=)\s*){%d,}" % (limit + 1)
    if re.search(negations, text) and re.search(negations, NOT_STRUCTURE.sub(" ", text)):
        raise Refused(f"{what} nests more than {limit} negations (!); this endpoint "
                      f"allows {limit}")
    if text.count("(") + text.count("{") + text.count("[") + text.count("<<") <= limit:
        return
    low, _ = bracket_depth(text)
    if low > limit:
        raise Refused(f"{what} nests more than {limit} levels deep (at least {low}); "
                      f"this endpoint allows {limit}")
