"""Our events in ACLED's shape (acled_events.csv), the events that have no ACLED equivalent
with the reason (acled_unmapped.csv), and the crosswalks as a table (crosswalk.csv).

Which ACLED event and sub-event type a class takes is data: ontology/alignments/acled.ttl
(SKOS matches, and xw:noMatchReason for classes without one). What is code here is ACLED's way
of counting, from its codebook: one row per event and location; a protest's dispersal or the
beating of its participants is not an event of its own but the intervention in that protest
(its sub-event type: Peaceful protest, Protest with intervention, Excessive force against
protesters, by the concept's xw:interventionLevel); actors named as ACLED names them
("Protesters (Iran)", the state force by its name) with the inter code the crosswalk gives
their class.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.dataset.evidence import Evidence, select
from kg.paths import ALIGNMENTS_DIR

QUERIES = Path(__file__).resolve().with_name("tables") / "acled"
ACLED = "https://w3id.org/civic-protest/alignments/acled#"
XW = "https://w3id.org/civic-protest/alignments/crosswalk#"
MATCHES = ("exactMatch", "closeMatch", "broadMatch")  # best first
PROTESTS = ACLED + "protests"
# What a repressive action against a protest does to its ACLED coding: its intervention level,
# and whether it is folded into the protest's row (a dispersal, a beating) or stays an event.
INTERVENTION = {"dispersal": 1, "arrest": 1, "detention": 1, "mistreatment": 2}
FOLDED = {"dispersal", "mistreatment"}

CROSSWALK_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xw: <https://w3id.org/civic-protest/alignments/crosswalk#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class ?match ?target ?code ?label ?note WHERE {
  { ?class ?m ?target . VALUES ?m { skos:exactMatch skos:closeMatch skos:broadMatch }
    BIND(STRAFTER(STR(?m), "#") AS ?match)
    OPTIONAL { ?target skos:notation ?code } OPTIONAL { ?target skos:prefLabel ?label }
    OPTIONAL { ?class rdfs:comment ?note } }
  UNION
  { ?class xw:noMatchReason ?note . BIND("none" AS ?match) }
} ORDER BY ?class ?match ?target"""
CONCEPTS_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xw: <https://w3id.org/civic-protest/alignments/crosswalk#>
SELECT ?concept ?column ?notation ?broader ?disorder ?level ?generic WHERE {
  ?concept xw:column ?column ; skos:notation ?notation .
  OPTIONAL { ?concept skos:broader ?broader }
  OPTIONAL { ?concept xw:disorderType/skos:notation ?disorder }
  OPTIONAL { ?concept xw:interventionLevel ?level }
  OPTIONAL { ?concept xw:genericActor ?generic }
}"""


def crosswalk_store(directory: Path = ALIGNMENTS_DIR, pattern: str = "*.ttl") -> ox.Store:
    """The crosswalk files, each in a named graph <file:NAME.ttl>."""
    store = ox.Store()
    for path in sorted(Path(directory).glob(pattern)):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode(f"file:{path.name}"))
    return store


def solutions(store: ox.Store, query: str) -> list[dict]:
    results = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in results.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in results]


@dataclass
class Crosswalk:
    """ontology/alignments/acled.ttl, read for the table."""
    matches: dict = field(default_factory=dict)    # our class -> (match, ACLED concept)
    reasons: dict = field(default_factory=dict)    # our class -> why it has no match
    concepts: dict = field(default_factory=dict)   # concept -> its properties

    @classmethod
    def read(cls, directory: Path = ALIGNMENTS_DIR) -> "Crosswalk":
        crosswalk, store = cls(), crosswalk_store(directory, "acled.ttl")
        for c in solutions(store, CONCEPTS_QUERY):
            crosswalk.concepts[c["concept"]] = c
        for row in solutions(store, CROSSWALK_QUERY):
            if row["match"] == "none":
                crosswalk.reasons.setdefault(row["class"], row["note"])
            elif row["target"].startswith(ACLED):
                best = crosswalk.matches.get(row["class"])
                if best is None or MATCHES.index(row["match"]) < MATCHES.index(best[0]):
                    crosswalk.matches[row["class"]] = (row["match"], row["target"])
        return crosswalk

    def notation(self, concept: str) -> str | None:
        return self.concepts.get(concept, {}).get("notation")

    def match_of(self, types: list[str]):
        """(class, match, concept) of the first of `types` with an ACLED match, else None."""
        for cls in sorted(types):
            if cls in self.matches:
                return cls, *self.matches[cls]
        return None

    def reason_for(self, types: list[str]) -> str:
        for cls in sorted(types):
            if cls in self.reasons:
                return self.reasons[cls]
        return "No crosswalk entry for its type." if types else "The data gives no type (cpo:directType)."

    def sub_event_for_level(self, level: int) -> str:
        for concept, c in self.concepts.items():
            if c.get("broader") == PROTESTS and int(c.get("level", -1)) == level:
                return concept
        raise LookupError(f"no Protests sub-event type with intervention level {level}")

    def inter_code(self, classes: list[str]) -> int | None:
        codes = [int(self.notation(self.matches[c][1])) for c in classes
                 if c in self.matches and self.concepts.get(self.matches[c][1], {}).get("column") == "inter"]
        return min(codes) if codes else None

    def generic_actor(self, code: int) -> str:
        return next(c["generic"] for c in self.concepts.values()
                    if c.get("column") == "inter" and c.get("notation") == str(code) and "generic" in c)


def query(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def acled_tables(store: ox.Store, evidence: Evidence, tables: dict,
                 crosswalk: Crosswalk | None = None) -> dict:
    """{acled_events, acled_unmapped, crosswalk}: rows of the three tables, given the rows of
    the query tables (`tables`: events' places, places, documents)."""
    crosswalk = crosswalk or Crosswalk.read()
    coder = Coder(store, crosswalk, evidence, tables)
    return {"acled_events": coder.rows, "acled_unmapped": coder.unmapped,
            "crosswalk": crosswalk_rows()}


class Coder:
    """Codes each event as ACLED would, from the queries of tables/acled/ and the rows of the
    event_places, places and documents tables."""

    def __init__(self, store: ox.Store, crosswalk: Crosswalk, evidence: Evidence, tables: dict):
        self.crosswalk, self.evidence = crosswalk, evidence
        self.places = {row["id"]: row for row in tables["places"]}
        self.documents = {row["id"]: row["name"] for row in tables["documents"]}
        self.places_of = defaultdict(list)
        for row in tables["event_places"]:
            if row["property"] == "place":
                self.places_of[row["event"]].append(row)
        self.geo_codes = {value(r, "notation"): int(value(r, "code"))
                          for r in select(store, query("precision_codes"))}
        self.agents = defaultdict(list)
        for row in select(store, query("agents")):
            self.agents[row["event"]].append(row)
        self.against = defaultdict(list)      # protest -> repressive actions against it
        self.targets = defaultdict(list)      # repressive action -> protests it was against
        for row in select(store, query("interventions")):
            self.against[row["protest"]].append(row)
            self.targets[row["action"]].append(row)
        events = {row["event"]: row for row in select(store, query("events"))}
        self.mapped = {event: self.crosswalk.match_of(self.types(row)) for event, row in events.items()}
        self.coded_protests = {event for event, row in events.items()
                               if self.is_protest_action(row) and self.mapped[event]
                               and "earliest_date" in row and self.places_of.get(event.value)}
        self.rows, self.unmapped = [], []
        for event, row in events.items():
            self.code(event, row)

    def types(self, row) -> list[str]:
        return row["types"].value.split() if "types" in row else []

    @staticmethod
    def is_protest_action(row) -> bool:
        return value(row, "protest_action") == "true"

    def concept_is_protests(self, concept: str) -> bool:
        return concept == PROTESTS or self.crosswalk.concepts.get(concept, {}).get("broader") == PROTESTS

    def code(self, event, row) -> None:
        found = self.mapped[event]
        reason = self.reason_not_coded(event, row, found)
        if reason:
            self.unmapped.append({"id": event.value, "name": value(row, "name"),
                                  "type": sorted(t.rsplit("#", 1)[-1] for t in self.types(row)) or None,
                                  "reason": reason})
            return
        places = self.places_of[event.value]
        for place in places:
            self.rows.append(self.acled_row(event, row, place, found, several=len(places) > 1))

    def reason_not_coded(self, event, row, found) -> str | None:
        if found is None:
            return self.crosswalk.reason_for(self.types(row))
        folded_into = sorted(t["protest"].value for t in self.targets.get(event, [])
                             if value(t, "kind") in FOLDED and t["protest"] in self.coded_protests)
        if folded_into:
            return (f"Coded as the intervention in the protest row of {folded_into[0]} (ACLED "
                    "codes a protest and what was done against it as one event).")
        if "earliest_date" not in row and "latest_date" not in row:
            return "The data gives no date or bounds: an ACLED event needs a date."
        if "earliest_date" not in row or "latest_date" not in row:
            return one_sided_reason(row)
        if not self.places_of.get(event.value):
            return "The source gives no place: an ACLED event needs a location."
        return None

    def protest_level(self, event, row) -> int:
        """0 nothing was done against it, 1 an intervention, 2 violence against people."""
        against = self.against.get(event, [])
        levels = [INTERVENTION[value(a, "kind")] for a in against if value(a, "kind") in INTERVENTION]
        levels += [2 for a in against if value(a, "violent") == "true"]
        if not self.is_protest_action(row):  # a dispersal coded as a protest of its own
            levels.append(2 if value(row, "violent") == "true" else 1)
        return max(levels, default=0)

    def geo_precision(self, place: dict) -> int | None:
        """ACLED geo_precision of a place: its precision's code; a region counts 2 only
        within a province."""
        notation = place.get("place_precision")
        if notation is None:
            return None
        if notation == "region" and not place.get("province"):
            return 3
        return self.geo_codes.get(notation)

    def location(self, place_row: dict) -> dict:
        place = self.places.get(place_row["place"], {})
        town = self.places.get(place.get("town") or "", {})
        name_of = lambda iri: self.places.get(iri or "", {}).get("name")
        return {"country": name_of(place_row["country"]), "admin1": name_of(place_row["province"]),
                "admin2": None, "location": place_row["town_name"] or place_row["place_name"],
                **coordinates(place, town),
                "geo_precision": self.geo_precision(place)}

    def sources(self, event) -> str | None:
        documents = dict.fromkeys(c.document for c in self.evidence.cited.get(event, []))
        return "; ".join(self.documents.get(d) or d for d in documents) or None

    def acled_row(self, event, row, place_row, found, several: bool) -> dict:
        cls, match, concept = found
        crosswalk = self.crosswalk
        sub_event = (crosswalk.sub_event_for_level(self.protest_level(event, row))
                     if self.concept_is_protests(concept) else concept)
        event_type = crosswalk.concepts[sub_event]["broader"]
        location = self.location(place_row)
        earliest = value(row, "earliest_date")
        place = ox.NamedNode(place_row["place"])
        citation = self.evidence.choose(event, place)
        return {
            "event_id_cnty": local_name(event.value) + (f"@{local_name(place.value)}" if several else ""),
            "event_date": dt.date.fromisoformat(earliest), "year": int(earliest[:4]),
            "time_precision": int_or_none(value(row, "time_precision")),
            "disorder_type": crosswalk.concepts[sub_event].get("disorder"),
            "event_type": crosswalk.notation(event_type),
            "sub_event_type": crosswalk.notation(sub_event),
            **self.actors(event, sub_event, location["country"]),
            **location,
            "source": self.sources(event), "source_scale": None,
            "notes": value(row, "name"), "fatalities": 0,
            "tags": f"crowd size={value(row, 'crowd_size')}" if "crowd_size" in row else None,
            "timestamp": None,
            "iri": event.value, "place": place.value, "our_class": cls.rsplit("#", 1)[-1],
            "match": match, "earliest_date": dt.date.fromisoformat(earliest),
            "latest_date": date_or_none(value(row, "latest_date")),
            "source_document": citation and citation.document,
            "passage": citation and citation.passage, "quote": citation and citation.quote,
        }

    def actors(self, event, sub_event: str, country: str | None) -> dict:
        """actor1 / assoc_actor_1 / inter1 and actor2 / assoc_actor_2 / inter2 as ACLED names
        them: protesters and civilians generically by country, forces by their names."""
        crosswalk = self.crosswalk
        generic = lambda code: f"{crosswalk.generic_actor(code)} ({country})" if country else crosswalk.generic_actor(code)
        agents = self.agents.get(event, [])
        by_role = lambda *roles: [a for a in agents if value(a, "role") in roles]
        forces = by_role("perpetrator", "responsibleOfficial", "heldBy")
        if self.concept_is_protests(sub_event):
            groups = [a for a in by_role("organiser", "protester") if self.is_collective(a)]
            intervening = [a for r in self.against.get(event, []) for a in
                           self.agents.get(r["action"], []) if value(a, "role") == "perpetrator"]
            first = (intervening or forces)[:1]
            return {"actor1": generic(6), "assoc_actor_1": names(groups), "inter1": 6,
                    **self.named("2", first, (intervening or forces)[1:])}
        against_protest = bool(self.targets.get(event))
        code = 6 if against_protest else 7
        return {**self.named("1", forces[:1], forces[1:]),
                "actor2": generic(code), "assoc_actor_2": None, "inter2": code}

    def named(self, n: str, first: list, rest: list) -> dict:
        actor = first[0] if first else None
        others = [a for a in rest if not actor or value(a, "name") != value(actor, "name")]
        return {f"actor{n}": value(actor, "name") if actor else None,
                f"assoc_actor_{n}": names(others),
                f"inter{n}": self.crosswalk.inter_code(value(actor, "classes").split()) if actor else None}

    @staticmethod
    def is_collective(agent) -> bool:
        return "Person" not in {c.rsplit("#", 1)[-1] for c in value(agent, "classes", "").split()}


def coordinates(place: dict, town: dict) -> dict:
    """The place's coordinates, else its town's (ACLED locates an event at its town)."""
    source = place if place.get("latitude") is not None else town
    return {"latitude": source.get("latitude"), "longitude": source.get("longitude")}


def names(agents: list) -> str | None:
    unique = list(dict.fromkeys(value(a, "name") for a in agents if value(a, "name")))
    return "; ".join(unique) or None


def value(row, key, default=None):
    term = row.get(key) if row else None
    if term is None:
        return default
    return term.value if isinstance(term, (ox.Literal, ox.NamedNode, ox.BlankNode)) else str(term)


def int_or_none(text):
    return int(text) if text not in (None, "") else None


def date_or_none(text):
    return dt.date.fromisoformat(text[:10]) if text else None


def float_or_none(text):
    return float(text) if text not in (None, "") else None


def crosswalk_rows(directory: Path = ALIGNMENTS_DIR) -> list[dict]:
    """Every match and every 'no match' of the crosswalk files, one row each."""
    rows = []
    store = crosswalk_store(directory)
    for graph in sorted(store.named_graphs(), key=lambda g: g.value):
        scheme = graph.value.removeprefix("file:").removesuffix(".ttl")
        results = store.query(CROSSWALK_QUERY.replace("WHERE {", f"WHERE {{ GRAPH <{graph.value}> {{", 1)
                              .replace("} ORDER BY", "} } ORDER BY"))
        for s in results:
            get = lambda k: s[k].value if s[k] is not None else None
            rows.append({"class": get("class"), "scheme": scheme, "match": get("match"),
                         "target": get("target"), "target_code": get("code"),
                         "target_label": get("label"), "note": get("note")})
    return rows


def one_sided_reason(row) -> str:
    """Why an event whose date is bounded on one side only has no ACLED row: its event_date
    would be the bound, and no time_precision (a day, a week, a month) would be true of it."""
    bound = (f"not before {value(row, 'earliest_date')}" if "earliest_date" in row
             else f"not after {value(row, 'latest_date')}")
    return (f"The source bounds the date on one side only ({bound}): an ACLED event needs a date "
            "known to the day, the week or the month.")
