"""`kg export --format mixnmatch`: a Mix'n'match catalog of our people and organisations that
have no Wikidata item yet, so that Wikidata editors can match them (or create items).

Mix'n'match imports a CSV with a header row; the columns it recognises include id, name,
description (desc), url and type (the item of the entry's kind: Q5, human, for a person). One
row per person and organisation without a checked Wikidata link; agents known only by a post
or a description (cpo:notStated schema:name) are not names and are left out, as are groups.
Each description is written from our data, in plain words an editor can match against:
what the person was ("national activist"), then what happened to them, where and when, at the
precision the source gives ("arrested in Urmia on 1 October 2020"), with the source's hedge
("reportedly"). The url is the entity's IRI, which answers with its page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pyoxigraph as ox

from kg.dates import day_span, precision_of
from kg.namespaces import BASE, CPO, ONTOLOGY_GRAPH, RDFS
from kg.terms import to_rdflib
from kg.dataset.wikidata import (DATA, TYPE, cited_passages, documents, item_id, name_not_stated,
                                 name_of, passages, property_table)

COLUMNS = ("id", "name", "description", "url", "type")
ONTOLOGY = ox.NamedNode(str(ONTOLOGY_GRAPH))
LABEL = ox.NamedNode(str(RDFS.label))
EVENT_PHRASES = 2          # how many events a description tells
ADVERB_HEDGES = ("allegedly", "reportedly", "apparently", "presumably")


def cpo(local: str) -> ox.NamedNode:
    return ox.NamedNode(f"{CPO}{local}")


# A person's role in an event, in words: (role, the event's class or None for any, words).
# Words that start with a past participle follow the person's occupation directly ("activist
# arrested in Urmia"); the others after a comma ("journalist, author of a claim").
PARTICIPLES = ("arrested", "detained", "released", "convicted", "acquitted", "tried", "charged",
               "summoned", "interrogated", "threatened", "prevented", "placed", "mistreated")
ROLE_WORDS = (
    ("arrestee", None, "arrested"),
    ("detainee", None, "detained"),
    ("releasedPerson", None, "released"),
    ("defendant", "Conviction", "convicted"),
    ("defendant", "Acquittal", "acquitted"),
    ("defendant", "AppealRuling", "defendant in an appeal"),
    ("defendant", "Trial", "tried"),
    ("defendant", "Charge", "charged"),
    ("target", "Summons", "summoned"),
    ("target", "HomeRaid", "target of a home raid"),
    ("target", "Interrogation", "interrogated"),
    ("target", "Threat", "threatened"),
    ("target", "Prevention", "prevented from protesting"),
    ("target", "RestrictionMeasure", "placed under restrictions"),
    ("victim", "Mistreatment", "mistreated"),
    ("protester", None, "protester"),
    ("organiser", None, "organiser of an action"),
    ("speaker", None, "speaker"),
    ("signatory", None, "signatory of a statement"),
    ("author", "Denial", "author of a denial"),
    ("author", "Claim", "author of a claim"),
    ("author", None, "author of a statement"),
)


@dataclass(frozen=True)
class Happening:
    """Something that happened to or was done by a person, for the description."""
    sort_key: tuple
    words: str


class Catalog:
    def __init__(self, store: ox.Store):
        self.store = store
        self.documents = documents(store)
        self.passages = passages(store)
        self.human = "Q5" if "Q5" in property_table() else ""

    def objects(self, node, predicate, graph=DATA) -> list:
        return [q.object for q in self.store.quads_for_pattern(node, predicate, None, graph)]

    def is_a(self, node, local: str) -> bool:
        return any(True for _ in self.store.quads_for_pattern(node, TYPE, cpo(local), None))

    def linked(self, node) -> bool:
        return any(item_id(o) for o in self.objects(node, ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")))

    def members(self, local: str) -> list[ox.NamedNode]:
        found = {q.subject for q in self.store.quads_for_pattern(None, TYPE, cpo(local), None)
                 if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(BASE + "id/")}
        return sorted(found, key=lambda n: n.value)

    def rows(self) -> list[dict]:
        rows = []
        for kind, local in (("person", "Person"), ("organisation", "Organisation")):
            for node in self.members(local):
                if kind == "organisation" and self.is_a(node, "Person"):
                    continue
                if self.linked(node) or name_not_stated(self.store, node) or not name_of(self.store, node):
                    continue
                describe = self.person_description if kind == "person" else self.organisation_description
                rows.append({"id": node.value[len(BASE + "id/"):], "name": name_of(self.store, node),
                             "description": describe(node), "url": node.value,
                             "type": self.human if kind == "person" else ""})
        return rows

    # --- people ------------------------------------------------------------------------

    def person_description(self, person) -> str:
        what = self.first_words(person, ("occupation", "position"))
        happenings = sorted(self.happenings(person), key=lambda h: h.sort_key)
        told = [h.words for h in dict.fromkeys(happenings)][:EVENT_PHRASES]
        told = list(dict.fromkeys(told))
        if not told:
            residence = [self.place_name(p) for p in self.objects(person, cpo("residence"))]
            if residence:
                told.append(f"residing in {sorted(residence)[0]}")
        told_text = "; ".join(told)
        if what and told_text:
            participle = told_text.split(" ", 1)[0] in PARTICIPLES + ADVERB_HEDGES
            return f"{what} {told_text}" if participle else f"{what}, {told_text}"
        return what or told_text or f"person named in {self.named_in(person)}"

    def happenings(self, person):
        for role, cls, verb in ROLE_WORDS:
            for quad in self.store.quads_for_pattern(None, cpo(role), person, DATA):
                event = quad.subject
                if cls is not None and not self.is_a(event, cls):
                    continue
                if cls is None and any(self.is_a(event, c) for r, c, _ in ROLE_WORDS if r == role and c):
                    continue  # told by the more specific entry of its class
                yield Happening(self.when_key(event), self.phrase(event, role, person, verb))

    def phrase(self, event, role: str, person, verb: str) -> str:
        words = [self.hedge_word(event, role, person), verb]
        places = sorted((self.place_name(p), p) for p in self.objects(event, cpo("place")))
        if places:
            name, place = places[0]
            words.append(f"{'at' if self.is_a(place, 'Site') else 'in'} {name}")
        date = next(iter(self.objects(event, cpo("date"))), None)
        if isinstance(date, ox.Literal):
            words.append(date_in_words(date))
        return " ".join(w for w in words if w)

    def hedge_word(self, event, role: str, person) -> str:
        for qualifier in self.objects(event, cpo("qualifier")):
            if not self.is_a(qualifier, "Hedge"):
                continue
            properties = self.objects(qualifier, cpo("onProperty"))
            values = self.objects(qualifier, cpo("onValue"))
            if (not properties or cpo(role) in properties) and (not values or person in values):
                kind = next(iter(self.objects(qualifier, cpo("hedgeType"))), None)
                word = kind.value.rsplit("#", 1)[-1] if kind is not None else ""
                if word in ADVERB_HEDGES:
                    return word
        return ""

    def when_key(self, event) -> tuple:
        date = next(iter(self.objects(event, cpo("date"))), None)
        span = day_span(to_rdflib(date)) if isinstance(date, ox.Literal) else None
        return (span[0] if span else dt.date.max, event.value)

    # --- organisations -----------------------------------------------------------------

    def organisation_description(self, organisation) -> str:
        kind = self.kind_label(organisation)
        where = [self.place_name(p) for p in self.objects(organisation, cpo("locatedIn"))
                 + self.objects(organisation, cpo("country"))]
        text = kind + (f" in {sorted(where)[0]}" if where else "")
        return text if where else f"{kind} named in {self.named_in(organisation)}"

    def kind_label(self, node) -> str:
        """The label of the node's most specific organisation class (an NGO, a court ...)."""
        best, depth = "organisation", -1
        for cls in self.objects(node, TYPE, None):
            if not cls.value.startswith(str(CPO)):
                continue
            label = next((o.value for o in self.objects(cls, LABEL, ONTOLOGY)
                          if isinstance(o, ox.Literal) and o.language in (None, "en")), None)
            ancestors = self.ancestors(cls)
            if label and cpo("Organisation") in ancestors | {cls} and len(ancestors) > depth:
                best, depth = label, len(ancestors)
        return best

    def ancestors(self, cls) -> set:
        seen, todo = set(), [cls]
        while todo:
            for parent in self.objects(todo.pop(), ox.NamedNode(str(RDFS.subClassOf)), ONTOLOGY):
                if parent not in seen and isinstance(parent, ox.NamedNode):
                    seen.add(parent)
                    todo.append(parent)
        return seen

    # --- shared ------------------------------------------------------------------------

    def first_words(self, node, properties) -> str:
        for local in properties:
            values = sorted(o.value for o in self.objects(node, cpo(local)) if isinstance(o, ox.Literal))
            if values:
                return values[0]
        return ""

    def place_name(self, place) -> str:
        return name_of(self.store, place) or place.value.rsplit("/", 1)[-1]

    def named_in(self, node) -> str:
        """The document whose passage names the node (its own, or a citing node's)."""
        cited = cited_passages(self.store, node)
        if not cited:
            for quad in self.store.quads_for_pattern(None, None, node, DATA):
                cited = cited_passages(self.store, quad.subject)
                if cited:
                    break
        for iri in cited:
            passage = self.passages.get(iri)
            if passage and passage.document in self.documents:
                return self.documents[passage.document].name
        return "the sources of this dataset"


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def date_in_words(date: ox.Literal) -> str:
    """'on 1 October 2020', 'in October 2020', 'in 2020', 'on 14 August' (no year given)."""
    text = date.value
    precision = precision_of(to_rdflib(date))
    try:
        if precision == "day":
            return f"on {int(text[8:10])} {MONTHS[int(text[5:7]) - 1]} {int(text[:4])}"
        if precision == "month":
            return f"in {MONTHS[int(text[5:7]) - 1]} {int(text[:4])}"
        if precision == "year":
            return f"in {int(text[:4])}"
        if date.datatype.value.endswith("#gMonthDay") and text.startswith("--"):
            return f"on {int(text[5:7])} {MONTHS[int(text[2:4]) - 1]}"
    except (ValueError, IndexError):
        return ""
    return ""


def mixnmatch_rows(store: ox.Store) -> list[dict]:
    return Catalog(store).rows()


def mixnmatch_csv(store: ox.Store) -> str:
    """The catalog as CSV (RFC 4180, a header row), one row per unlinked person and organisation."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(mixnmatch_rows(store))
    return out.getvalue()
