"""What one document holds, as facts (kg.curation.facts).

From the data folder (the command line): everything in documents/<name>/, the document's own
description in registry/sources.ttl, and the registry definitions of every shared entity it
names (people, places, organisations, groups, law), with the places and bodies those sit in.

From a store (the server): the passages quoting the document, every node citing them, the
nodes only those nodes lead to (propositions), and the document's description. Shared entities
are not the document's there: a workbook adds to them and never removes from them, since what a
store holds about a person may come from other documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.curation.facts import by_subject, facts_of, named_objects, tree_of
from kg.namespaces import CPD, CPO, OA
from kg.paths import turtle_files
from kg.terms import to_rdflib

REGISTRY_FILES = {"person": "people.ttl", "place": "places.ttl", "organisation": "organisations.ttl",
                  "group": "organisations.ttl", "law": "law.ttl", "source": "sources.ttl"}
SHARED_KINDS = ("person", "place", "organisation", "group", "law")


def kind(term) -> str | None:
    """person, place, event ... for an IRI of our data; None for anything else."""
    if isinstance(term, URIRef) and str(term).startswith(str(CPD)):
        return str(term)[len(str(CPD)):].split("/", 1)[0]
    return None


def is_shared(term) -> bool:
    return kind(term) in SHARED_KINDS


def document_iri(name: str) -> URIRef:
    """source:azfront-2023 from 'azfront-2023', 'source:azfront-2023' or the full IRI."""
    name = name.strip()
    if name.startswith(str(CPD)):
        return URIRef(name)
    return URIRef(f"{CPD}source/{name.removeprefix('source:')}")


@dataclass
class ParsedFile:
    path: Path
    facts: set
    order: dict          # fact -> its position in the file


def parse_ordered(path: Path) -> ParsedFile:
    """A Turtle file's facts, with the position of each (for rows and objects in file order)."""
    graph, first = Graph(), {}
    for index, triple in enumerate(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE,
                                            base_iri=path.resolve().as_uri())):
        s, p, o = (to_rdflib(t) for t in (triple.subject, triple.predicate, triple.object))
        graph.add((s, p, o))
        first.setdefault((s, p, o), index)
    facts = facts_of(graph)
    # a fact's position is its triple's, or for a tree that of the triple linking it
    order = {(s, p, tree_of(graph, o)): index for (s, p, o), index in first.items()
             if isinstance(s, URIRef)}
    return ParsedFile(path, facts, {fact: order.get(fact, 0) for fact in facts})


@dataclass
class DataFolder:
    """The data folder read as facts, file by file."""

    root: Path
    files: dict = field(default_factory=dict)     # relative path -> ParsedFile

    @staticmethod
    def read(root: Path) -> "DataFolder":
        folder = DataFolder(Path(root))
        for path in turtle_files(root):
            folder.files[path.relative_to(root).as_posix()] = parse_ordered(path)
        return folder

    def facts(self, prefix: str = "") -> set:
        return set().union(set(), *(f.facts for name, f in self.files.items() if name.startswith(prefix)))

    def order(self) -> dict:
        """Every fact's position across the files, documents first (then registry)."""
        positions, offset = {}, 0
        for name in sorted(self.files, key=lambda n: (not n.startswith("documents/"), n)):
            parsed = self.files[name]
            for fact, index in parsed.order.items():
                positions.setdefault(fact, offset + index)
            offset += len(parsed.order) + 1
        return positions

    def registry_facts(self) -> set:
        return self.facts("registry/")

    def documents(self) -> list[str]:
        return sorted({name.split("/")[1] for name in self.files if name.startswith("documents/")})


@dataclass
class DocumentScope:
    """One document's facts: its own, its description, the shared entities' definitions."""

    document: URIRef
    own: set                 # what the document reports (its folder, or its nodes in a store)
    description: set         # the document's description (registry/sources.ttl)
    shared: set              # definitions of the shared entities it names (registry/)
    order: dict = field(default_factory=dict)

    @property
    def facts(self) -> set:
        return self.own | self.description | self.shared


def folder_scope(folder: DataFolder, document: URIRef) -> DocumentScope:
    name = str(document).rsplit("/", 1)[-1]
    own = folder.facts(f"documents/{name}/")
    registry = by_subject(folder.registry_facts())
    description = registry.get(document, set())
    shared = shared_definitions(own | description, registry)
    return DocumentScope(document, own, description, shared, folder.order())


def shared_definitions(facts: set, registry: dict) -> set:
    """The registry facts of every shared entity `facts` name, and of the entities those
    name in turn (a town's province, a branch's court)."""
    wanted = {t for fact in facts for t in (fact[0], *named_objects(fact[2])) if is_shared(t)}
    found, frontier = set(), list(wanted)
    seen = set(wanted)
    while frontier:
        entity = frontier.pop()
        for fact in registry.get(entity, ()):
            found.add(fact)
            for target in named_objects(fact[2]):
                if is_shared(target) and target not in seen:
                    seen.add(target)
                    frontier.append(target)
    return found


def store_scope(data: Graph, document: URIRef) -> DocumentScope:
    """The document's own nodes in a data graph (see the module's docstring)."""
    facts = facts_of(data, strict=False)
    subjects = by_subject(facts)
    passages = {s for s in data.subjects(OA.hasSource, document) if isinstance(s, URIRef)}
    other_passages = {s for s in data.subjects(RDF.type, CPO.Passage)} - passages
    own_nodes = set(passages)
    for subject, its in subjects.items():
        if subject in passages or is_shared(subject) or subject == document:
            continue
        cited = set().union(set(), *(named_objects(f[2]) for f in its))
        if cited & passages:
            own_nodes.add(subject)
    frontier = list(own_nodes)
    while frontier:
        node = frontier.pop()
        for fact in subjects.get(node, ()):
            for target in named_objects(fact[2]):
                if target in own_nodes or is_shared(target) or kind(target) in (None, "source") \
                        or target not in subjects:
                    continue
                cited = set().union(set(), *(named_objects(f[2]) for f in subjects[target]))
                if cited & other_passages:
                    continue
                own_nodes.add(target)
                frontier.append(target)
    own = {f for node in own_nodes for f in subjects.get(node, ())}
    description = subjects.get(document, set())
    shared_facts = {s: fs for s, fs in subjects.items() if is_shared(s)}
    return DocumentScope(document, own, description, shared_definitions(own | description, shared_facts))
