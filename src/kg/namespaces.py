"""IRIs and prefixes shared by the ontology, the data, the build and the server."""

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD, TIME, ORG, VANN

BASE = "https://w3id.org/civic-protest/"

CPO = Namespace(BASE + "ontology#")   # the ontology's terms
CPD = Namespace(BASE + "id/")         # entities of the data, one sub-namespace per kind
ENTITY_KINDS = ("source", "passage", "person", "group", "organisation", "place", "event",
                "law", "sentence", "charge", "claim", "proposition", "relation", "conflict")
CPS = Namespace(BASE + "shapes#")     # SHACL shapes
GRAPH = Namespace(BASE + "graph/")    # named graphs of the built dataset

SCHEMA = Namespace("https://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
OA = Namespace("http://www.w3.org/ns/oa#")
SH = Namespace("http://www.w3.org/ns/shacl#")
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
WD = Namespace("http://www.wikidata.org/entity/")
GN = Namespace("https://www.geonames.org/ontology#")
SPDX = Namespace("http://spdx.org/rdf/terms#")   # checksums, as DCAT 3 records them

ONTOLOGY_GRAPH = URIRef(GRAPH["ontology"])
DATA_GRAPH = URIRef(GRAPH["data"])
INFERRED_GRAPH = URIRef(GRAPH["inferred"])
CHANGES_GRAPH = URIRef(GRAPH["changes"])  # the PROV log of writes, written by the server only

PREFIXES = {
    "cpo": CPO, "cpd": CPD, "cps": CPS,
    **{kind: Namespace(f"{CPD}{kind}/") for kind in ENTITY_KINDS},
    "schema": SCHEMA, "sem": SEM, "oa": OA, "prov": PROV, "time": TIME,
    "org": ORG, "foaf": FOAF, "skos": SKOS, "dcterms": DCTERMS,
    "owl": OWL, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "sh": SH, "vann": VANN,
    "geo": WGS84, "void": VOID, "dcat": DCAT, "wd": WD, "spdx": SPDX,
}


def bind_prefixes(graph):
    """Bind our prefixes on an rdflib graph or dataset (replacing rdflib's defaults)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def sparql_prologue() -> str:
    """PREFIX lines for SPARQL queries written against our vocabulary."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
