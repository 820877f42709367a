"""Inference: the OWL-RL closure of ontology + data, and the terms derived from the data (date
bounds and precision, place precision, most specific types: kg.pipeline.derive), written into
the inferred graph of a store, kept apart from what was asserted.

Three reasoners give the same closure of our data (tests/test_reasoners_agree.py lists and
explains the few differences, all about the vocabulary's own terms):

- owlrl (pure Python) is the reference: complete for our ontology, but slow (about 6 s for
  the real data's 5k triples, 35 s at 10^5);
- sparql (kg.pipeline.materialize): our ontology's OWL-RL rules compiled to SPARQL updates
  run inside pyoxigraph, about 17 s of CPU at 10^6 triples; it raises Unsupported for OWL
  it does not compile;
- reasonable (Rust) computes the closure in a fraction of owlrl's time but hands millions of
  Python tuples back, and leaves out property chains whose first link is an inverse
  (`complete_chains` adds the one our ontology has).

`auto` uses owlrl below LARGE_GRAPH asserted triples (the reference, with pyshacl's file-
naming reports) and sparql above it, falling back to reasonable for OWL sparql cannot compile.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import owlrl
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.namespaces import CPO, DATA_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from kg.pipeline.derive import DERIVED_PREDICATES, DERIVED_RADIUS, add_derived_terms  # noqa: F401 (re-exported)
from kg.terms import to_ox, to_rdflib

ONTOLOGY, DATA, INFERRED = (ox.NamedNode(str(g)) for g in (ONTOLOGY_GRAPH, DATA_GRAPH, INFERRED_GRAPH))
REASONERS = ("owlrl", "sparql", "reasonable")
# At or above this many asserted triples, `auto` takes `sparql`. Measured (benchmarks/README.md,
# "Build at 10^6"): at 10^6 triples sparql infers in about 17 s of CPU against about 100 s for
# reasonable; owlrl takes 35 s at 10^5. Below it owlrl is kept: it is the reference.
LARGE_GRAPH = 50_000


def choose_reasoner(reasoner: str, asserted_triples: int) -> str:
    if reasoner == "auto":
        return "sparql" if asserted_triples >= LARGE_GRAPH else "owlrl"
    if reasoner not in REASONERS:
        raise ValueError(f"unknown reasoner {reasoner!r} (choose from {', '.join(REASONERS)}, auto)")
    return reasoner


def infer_into(store: ox.Store, reasoner: str = "owlrl", sources=(ONTOLOGY, DATA),
               target=INFERRED, derived: bool = True) -> str:
    """Fill `target` with what the graphs `sources` entail and do not assert, and (`derived`)
    the terms derived from them (kg.pipeline.derive). `reasoner`: owlrl, sparql, reasonable, or
    `auto-sparql` (sparql, else reasonable where it raises Unsupported). Returns the reasoner
    used."""
    used = reasoner
    if reasoner in ("sparql", "auto-sparql"):
        from kg.pipeline.materialize import Unsupported, materialize

        try:
            materialize(store, [g.value for g in sources], target.value)
            used = "sparql"
        except Unsupported:
            if reasoner == "sparql":
                raise
            used = "reasonable"
    if used == "owlrl":
        store.extend(_quads(owl_rl_closure(graph_of(store, sources)), target))
    elif used == "reasonable":
        _reasonable_into(store, sources, target)
    elif used != "sparql":
        raise ValueError(f"unknown reasoner {reasoner!r} (choose from {', '.join(REASONERS)})")
    if derived:
        add_derived_terms(store, sources, target)
    return used


# --- the same, for rdflib graphs (tests, SHACL examples) ----------------------------------

def closure(asserted: Graph, reasoner: str = "owlrl") -> Graph:
    """The OWL-RL closure of rdflib graph `asserted`, without `asserted` (blank nodes keep
    their labels, so closures by different reasoners can be compared)."""
    return _in_store(asserted, reasoner, derived=False)


def infer(asserted: Graph, reasoner: str = "owlrl") -> Graph:
    """What the build infers from rdflib graph `asserted`: its closure and the derived terms."""
    return _in_store(asserted, reasoner, derived=True)


def add_derived(store: ox.Store, sources=(ONTOLOGY, DATA), target=INFERRED) -> None:
    """The derived terms of the graphs `sources` into `target` (which holds their closure):
    what a build adds after the closure, and a write recomputes for the nodes it touches."""
    add_derived_terms(store, sources, target)


def derived_terms(asserted: Graph, closure: Graph) -> Graph:
    """The terms kg.pipeline.derive derives from rdflib graph `asserted`, whose OWL-RL closure
    (without `asserted`) is `closure`."""
    store = _store_of(asserted)
    store.extend(_quads(closure, INFERRED))
    add_derived_terms(store, (DATA,), INFERRED)
    return graph_of(store, (INFERRED,)) - closure


def _in_store(asserted: Graph, reasoner: str, derived: bool) -> Graph:
    if reasoner == "owlrl" and not derived:
        return owl_rl_closure(asserted)
    store = _store_of(asserted)
    infer_into(store, reasoner, (DATA,), INFERRED, derived)
    return graph_of(store, (INFERRED,))


def _store_of(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.extend(_quads(graph, DATA))
    return store


def graph_of(store: ox.Store, graphs) -> Graph:
    """The union of `graphs` of a store as one rdflib graph (lexical forms kept)."""
    graph = Graph()
    for name in graphs:
        for quad in store.quads_for_pattern(None, None, None, name):
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def _quads(triples, target) -> list[ox.Quad]:
    cache: dict = {}
    return [ox.Quad(to_ox(s, cache), to_ox(p, cache), to_ox(o, cache), target) for s, p, o in triples]


# --- owlrl ------------------------------------------------------------------------------

def owl_rl_closure(asserted: Graph) -> Graph:
    """The triples that OWL-RL inference (owlrl) adds to `asserted`, without `asserted`."""
    work = Graph()
    for triple in asserted:
        work.add(triple)
    # improved_datatypes=False: otherwise owlrl swaps rdflib's process-wide lexical-to-Python
    # conversions and "restores" its own notion of them, after which rdflib no longer finds
    # "2020-12"^^xsd:gYearMonth equal to itself in any graph parsed later in the process.
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False,
                           improved_datatypes=False).expand(work)
    inferred = Graph()
    for triple in work:
        if triple not in asserted and not is_noise(triple):
            inferred.add(triple)
    return inferred


def is_noise(triple) -> bool:
    """Triples a reader cannot use: reflexive owl:sameAs (one per resource), and generalized
    RDF (literal subjects, blank-node predicates), which RDF syntaxes cannot even write."""
    s, p, o = triple
    return isinstance(s, Literal) or not isinstance(p, URIRef) or (p == OWL.sameAs and s == o)


# --- reasonable ---------------------------------------------------------------------------

def _reasonable_into(store: ox.Store, sources, target) -> None:
    import reasonable

    with tempfile.TemporaryDirectory() as tmp:
        asserted = Path(tmp) / "asserted.ttl"  # N-Triples, which reasonable reads as Turtle
        with asserted.open("wb") as out:
            for graph in sources:
                store.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        reasoner = reasonable.PyReasoner()
        reasoner.load_file(str(asserted))
        closure = reasoner.reason()
    quads = _reasonable_quads(closure, target)
    del closure
    store.bulk_extend(quads)
    del quads
    complete_chains(store, sources, target)
    inferred = f"GRAPH <{target.value}> {{ ?s ?p ?o }}"
    asserted = " UNION ".join(f"{{ GRAPH <{g.value}> {{ ?s ?p ?o }} }}" for g in sources)
    store.update(f"DELETE {{ {inferred} }} WHERE {{ {inferred} {asserted} }}")


def _reasonable_quads(closure, target) -> list:
    """reasonable's triples as quads of `target`, noise left out; IRIs and blank nodes made
    once each (they repeat across millions of triples)."""
    xsd_string = XSD.string
    terms: dict = {}
    quads = []
    for s, p, o in closure:
        if is_noise((s, p, o)):
            continue
        if type(o) is Literal and o.language is None and o.datatype == xsd_string:
            o = Literal(str(o))  # reasonable writes plain literals as xsd:string: RDF 1.1's same
        quads.append(ox.Quad(to_ox(s, terms), to_ox(p, terms), to_ox(o, terms), target))
    return quads


def complete_chains(store: ox.Store, sources, target) -> None:
    """cpo:hasRelative from family relations, both ways, and its super-property
    schema:relatedTo: the property chain reasonable leaves out."""
    using = " ".join(f"USING <{g.value}>" for g in (*sources, target))
    store.update(f"""
        PREFIX cpo: <{CPO}> PREFIX schema: <https://schema.org/>
        INSERT {{ GRAPH <{target.value}> {{ ?a cpo:hasRelative ?b . ?a schema:relatedTo ?b .
                                           ?b cpo:hasRelative ?a . ?b schema:relatedTo ?a . }} }}
        {using} WHERE {{ ?r cpo:person ?a ; cpo:relative ?b . }}""")


# --- owlrl's datatype axioms -------------------------------------------------------------

def owlrl_datatype_axioms(datatypes) -> set:
    """The triples owlrl adds for the literal datatypes `datatypes` (rdflib URIRefs) that a
    graph uses, besides its fixed ones (every OWL RL datatype rdfs:Datatype): the datatypes
    above them, typed rdfs:Datatype, and owl:disjointWith between the used ones its table
    pairs (owlrl.OWLRL, _one_time_rules_datatypes). They depend on the data, so a write that
    keeps the inferred graph up to date keeps them too."""
    from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
    from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes

    used = {d for d in datatypes if d in OWL_RL_Datatypes}
    triples = set()
    for datatype in list(used):
        for above in OWL_Datatype_Subsumptions.get(datatype, ()):
            triples.add((above, RDF.type, RDFS.Datatype))
            used.add(above)
    triples -= {(d, RDF.type, RDFS.Datatype) for d in OWL_RL_Datatypes}  # fixed, always there
    triples |= {(a, p, b) for a, p, b in OWLRL_Datatypes_Disjointness if a in used and b in used}
    return triples


def owlrl_datatype(term) -> URIRef | None:
    """The datatype owlrl sees on a pyoxigraph literal (None for plain and language strings,
    as rdflib reads them), if it is one of OWL RL's."""
    if not isinstance(term, ox.Literal) or term.language or term.datatype.value == str(XSD.string):
        return None
    datatype = URIRef(term.datatype.value)
    return datatype if datatype in _owlrl_datatypes() else None


def owlrl_finds_ill_typed(term) -> bool:
    """Whether owlrl finds the literal's lexical form outside its datatype: it then adds an
    error node with a fresh blank node to the closure (rule dt-not-type)."""
    from owlrl.DatatypeHandling import AltXSDToPYTHON

    datatype = owlrl_datatype(term)
    if datatype is None:
        return False
    try:
        AltXSDToPYTHON.get(datatype, lambda v: v)(term.value)
    except ValueError:
        return True
    return False


def literal_datatypes(store: ox.Store, sources=(ONTOLOGY, DATA)) -> set:
    """The datatypes of the literals the graphs `sources` hold, as owlrl sees them."""
    graphs = " ".join(f"<{g.value}>" for g in sources)
    rows = store.query(f"SELECT DISTINCT (DATATYPE(?o) AS ?d) WHERE {{ VALUES ?g {{ {graphs} }} "
                       f"GRAPH ?g {{ ?s ?p ?o }} FILTER(isLiteral(?o)) }}")
    return {URIRef(row["d"].value) for row in rows} & set(_owlrl_datatypes())


def _owlrl_datatypes():
    from owlrl.XsdDatatypes import OWL_RL_Datatypes

    return [d for d in OWL_RL_Datatypes if d != XSD.string]
