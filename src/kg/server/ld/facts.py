"""What an entity page shows: names, types, key facts per kind, incoming links, external
links, and the source passage of each fact. Generic over the graph: facts are the nodes that
point at the entity, grouped by their class."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import CPO, DCTERMS, OWL, SCHEMA, SKOS
from kg.server.ld.iris import entity_parts, safe_href
from kg.server.ld.readable import (Link, Quote, Value, event_date, link_to, parts_of, quotes,
                                   sort_key_date, value_of)
from kg.server.ld.view import DATA, GraphView, node

# Sections of related facts: the first class (after inference) that a fact has decides.
SECTIONS = [
    ("FamilyRelation", "Relatives"), ("Arrest", "Arrests"), ("Detention", "Detentions"),
    ("Charge", "Charges"), ("Ruling", "Rulings"), ("Sentence", "Sentences"),
    ("Release", "Releases"), ("Denial", "Denials"), ("Claim", "Claims"),
    ("Statement", "Statements"), ("Mistreatment", "Alleged mistreatment"),
    ("RepressiveAction", "Other repressive actions"), ("ProtestAction", "Protest actions"),
    ("Event", "Other events"), ("Place", "Places"), ("Agent", "People and organisations"),
]
EXTERNAL_LINK_PROPERTIES = (SKOS.exactMatch, SKOS.closeMatch, OWL.sameAs, SCHEMA.sameAs)
TEXT_PROPERTIES = [(CPO.slogan, "Slogans"), (CPO.bannerText, "Banner texts"),
                   (CPO.symbolDisplayed, "Symbols displayed"), (CPO.demand, "Demands"),
                   (CPO.content, "Content")]


@dataclass
class Fact:
    """A node related to the page's entity, as a line of the page."""

    link: Link
    kind: str                      # its most specific readable class
    date: str
    role: str                      # how the entity takes part ("arrestee", "court" ...)
    place: Link | None
    details: list = field(default_factory=list)   # [(label, [Value])]
    quotes: list[Quote] = field(default_factory=list)
    sort_key: str = ""


@dataclass
class EntityPage:
    iri: str
    kind: str
    title: str
    names: list[str]
    types: list[Link]
    description: str
    date: str
    sections: list = field(default_factory=list)     # [(title, [Fact])]
    texts: list = field(default_factory=list)        # [(title, [str])]
    properties: list = field(default_factory=list)   # [(Link, [Value])]
    incoming: list = field(default_factory=list)     # [(Link subject, Link property)]
    external: list[Link] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    places: list = field(default_factory=list)       # [(title, [Link])]
    participants: list = field(default_factory=list) # [(role, [Link])]
    followed_by: list[Link] = field(default_factory=list)


def entity_page(view: GraphView, entity: ox.NamedNode) -> EntityPage:
    kind, _ = entity_parts(entity.value)
    page = EntityPage(
        iri=entity.value, kind=kind, title=view.label(entity), names=view.names(entity),
        types=[link_to(view, t) for t in view.types(entity, DATA)],
        description=text_of(view, entity, (DCTERMS.description, SCHEMA.description)),
        date=event_date(view, entity),
        properties=parts_of(view, entity),
        incoming=incoming_links(view, entity),
        external=external_links(view, entity),
        quotes=quotes(view, entity))
    page.sections = related_sections(view, entity)
    page.texts = [(title, [v.value for v in view.objects(entity, prop)])
                  for prop, title in TEXT_PROPERTIES if view.objects(entity, prop)]
    page.places = place_context(view, entity)
    page.participants = participants_by_role(view, entity)
    page.followed_by = sorted((link_to(view, s) for s in view.subjects(CPO.followed, entity)),
                              key=lambda l: l.text)
    return page


def participants_by_role(view: GraphView, entity) -> list:
    """Agents the entity names, grouped by the property (role) that names them."""
    roles: dict[str, list[Link]] = {}
    for triple in view.triples(entity, None, None, DATA):
        if isinstance(triple.object, ox.NamedNode) and node(CPO.Agent) in view.types(triple.object):
            roles.setdefault(view.label(triple.predicate), []).append(link_to(view, triple.object))
    return sorted(roles.items())


def text_of(view: GraphView, entity, props) -> str:
    for prop in props:
        value = view.value(entity, prop)
        if isinstance(value, ox.Literal):
            return value.value
    return ""


def incoming_links(view: GraphView, entity) -> list:
    links = [(link_to(view, t.subject), link_to(view, t.predicate))
             for t in view.triples(None, None, entity, DATA) if isinstance(t.subject, ox.NamedNode)]
    return sorted(links, key=lambda pair: (pair[1].text, pair[0].text))


def external_links(view: GraphView, entity) -> list[Link]:
    return [Link(o.value, safe_href(o.value), internal=False)
            for prop in EXTERNAL_LINK_PROPERTIES for o in view.objects(entity, prop)
            if isinstance(o, ox.NamedNode) and entity_parts(o.value) is None]


