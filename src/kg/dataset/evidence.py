"""Which passage attests a fact: the data's citations, spellings and links, read once from a
store of the built dataset, and the rule every table row follows (kg.dataset.tables).

A row names the node whose passages are its evidence and, optionally, the words its fact is
about (a literal, or a node whose spellings count). It gets the first of the node's passages,
in IRI order, whose quote contains those words (ignoring case); where none does and the table
allows it, the first such passage of a node that links to it (a name may be written only where
another node mentions it); else the node's first passage. The quote is the data's own oa:exact,
never rebuilt from the document.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import DATA_GRAPH, sparql_prologue

CITATIONS = f"""
SELECT ?node ?passage ?document ?quote WHERE {{
  GRAPH <{DATA_GRAPH}> {{
    ?node prov:wasDerivedFrom ?passage .
    ?passage a cpo:Passage ; oa:hasSource ?document ; oa:hasSelector/oa:exact ?quote .
  }}
}}"""
SPELLINGS = "SELECT ?node ?name WHERE { ?node schema:name|skos:altLabel ?name }"
LINKS = f"SELECT DISTINCT ?s ?o WHERE {{ GRAPH <{DATA_GRAPH}> {{ ?s ?p ?o FILTER(isIRI(?o)) }} }}"


def select(store: ox.Store, query: str) -> list[dict]:
    """Solutions of a SELECT over the union of the store's graphs, as {variable: term}."""
    results = store.query(sparql_prologue() + query, use_default_graph_as_union=True)
    names = [v.value for v in results.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in results]


@dataclass(frozen=True)
class Citation:
    passage: str
    document: str
    quote: str


@dataclass
class Evidence:
    cited: dict = field(default_factory=lambda: defaultdict(list))
    spellings: dict = field(default_factory=lambda: defaultdict(list))
    linkers: dict = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, store: ox.Store) -> "Evidence":
        evidence = cls()
        for row in select(store, CITATIONS):
            evidence.cited[row["node"]].append(
                Citation(row["passage"].value, row["document"].value, row["quote"].value))
        for citations in evidence.cited.values():
            citations.sort(key=lambda c: c.passage)
        for row in select(store, SPELLINGS):
            evidence.spellings[row["node"]].append(row["name"].value)
        for row in select(store, LINKS):
            evidence.linkers[row["o"]].add(row["s"])
        return evidence

    def words_of(self, term) -> list[str]:
        if term is None:
            return []
        if isinstance(term, ox.Literal):
            return [term.value] if term.value else []
        return self.spellings.get(term, [])

    def choose(self, node, words_term=None, linked: bool = False) -> Citation | None:
        """The passage that best attests a fact of `node` about `words_term`; None if neither
        the node (nor, if `linked`, a node linking to it) cites one."""
        words = [w.casefold() for w in self.words_of(words_term)]
        own = self.cited.get(node, [])
        found = containing(own, words)
        if found is None and linked:
            others = sorted((c for n in self.linkers.get(node, ()) for c in self.cited.get(n, [])),
                            key=lambda c: c.passage)
            found = containing(others, words)
        return found or (own[0] if own else None)


def containing(citations, words) -> Citation | None:
    """The first citation whose quote contains one of the (case-folded) words."""
    for citation in citations if words else ():
        quote = citation.quote.casefold()
        if any(word in quote for word in words):
            return citation
    return None
