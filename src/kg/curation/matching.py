"""Names in a workbook against the known people, places and organisations, with the matcher the
reconciliation service uses (kg.linking.entity_search: names and other spellings, tolerant of
transliteration variants).

Only the same name, folded (case, diacritics, punctuation: kg.linking.names.exact_key), is taken
as the same entity. A name that is merely close (a variant spelling, a letter apart) is never
merged silently: the importer refuses it and proposes the candidates, and the documenter says
which it is (the known name or id; an id of its own; or an identity candidate)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from kg.curation.scope import kind
from kg.linking.entity_search import SearchEntity, name_similarity, search
from kg.linking.names import exact_key, similarity, variant_key
from kg.namespaces import SCHEMA

NEAR_DUPLICATE = 0.85      # a name this close to another entity's is a possible duplicate...
DIFFERENT_WORDS = 0.75     # ...if the words that differ are this close too (not Tabriz / Ardabil)
CLOSEST = 0.75             # the candidates a message proposes
SHEETS_OF_KIND = {"person": ("People",), "organisation": ("Organisations",), "group": ("Organisations",),
                  "place": ("Places",), "law": ("Laws",), "source": ("Source",),
                  "event": ("Events", "Arrests", "Detentions", "Releases", "Charges", "Rulings", "Statements"),
                  "charge": ("Charges",), "claim": ("Statements",), "sentence": ("Sentences",),
                  "proposition": ("Propositions",), "relation": ("Relations",), "conflict": ("Other things",)}


@dataclass
class Candidate:
    iri: URIRef
    name: str
    similarity: float


@dataclass
class NameIndex:
    """Named nodes by sheet, with every spelling, for exact look-ups and the matcher."""

    entities: dict = field(default_factory=dict)    # IRI -> SearchEntity
    by_key: dict = field(default_factory=dict)      # folded name -> {IRI}

    def add(self, iri: URIRef, name: str, alt_labels=(), sheets=()) -> None:
        old = self.entities.get(iri)
        sheets = frozenset(sheets) | (old.types if old else frozenset())
        names = tuple(dict.fromkeys([*(old.alt_labels if old else ()), *alt_labels]))
        entity = SearchEntity(str(iri), old.name if old else name, names, sheets)
        self.entities[iri] = entity
        for spelling in (name, *alt_labels):
            key = exact_key(spelling)
            if key:
                self.by_key.setdefault(key, set()).add(iri)

    def exact(self, name: str, sheets) -> set:
        wanted = set(sheets)
        return {iri for iri in self.by_key.get(exact_key(name), ())
                if not wanted or self.entities[iri].types & wanted}

    def near(self, name: str, sheets, floor: float = CLOSEST, limit: int = 3) -> list[Candidate]:
        found = search(list(self.entities.values()), name, types=tuple(sheets), limit=limit + 3)
        result = []
        for scored in found:
            similar, matched = name_similarity(name, self.entities[URIRef(scored.entity.iri)].names)
            if similar >= floor and exact_key(matched) != exact_key(name):
                result.append(Candidate(URIRef(scored.entity.iri), scored.entity.name, similar))
        return result[:limit]

    def duplicates(self, name: str, sheets) -> list[Candidate]:
        """Entities whose name is close to `name` and differs from it only in words close to its
        own: 'Vugar Nemmat' for 'Vugar Nemat', not 'Ardabil prosecutor's office' for
        'Tabriz prosecutor's office'."""
        found = []
        for candidate in self.near(name, sheets, NEAR_DUPLICATE):
            entity = self.entities[candidate.iri]
            if any(_words_alike(name, other) for other in entity.names):
                found.append(candidate)
        return found

    @staticmethod
    def of_facts(facts) -> "NameIndex":
        """Every node of ours with a schema:name in `facts`, with its other spellings."""
        names, alts = {}, {}
        for s, p, o in facts:
            if not isinstance(o, Literal) or kind(s) not in SHEETS_OF_KIND:
                continue
            if p == SCHEMA.name:
                names.setdefault(s, str(o))
            elif p == SKOS.altLabel:
                alts.setdefault(s, []).append(str(o))
        index = NameIndex()
        for iri, name in sorted(names.items()):
            index.add(iri, name, sorted(alts.get(iri, ())), SHEETS_OF_KIND[kind(iri)])
        return index


def _words_alike(a: str, b: str) -> bool:
    words_a, words_b = variant_key(a).split(), variant_key(b).split()
    only_a = [w for w in words_a if w not in words_b]
    only_b = [w for w in words_b if w not in words_a]
    if not only_a or not only_b:
        return similarity(a, b) >= NEAR_DUPLICATE
    return similarity(" ".join(only_a), " ".join(only_b)) >= DIFFERENT_WORDS


def percent(similarity: float) -> str:
    return f"{round(similarity * 100)}%"