# --- related facts -------------------------------------------------------------------

def related_sections(view: GraphView, entity) -> list:
    """The facts pointing at the entity (and, for a place, at places inside it), by section."""
    by_section: dict[str, list[Fact]] = {}
    for subject, roles in pointing_at(view, entity).items():
        fact = make_fact(view, subject, roles)
        by_section.setdefault(section_of(view, subject), []).append(fact)
    order = [title for _, title in SECTIONS] + ["Other links"]
    return [(title, sorted(by_section[title], key=lambda f: (f.sort_key, f.link.text)))
            for title in order if title in by_section]


def pointing_at(view: GraphView, entity) -> dict:
    """{subject IRI: [role labels]} for asserted links to the entity or to places inside it."""
    targets = [entity, *view.subjects(CPO.locatedIn, entity)]
    roles: dict = {}
    for target in targets:
        for triple in view.triples(None, None, target, DATA):
            if not isinstance(triple.subject, ox.NamedNode) or triple.predicate == node(CPO.locatedIn):
                continue
            if target != entity and triple.predicate != node(CPO.place):
                continue
            role = view.label(triple.predicate)
            if target != entity:
                role = f"{role} {view.label(target)}"
            roles.setdefault(triple.subject, []).append(role)
    return roles


def section_of(view: GraphView, subject) -> str:
    types = set(view.types(subject))
    for class_name, title in SECTIONS:
        if node(CPO[class_name]) in types:
            return title
    return "Other links"


def make_fact(view: GraphView, subject, roles: list[str]) -> Fact:
    place = view.value(subject, CPO.place)
    return Fact(
        link=link_to(view, subject), kind=most_specific_type(view, subject),
        date=event_date(view, subject), role=", ".join(sorted(set(roles))),
        place=link_to(view, place) if isinstance(place, ox.NamedNode) else None,
        details=fact_details(view, subject), quotes=quotes(view, subject),
        sort_key=sort_key_date(view, subject))


def most_specific_type(view: GraphView, subject) -> str:
    asserted = view.types(subject, DATA)
    return ", ".join(view.label(t) for t in asserted) if asserted else ""


def fact_details(view: GraphView, subject) -> list:
    """Sentences with their components, kinship, charges: the parts a reader needs inline."""
    details = []
    for prop in (CPO.kinship, CPO.imposes, CPO.component, CPO.amount, CPO.charge,
                 CPO.underProvision, CPO.chargeWording, CPO.durationWording, CPO.outcome):
        values = view.objects(subject, prop)
        if values:
            details.append((view.label(node(prop)), [value_of(view, v) for v in values]))
    for sentence in view.objects(subject, CPO.imposes):
        components = view.objects(sentence, CPO.component)
        if components:
            details.append((f"components of {view.label(sentence)}",
                            [value_of(view, c) for c in components]))
    return details


# --- places --------------------------------------------------------------------------

def place_context(view: GraphView, entity) -> list:
    """For a place: the places containing it and the places inside it."""
    if not view.has(entity, node(CPO.locatedIn), None) and not view.subjects(CPO.locatedIn, entity):
        return []
    inside = [link_to(view, p) for p in view.objects(entity, CPO.locatedIn)
              if isinstance(p, ox.NamedNode)]
    contains = [link_to(view, p) for p in view.subjects(CPO.locatedIn, entity)
                if isinstance(p, ox.NamedNode)]
    return [(title, sorted(links, key=lambda l: l.text))
            for title, links in (("Located in", inside), ("Places inside", contains)) if links]


# --- a summary, for the reconciliation preview ------------------------------------------------

@dataclass
class EntitySummary:
    page: EntityPage
    occupations: list[str]
    places: list[Link]
    first_date: str
    last_date: str
    facts: int
    quote: Quote | None


def entity_summary(view: GraphView, entity: ox.NamedNode, places: int = 4) -> EntitySummary:
    """What tells one candidate from another of the same name: occupation, places, the span of
    dates of what the sources report about it, and one quoted passage."""
    page = entity_page(view, entity)
    facts = [fact for _, section in page.sections for fact in section]
    dated = sorted((f for f in facts if f.date and f.sort_key != "9999"), key=lambda f: f.sort_key)
    seen, where = set(), []
    for link in [l for _, links in page.places for l in links] + [f.place for f in facts if f.place]:
        if link.text not in seen:
            seen.add(link.text)
            where.append(link)
    quoted = page.quotes + [q for f in facts for q in f.quotes]
    return EntitySummary(
        page=page, occupations=[v.value for v in view.objects(entity, CPO.occupation)
                                if isinstance(v, ox.Literal)],
        places=where[:places], first_date=dated[0].date if dated else page.date,
        last_date=dated[-1].date if len(dated) > 1 else "", facts=len(facts),
        quote=next((q for q in quoted if q.exact), None))
