"""/browse: people, groups, organisations, places, events and sources; /search?q=: names
in every spelling (skos:altLabel included), ignoring case and accents, and tolerant of
transliteration (the matcher of /reconcile: "Sajad Kolani" finds Sajjad Colani)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask import render_template, request

from kg.linking.entity_search import SearchEntity, search as match_names
from kg.namespaces import CPO
from kg.server.ld.blueprint import bp
from kg.server.ld.iris import is_entity
from kg.server.ld.readable import Link, event_date, link_to, sort_key_date
from kg.server.ld.view import GraphView, current_view

INDEX_SECTIONS = [("People", CPO.Person), ("Groups", CPO.Group),
                  ("Organisations", CPO.Organisation), ("Places", CPO.Place),
                  ("Events", CPO.Event), ("Sources", CPO.SourceDocument)]
# Letters that do not decompose into a base letter and an accent.
FOLDS = str.maketrans({"ə": "e", "ı": "i", "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "æ": "ae",
                       "œ": "oe", "ʼ": "'", "’": "'", "‘": "'"})
MAX_RESULTS = 200
MAX_QUERY = 200  # characters; longer text is searched only as a substring


@dataclass
class Entry:
    link: Link
    names: list[str]
    folded: list[str]
    section: str
    date: str = ""
    sort_key: str = ""


def fold(text: str) -> str:
    """Lower case, accents and special letters folded: 'Xudafərin' -> 'xudaferin'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(FOLDS))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(FOLDS)


def index(view: GraphView) -> list[Entry]:
    return view.cached("browse-index", build_index)


def build_index(view: GraphView) -> list[Entry]:
    entries, seen = [], set()
    for section, cls in INDEX_SECTIONS:
        for entity in view.instances(cls):
            if entity in seen or not is_entity(getattr(entity, "value", "")):
                continue
            seen.add(entity)
            names = view.names(entity)
            entries.append(Entry(link_to(view, entity), names, [fold(n) for n in names], section,
                                 event_date(view, entity), sort_key_date(view, entity)))
    return entries


def sections(entries: list[Entry]) -> list:
    out = []
    for section, _ in INDEX_SECTIONS:
        members = [e for e in entries if e.section == section]
        key = (lambda e: (e.sort_key, fold(e.link.text))) if section == "Events" else (
            lambda e: fold(e.link.text))
        if members:
            out.append((section, sorted(members, key=key)))
    return out


def search(entries: list[Entry], query: str) -> list[tuple[Entry, str]]:
    """(entry, the spelling that matched): names holding the query as typed first (those
    starting with it before the others), then names that match it in another
    transliteration, best first."""
    wanted = fold(query.strip())
    if not wanted:
        return []
    hits = []
    for entry in entries:
        for name, folded in zip(entry.names, entry.folded):
            if wanted in folded:
                rank = 0 if folded.startswith(wanted) else 1
                hits.append((rank, fold(entry.link.text), entry, name))
                break
    hits.sort(key=lambda hit: hit[:2])
    found = [(entry, name) for _, _, entry, name in hits[:MAX_RESULTS]]
    return found + similar_names(entries, query, {id(entry) for entry, _ in found},
                                 MAX_RESULTS - len(found))


def similar_names(entries: list[Entry], query: str, seen: set, limit: int) -> list:
    """Entries whose names match `query` by kg.linking's transliteration-tolerant matcher."""
    if limit <= 0 or len(query) > MAX_QUERY:
        return []
    by_key = {str(i): entry for i, entry in enumerate(entries) if id(entry) not in seen}
    candidates = [SearchEntity(key, entry.names[0], tuple(entry.names[1:]))
                  for key, entry in by_key.items()]
    return [(by_key[scored.entity.iri], scored.matched_name)
            for scored in match_names(candidates, query, limit=limit)]


@bp.get("/browse")
def browse_page():
    return render_template("ld/browse.html", sections=sections(index(current_view())))


@bp.get("/search")
def search_page():
    query = request.args.get("q", "")
    results = search(index(current_view()), query)
    return render_template("ld/search.html", query=query, results=results)
