"""Our JSON-LD @context, generated from the ontology so that it never drifts from it.

Readable keys: each cpo property under its local name ("date", "defendant"), the common
external properties under short names ("name", "altLabel"), and prefixes for everything else,
entity kinds included ("person:abbas-lisani"). A property whose local name is also a prefix
gets another key (KEY_RENAMES), since a JSON-LD term cannot be both.
"""

from __future__ import annotations

import os
import threading

from pyld import jsonld
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.namespaces import BASE, CPO, OA, PREFIXES, SCHEMA, SKOS, WGS84
from rdflib.namespace import PROV

# Short keys for external terms that the data uses everywhere.
EXTERNAL_TERMS = {
    "name": (SCHEMA.name, None),
    "altLabel": (SKOS.altLabel, None),
    "description": (PREFIXES["dcterms"].description, None),
    "label": (RDFS.label, None),
    "wasDerivedFrom": (PROV.wasDerivedFrom, "@id"),
    "hasSource": (OA.hasSource, "@id"),
    "hasSelector": (OA.hasSelector, "@id"),
    "exact": (OA.exact, None),
    "prefix": (OA.prefix, None),
    "suffix": (OA.suffix, None),
    "value": (SCHEMA.value, None),
    "minValue": (SCHEMA.minValue, None),
    "maxValue": (SCHEMA.maxValue, None),
    "lat": (WGS84.lat, XSD.decimal),
    "long": (WGS84.long, XSD.decimal),
    "exactMatch": (SKOS.exactMatch, "@id"),
}

KEY_RENAMES = {"place": "inPlace", "person": "relationPerson", "charge": "onCharge"}


def build_context(ontology: Graph) -> dict:
    context: dict = {"@version": 1.1, **{p: str(ns) for p, ns in PREFIXES.items()}}
    for key, (iri, value_type) in EXTERNAL_TERMS.items():
        context[key] = _term(iri, value_type)
    for prop in sorted(_cpo_properties(ontology)):
        key = prop[len(str(CPO)):]
        key = KEY_RENAMES.get(key, key)
        if key not in context:
            context[key] = _term(prop, _value_type(ontology, prop))
    return {"@context": context}


def _cpo_properties(ontology: Graph):
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in ontology.subjects(RDF.type, kind):
            if str(prop).startswith(str(CPO)):
                yield prop


def _value_type(ontology: Graph, prop):
    if (prop, RDF.type, OWL.ObjectProperty) in ontology:
        return "@id"
    return None  # datatype literals keep their own types


def _term(iri, value_type) -> dict | str:
    if value_type is None:
        return str(iri)
    return {"@id": str(iri), "@type": str(value_type)}


CONTEXT_URL = BASE + "context.jsonld"


# PyLD keeps resolved contexts in a process-wide cache that is not safe across threads: two
# requests compacting at once (the server runs Flask on several threads) could fail with a 500.
_COMPACTING = threading.Lock()


def _fresh_lock_in_child() -> None:
    # A process forked while another thread compacted (a download's worker, forked beside an
    # entity page's JSON-LD) inherits the lock held by a thread it does not have: its first
    # compaction would wait forever. The child runs one thread; it gets a lock of its own.
    global _COMPACTING
    _COMPACTING = threading.Lock()


os.register_at_fork(after_in_child=_fresh_lock_in_child)


def compact(expanded, context: dict) -> dict:
    """PyLD's compaction with an inline @context (so nothing is fetched), one call at a time."""
    with _COMPACTING:
        return jsonld.compact(expanded, context)
