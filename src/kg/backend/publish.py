"""`kg publish --to URL`: load the built dataset into an external SPARQL 1.1 store.

Each named graph of the built dataset (ontology, data, inferred: validated and inferred by
`kg build`) is sent with the SPARQL 1.1 Graph Store HTTP Protocol: the first chunk with PUT
(replacing what the store held in that graph), further chunks with POST (merged). A chunk
keeps together every triple of a group of blank nodes that share a triple, so no blank node
is split across two documents (each document has its own blank-node scope). Then the store's
SPARQL endpoint is asked how many triples each graph holds, and each count must equal ours.

The graph store is `graph_store` (a URL, or a path resolved against the SPARQL endpoint's
URL): Virtuoso `/sparql-graph-crud-auth`, Fuseki `http://host:3030/DATASET/data`, GraphDB
`http://host:7200/repositories/REPO/rdf-graphs/service`. Graphs are named indirectly
(`?graph=IRI`, SPARQL 1.1 GSP 4.2).
"""

from __future__ import annotations

import json
import urllib.error
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin

import pyoxigraph as ox

from kg.backend import http
from kg.backend.http import Credentials
from kg.formats import rdf_syntax_named
from kg.namespaces import PREFIXES

SYNTAXES = ("turtle", "nt")  # what a graph is sent as (kg.formats names)

DEFAULT_CHUNK_TRIPLES = 100_000


class PublishError(Exception):
    """Publishing failed; the message says which graph and what the store answered."""


@dataclass
class GraphReport:
    graph: str               # IRI, or "" for the default graph
    triples: int             # ours
    chunks: int = 0
    found: int | None = None  # the store's count after loading

    @property
    def matches(self) -> bool:
        return self.found == self.triples


@dataclass
class PublishReport:
    sparql_url: str
    graph_store_url: str
    graphs: list[GraphReport] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"published to {self.graph_store_url} (verified through {self.sparql_url}):"]
        for report in self.graphs:
            name = f"<{report.graph}>" if report.graph else "the default graph"
            lines.append(f"  {name}: {report.triples} triples in {report.chunks} request(s); "
                         f"the store counts {report.found}")
        return "\n".join(lines)


def publish(sparql_url: str, dataset_path: Path | str | None = None, *, graph_store: str | None = None,
            credentials: Credentials | None = None, syntax: str = "turtle",
            chunk_triples: int = DEFAULT_CHUNK_TRIPLES, timeout: float = 300.0,
            verify: bool = True, progress=None) -> PublishReport:
    """Load every graph of the dataset file (default: the built dataset) into the store at
    `graph_store` (default: the SPARQL endpoint's own URL), then verify the counts.
    Raises PublishError on the first failure."""
    if syntax not in SYNTAXES:
        raise ValueError(f"syntax must be one of {sorted(SYNTAXES)}")
    if dataset_path is None:
        from kg.pipeline.build import ensure_built
        dataset_path = ensure_built()
    store = ox.Store()
    store.bulk_load(path=str(dataset_path), format=ox.RdfFormat.N_QUADS)
    store_url = urljoin(sparql_url, graph_store) if graph_store else sparql_url
    report = PublishReport(sparql_url, store_url)
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    if any(True for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        graphs.insert(0, "")
    for graph in graphs:
        name = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, name)]
        graph_report = GraphReport(graph, len(triples))
        chunks = list(chunked(triples, chunk_triples)) or [[]]  # PUT an empty graph too
        for index, chunk in enumerate(chunks):
            method = "PUT" if index == 0 else "POST"
            send_chunk(store_url, graph, method, chunk, syntax, credentials, timeout,
                       f"chunk {index + 1}/{len(chunks)}")
            graph_report.chunks += 1
            if progress:
                progress(f"{method} <{graph or 'default'}> chunk {index + 1}/{len(chunks)}: "
                         f"{len(chunk)} triples")
        report.graphs.append(graph_report)
    if verify:
        verify_counts(report, credentials, timeout)
    return report


def graph_url(store_url: str, graph: str) -> str:
    query = urlencode({"graph": graph}, quote_via=quote) if graph else "default"
    return store_url + ("&" if "?" in store_url else "?") + query


def send_chunk(store_url, graph, method, triples, syntax, credentials, timeout, what) -> None:
    rdf = rdf_syntax_named(syntax)
    options = {"prefixes": {p: str(ns) for p, ns in PREFIXES.items()}} if rdf.key == "turtle" else {}
    body = ox.serialize(triples, format=rdf.ox, **options) if triples else b""
    target = f"<{graph}>" if graph else "the default graph"
    try:
        with http.request(method, graph_url(store_url, graph), body,
                          {"Content-Type": f"{rdf.media_type}; charset=utf-8"}, credentials, timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise PublishError(f"{method} of {target} ({what}, {len(triples)} triples) to {store_url} "
                           f"failed: HTTP {error.code}: {http.error_message(error)}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PublishError(f"{method} of {target} ({what}) to {store_url} failed: "
                           f"cannot reach the store ({reason})") from None


def verify_counts(report: PublishReport, credentials, timeout) -> None:
    """Ask the store's SPARQL endpoint for each graph's triple count; all must match."""
    for graph in report.graphs:
        pattern = f"GRAPH <{graph.graph}> {{ ?s ?p ?o }}" if graph.graph else "?s ?p ?o"
        graph.found = count(report.sparql_url, pattern, credentials, timeout, graph.graph)
    wrong = [g for g in report.graphs if not g.matches]
    if wrong:
        details = "; ".join(f"<{g.graph or 'default'}>: sent {g.triples}, the store counts {g.found}"
                            for g in wrong)
        raise PublishError(f"the store does not hold what was sent: {details}")


def count(sparql_url: str, pattern: str, credentials, timeout: float, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
    body = urlencode({"query": query}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "Accept": "application/sparql-results+json"}
    target = f"<{graph}>" if graph else "the default graph"
    try:
        with http.request("POST", sparql_url, body, headers, credentials, timeout) as response:
            results = json.loads(http.read_bounded(response, 1024 * 1024))
        return int(results["results"]["bindings"][0]["n"]["value"])
    except urllib.error.HTTPError as error:
        raise PublishError(f"counting the triples of {target} at {sparql_url} failed: "
                           f"HTTP {error.code}: {http.error_message(error)}") from None
    except (urllib.error.URLError, OSError) as error:
        raise PublishError(f"counting the triples of {target} at {sparql_url} failed: cannot "
                           f"reach the endpoint ({getattr(error, 'reason', error)})") from None
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise PublishError(f"counting the triples of {target} at {sparql_url} failed: "
                           f"unexpected answer ({error})") from None


# --- chunks that never split a blank node's triples ------------------------------------

def chunked(triples: list, size: int):
    """Lists of at most `size` triples (a group of triples linked by shared blank nodes is
    never split, so one group larger than `size` makes a larger chunk)."""
    size = max(1, int(size))
    if len(triples) <= size:
        if triples:
            yield triples
        return
    plain, groups = [], {}
    parent: dict = {}

    def find(node):
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    linked = []
    for triple in triples:
        nodes = [t for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        if not nodes:
            plain.append(triple)
            continue
        linked.append((triple, nodes[0]))
        roots = [find(n) for n in nodes]
        for other in roots[1:]:
            parent[other] = roots[0]
    for triple, node in linked:
        groups.setdefault(find(node), []).append(triple)
    chunk: list = []
    for group in groups.values():
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    for triple in plain:
        if len(chunk) >= size:
            yield chunk
            chunk = []
        chunk.append(triple)
    if chunk:
        yield chunk
