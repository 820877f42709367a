"""The SPARQL 1.1 Service Description of the endpoint (answer to GET /sparql without query)."""

import pyoxigraph as ox

from kg.engine.store import DatasetStore
from kg.namespaces import SD, VOID

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                  "SPARQL_Results_TSV", "Turtle", "JSON-LD", "N-Triples", "RDF_XML", "TriG",
                  "N-Quads"]


def sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(SD[name]))


def service_description(endpoint: str, dataset: DatasetStore, updates_enabled: bool) -> list:
    service = ox.NamedNode(endpoint)
    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
    ]
    if updates_enabled:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    triples += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + name))
                for name in RESULT_FORMATS]
    triples += default_dataset(service, dataset)
    return triples


def default_dataset(service, dataset: DatasetStore) -> list:
    description, default_graph = ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, sd("defaultDataset"), description),
        ox.Triple(description, RDF_TYPE, sd("Dataset")),
        ox.Triple(description, sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, sd("Graph")),
        ox.Triple(default_graph, ox.NamedNode(str(VOID.triples)), ox.Literal(dataset.quad_count())),
    ]
    for index, iri in enumerate(sorted(dataset.graph_names())):
        named, graph = ox.BlankNode(f"namedGraph{index}"), ox.BlankNode(f"graph{index}")
        triples += [
            ox.Triple(description, sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(iri)),
            ox.Triple(named, sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, sd("Graph")),
        ]
    return triples
