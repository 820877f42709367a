"""`kg stats`: what the graph holds, and how much of each source document it cites."""

from __future__ import annotations

from rdflib import Graph

from kg.namespaces import sparql_prologue
from kg.pipeline.passages import Coverage, coverage

# What a researcher asks "how many?" about, each as a SPARQL pattern over the inferred graph.
COUNTED = {
    "persons": "?x a cpo:Person",
    "organisations": "?x a cpo:Organisation",
    "groups": "?x a cpo:Group",
    "places": "?x a cpo:Place",
    "events": "?x a cpo:Event",
    "protest actions": "?x a cpo:ProtestAction",
    "arrests": "?x a cpo:Arrest",
    "detentions": "?x a cpo:Detention",
    "releases": "?x a cpo:Release",
    "charges": "?x a cpo:Charge",
    "rulings": "?x a cpo:Ruling",
    "sentences": "?x a cpo:Sentence",
    "statements": "?x a cpo:Statement",
    "claims": "?x a cpo:Claim",
    "denials": "?x a cpo:Denial",
    "source conflicts": "?x a cpo:SourceConflict",
    "quoted passages": "?x a cpo:Passage",
}


def counts(store) -> dict[str, int]:
    """Distinct instances per kind, from a pyoxigraph store of the built dataset."""
    result = {}
    for name, pattern in COUNTED.items():
        query = f"{sparql_prologue()}SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}"
        solution = next(iter(store.query(query, use_default_graph_as_union=True)))
        result[name] = int(solution["n"].value)
    return result


def report(store, graph: Graph, show_uncited: bool = False) -> str:
    lines = ["counts:"]
    lines += [f"  {name:<17} {n}" for name, n in counts(store).items()]
    lines.append("paragraphs cited by at least one fact:")
    for cov in coverage(graph):
        lines.append(_coverage_line(cov))
        if show_uncited:
            lines += [f"    not cited: {text}" for text in cov.uncited]
    return "\n".join(lines)


def _coverage_line(cov: Coverage) -> str:
    return f"  {cov.local_file}: {cov.cited} of {cov.paragraphs} ({cov.share:.0%})"
