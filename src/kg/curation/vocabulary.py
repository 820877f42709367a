"""The ontology's terms in plain words, both ways: a class or property to the label a documenter
reads in a dropdown, and what a documenter typed (a label, a notation, a local name, a prefixed
name or a full IRI) back to the term, with the closest terms when nothing matches."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.namespaces import CPO, PREFIXES, SCHEMA
from kg.paths import ONTOLOGY_DIR, turtle_files

_PREFIXED = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):(\S*)$")
_FULL_IRI = re.compile(r"^<([^<>\s]+)>$")
_BARE_IRI = re.compile(r"^(https?://[^<>\s\"{}|\\^`]+)$")
# Turtle's PN_LOCAL, simplified to what our IRIs use: a local name written without escapes.
_PLAIN_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")


def fold(text: str) -> str:
    """What never tells two plain words apart: case, spacing, underscores and hyphens between
    words ('date_precision', 'Date precision' and 'date-precision' are one)."""
    return re.sub(r"[\s_\-]+", " ", str(text)).strip().lower()


def expand(text: str) -> URIRef | None:
    """A prefixed name of ours ('person:vugar-nemat', 'cpo:Rally'), a <full IRI> or a bare
    http(s) IRI (as the tables write them) as an IRI."""
    text = text.strip()
    full = _FULL_IRI.match(text) or _BARE_IRI.match(text)
    if full:
        return URIRef(full.group(1))
    prefixed = _PREFIXED.match(text)
    if prefixed and prefixed.group(1) in PREFIXES and prefixed.group(2):
        return URIRef(str(PREFIXES[prefixed.group(1)]) + prefixed.group(2))
    return None


@lru_cache(maxsize=1)
def _namespaces_longest_first() -> tuple[tuple[str, str], ...]:
    pairs = [(prefix, str(namespace)) for prefix, namespace in PREFIXES.items() if prefix != "cpd"]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[1])))


def compact(iri) -> str:
    """'person:vugar-nemat' for an IRI of ours, '<...>' for any other."""
    text = str(iri)
    for prefix, namespace in _namespaces_longest_first():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return f"<{text}>"


def turtle_name(iri) -> str:
    """The IRI as Turtle writes it: a prefixed name where the local part needs no escape."""
    text = str(iri)
    for prefix, namespace in _namespaces_longest_first():
        local = text[len(namespace):]
        if text.startswith(namespace) and _PLAIN_LOCAL.match(local):
            return f"{prefix}:{local}"
    return f"<{text}>"


def local_name(iri) -> str:
    return re.split(r"[#/]", str(iri))[-1]


class Vocabulary:
    """Classes, properties and controlled lists of the ontology, with their labels."""

    def __init__(self, ontology: Graph):
        self.graph = ontology
        self.labels: dict[URIRef, str] = {}
        for term, label in ontology.subject_objects(RDFS.label):
            if isinstance(term, URIRef) and isinstance(label, Literal) and label.language in (None, "en"):
                self.labels.setdefault(term, str(label))
        self.notations = {s: str(o) for s, o in ontology.subject_objects(SKOS.notation)
                          if isinstance(s, URIRef)}
        self.object_properties = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
        self.properties = (self.object_properties | set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
                           | set(ontology.subjects(RDF.type, OWL.AnnotationProperty)))
        self.deprecated = set(ontology.subjects(OWL.deprecated, Literal(True)))

    # --- hierarchy --------------------------------------------------------------------------

    def subclasses(self, root: URIRef) -> set[URIRef]:
        """The root and every class below it."""
        return self._below(root, RDFS.subClassOf)

    def _below(self, root: URIRef, link: URIRef) -> set[URIRef]:
        """The root and every IRI that reaches it through `link`, followed any number of times."""
        found, frontier = {root}, [root]
        while frontier:
            for sub in self.graph.subjects(link, frontier.pop()):
                if isinstance(sub, URIRef) and sub not in found:
                    found.add(sub)
                    frontier.append(sub)
        return found

    def classes_under(self, *roots: URIRef) -> list[URIRef]:
        """The classes below the roots (roots included), in the order of their labels."""
        found = set().union(*(self.subclasses(root) for root in roots)) if roots else set()
        return sorted(found, key=lambda c: (self.label(c).lower(), str(c)))

    def subproperties(self, root: URIRef) -> list[URIRef]:
        """The root and every property below it, in the order of their labels."""
        found = self._below(root, RDFS.subPropertyOf)
        return sorted(found - self.deprecated, key=lambda p: (self.label(p).lower(), str(p)))

    def instances(self, cls: URIRef) -> list[URIRef]:
        return sorted((s for s in self.graph.subjects(RDF.type, cls) if isinstance(s, URIRef)),
                      key=lambda t: self.label(t).lower())

    def is_object_property(self, prop: URIRef) -> bool:
        return prop in self.object_properties or prop == RDF.type

    # --- words ------------------------------------------------------------------------------

    def label(self, term) -> str:
        """The plain words for a term: its notation for a controlled value, its English label,
        or for a term of another vocabulary its prefixed name."""
        term = URIRef(term)
        if term in self.notations:
            return self.notations[term]
        if term == SCHEMA.name:
            return "name"
        if term in self.labels and str(term).startswith(str(CPO)):
            return self.labels[term]
        return compact(term)

    def find(self, text: str, allowed) -> URIRef | None:
        """The term of `allowed` that `text` names (label, notation, local name, prefixed name
        or full IRI), or None."""
        allowed = list(allowed)
        wanted = fold(text)
        if not wanted:
            return None
        expanded = expand(text)
        if expanded is not None:
            return expanded if expanded in allowed else None
        for term in allowed:
            names = {self.label(term), local_name(term), self.labels.get(term, ""),
                     self.notations.get(term, ""), _split_camel(local_name(term))}
            if wanted in {fold(name) for name in names if name}:
                return term
        return None

    def closest(self, text: str, allowed, count: int = 3) -> list[str]:
        """The labels of `allowed` nearest to `text`, for a message."""
        labels = sorted({self.label(term) for term in allowed})
        return difflib.get_close_matches(fold(text), labels, n=count, cutoff=0.5)


def _split_camel(name: str) -> str:
    """'IranianToman' -> 'Iranian Toman', 'arrestCount' -> 'arrest Count'."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


@lru_cache(maxsize=1)
def ontology_vocabulary() -> Vocabulary:
    """The vocabulary of the ontology files in the repository (cached)."""
    from kg.pipeline.load import parse_files

    return Vocabulary(parse_files(p for p in turtle_files(ONTOLOGY_DIR) if "alignments" not in p.parts))
