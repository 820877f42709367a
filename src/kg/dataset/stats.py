"""`kg stats`: what the graph holds, how much of each source document it cites, how every fact
is sourced (a passage, or a curators' inference), and how much uncertainty it keeps in the
structure (docs/modelling.md)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.namespaces import sparql_prologue
from kg.pipeline.passages import Coverage, coverage
from kg.pipeline.quality import QC_DIR

# The quality-control query that defines a fact; kg stats reads it up to MARKER, where it
# starts keeping only the facts with neither a passage nor a curators' inference.
FACTS_CHECK = "facts-without-passage"
MARKER = "# What follows selects the facts"
SELECT = "SELECT DISTINCT ?focus ?path ?value WHERE {"
SOURCED_BY = """
  BIND(IF(EXISTS { ?focus cpo:qualifier ?i . ?i a cpo:CuratorInference .
                   FILTER(NOT EXISTS { ?i cpo:onProperty ?any } || EXISTS { ?i cpo:onProperty ?c . FILTER(?c IN (?path, ?link)) }) },
          "inferred by the curators",
          IF(EXISTS { ?focus prov:wasDerivedFrom ?p . ?p a cpo:Passage }, "with a passage", "neither")) AS ?sourcing)
"""
SOURCINGS = ("with a passage", "inferred by the curators", "neither")

# Uncertainty kept in the structure, each as a SPARQL pattern counting distinct ?x.
UNCERTAINTY = {
    "approximate or bounded numbers": "{ ?x a cpo:Quantity } UNION { ?x a cpo:MonetaryAmount } "
        "{ ?x cpo:approximate true } UNION { ?x schema:minValue ?b } UNION { ?x schema:maxValue ?b }",
    "values the source omits": "?n cpo:notStated ?p . BIND(CONCAT(STR(?n), ' ', STR(?p)) AS ?x)",
    "hedges of the source": "?n cpo:qualifier ?x . ?x a cpo:Hedge",
    "curators' inferences": "?n cpo:qualifier ?x . ?x a cpo:CuratorInference",
    "identity candidates (pairs)": "?a cpo:possiblySameAs ?b . FILTER(STR(?a) < STR(?b)) "
        "BIND(CONCAT(STR(?a), ' ', STR(?b)) AS ?x)",
    "dates bounded without a day": "?x cpo:notBefore|cpo:notAfter ?d",
}

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


def fact_sourcing(store, qc_dir: Path = QC_DIR) -> dict[str, int]:
    """How many facts (docs/modelling.md, section 1) have a passage, are inferred by the
    curators, or neither (the rows of shapes/qc/facts-without-passage.rq)."""
    text = (Path(qc_dir) / f"{FACTS_CHECK}.rq").read_text(encoding="utf-8")
    prologue, _, body = text[:text.index(MARKER)].partition(SELECT)
    query = (f"{prologue}SELECT ?sourcing (COUNT(*) AS ?n) WHERE {{ "
             f"SELECT DISTINCT ?focus ?path ?value ?sourcing WHERE {{ {body}{SOURCED_BY} }} }} GROUP BY ?sourcing")
    found = {str(row["sourcing"].value): int(row["n"].value)
             for row in store.query(query, use_default_graph_as_union=True)}
    return {name: found.get(name, 0) for name in SOURCINGS}


def uncertainty(store) -> dict[str, int]:
    """How many numbers, omissions, hedges, inferences, identity candidates and bounded dates
    keep in the structure what the sources leave uncertain."""
    return {name: _count(store, pattern) for name, pattern in UNCERTAINTY.items()}


def precision_counts(store, nodes: str) -> dict[str, int]:
    """Events by the notation of their date or place precision (`nodes`: `datePrecision` or
    `placePrecision`), plus those without one."""
    query = f"""{sparql_prologue()}SELECT ?notation (COUNT(DISTINCT ?e) AS ?n) WHERE {{
        GRAPH <https://w3id.org/civic-protest/graph/data> {{ ?e a ?asserted }} ?e a cpo:Event .
        OPTIONAL {{ ?e cpo:{nodes}/skos:notation ?found }} BIND(COALESCE(?found, "none") AS ?notation)
    }} GROUP BY ?notation"""
    return {str(row["notation"].value): int(row["n"].value)
            for row in store.query(query, use_default_graph_as_union=True)}


def _count(store, pattern: str) -> int:
    query = f"{sparql_prologue()}SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}"
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)


def report(store, graph: Graph, show_uncited: bool = False) -> str:
    lines = ["counts:"]
    lines += [f"  {name:<17} {n}" for name, n in counts(store).items()]
    lines.append("paragraphs cited by at least one fact:")
    for cov in coverage(graph):
        lines.append(_coverage_line(cov))
        if show_uncited:
            lines += [f"    not cited: {text}" for text in cov.uncited]
    sourcing = fact_sourcing(store)
    total = sum(sourcing.values())
    lines.append(f"facts (docs/modelling.md, section 1): {total}")
    if total:
        sourced = total - sourcing["neither"]
        lines.append(f"  sourced (a passage, or a curators' inference with its reason): {sourced} of {total} ({sourced / total:.1%})")
    lines += [f"  {name:<25} {n:>5} ({n / total:.1%})" if total else f"  {name:<25} {n:>5}"
              for name, n in sourcing.items()]
    lines.append("uncertainty kept in the structure:")
    lines += [f"  {name:<31} {n}" for name, n in uncertainty(store).items()]
    for nodes, title in (("datePrecision", "events by date precision"), ("placePrecision", "events by place precision")):
        found = precision_counts(store, nodes)
        lines.append(f"{title}: " + ", ".join(f"{name} {n}" for name, n in sorted(found.items(), key=_precision_order)))
    return "\n".join(lines)


PRECISION_ORDER = ("day", "week", "month", "year", "years", "site", "town", "region", "province", "country", "none")


def _precision_order(item) -> int:
    return PRECISION_ORDER.index(item[0]) if item[0] in PRECISION_ORDER else len(PRECISION_ORDER)


def _coverage_line(cov: Coverage) -> str:
    return f"  {cov.local_file}: {cov.cited} of {cov.paragraphs} ({cov.share:.0%})"
