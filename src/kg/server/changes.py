"""/changes: the change log (the PROV record of every write) as a feed, readable without SPARQL.

Activity Streams 2.0 (application/activity+json, as the IIIF Change Discovery API uses it for
the same purpose): /changes is an OrderedCollection of the writes, oldest first, in pages of
PAGE_SIZE (/changes?page=N), so a full page never changes and a client catches up by reading
from `last` back through `prev` to the last write it knows. Each write is one activity: its
time (`published`), its agent (`actor`, the update token's name), what it did (`summary`), the
entities it added, changed and removed (our IRIs) and its triple counts. The same writes as an
Atom feed, newest first, for feed readers: /changes?format=atom or Accept: application/atom+xml.

The page's writes are chosen by one bounded SPARQL query in a worker (ordered by time, LIMIT,
cached per dataset version); their details are read with capped triple-pattern look-ups. Any
origin may read it (CORS).
"""

from __future__ import annotations

import itertools
import json
from xml.etree import ElementTree as ET

import pyoxigraph as ox
from flask import Blueprint, Response, request

from kg.engine import QueryJob
from kg.namespaces import CHANGES_GRAPH
from kg.server.cache import cached
from kg.server.cors import enable_cors
from kg.server.errors import ApiError
from kg.server.sparql import run_in_engine
from kg.server.state import current_engine
from kg.writes.changelog import CHANGE_NS, ENTITY_TERMS

bp = Blueprint("changes", __name__)
enable_cors(bp)

PAGE_SIZE = 50
MAX_ENTITIES = 200         # entities listed per kind and write; `truncated` says when more
ACTIVITY_JSON = "application/activity+json"
ATOM = "application/atom+xml"
CHANGES = ox.NamedNode(str(CHANGES_GRAPH))
PROV = "http://www.w3.org/ns/prov#"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
CONTEXT = ["https://www.w3.org/ns/activitystreams", {
    "ch": CHANGE_NS,
    "added": {"@id": "ch:entityAdded", "@type": "@id", "@container": "@set"},
    "changed": {"@id": "ch:entityChanged", "@type": "@id", "@container": "@set"},
    "removed": {"@id": "ch:entityRemoved", "@type": "@id", "@container": "@set"},
    "triplesAdded": "ch:triplesAdded", "triplesRemoved": "ch:triplesRemoved",
    "truncated": "ch:truncated"}]

COUNT_QUERY = f"""SELECT (COUNT(?change) AS ?n) WHERE {{
  GRAPH <{CHANGES_GRAPH}> {{ ?change a <{PROV}Activity> ; <{PROV}startedAtTime> ?time }} }}"""
PAGE_QUERY = f"""SELECT ?change WHERE {{
  GRAPH <{CHANGES_GRAPH}> {{ ?change a <{PROV}Activity> ; <{PROV}startedAtTime> ?time }} }}
ORDER BY ?time STR(?change) LIMIT {{limit}} OFFSET {{offset}}"""


def select(text: str) -> list[dict]:
    """A SELECT answered by a worker (never in the server process), cached per version."""
    engine = current_engine()
    job = QueryJob(text=text, result_format="json", row_limit=PAGE_SIZE + 1)
    outcome = cached(engine, job, lambda j: run_in_engine(engine.pool.run_query, j))
    return json.loads(outcome.body)["results"]["bindings"]


def total_writes() -> int:
    rows = select(COUNT_QUERY)
    return int(rows[0]["n"]["value"]) if rows else 0


def page_of_writes(page: int) -> list[str]:
    rows = select(PAGE_QUERY.replace("{limit}", str(PAGE_SIZE))
                  .replace("{offset}", str((page - 1) * PAGE_SIZE)))
    return [row["change"]["value"] for row in rows if row["change"]["type"] == "uri"]


# --- one write -----------------------------------------------------------------------------

def objects(store, subject, predicate, limit: int | None = None) -> list:
    found = store.quads_for_pattern(subject, predicate, None, CHANGES)
    return [q.object for q in itertools.islice(found, limit)]


def first_value(store, subject, predicate):
    values = objects(store, subject, ox.NamedNode(predicate), 1)
    return values[0] if values else None


def activity(change_iri: str) -> dict:
    engine = current_engine()
    change = ox.NamedNode(change_iri)
    with engine.dataset.lock:
        store = engine.dataset.store
        time = first_value(store, change, PROV + "startedAtTime")
        summary = first_value(store, change, LABEL.value)
        agent = first_value(store, change, PROV + "wasAssociatedWith")
        agent_name = first_value(store, agent, LABEL.value) if isinstance(agent, ox.NamedNode) else None
        counts = {key: first_value(store, change, CHANGE_NS + key) for key in ("triplesAdded", "triplesRemoved")}
        entities, truncated = {}, False
        for kind, term in ENTITY_TERMS.items():
            found = objects(store, change, ox.NamedNode(CHANGE_NS + term), MAX_ENTITIES + 1)
            truncated |= len(found) > MAX_ENTITIES
            entities[kind] = sorted(n.value for n in found[:MAX_ENTITIES] if isinstance(n, ox.NamedNode))
    kind = ("Create" if entities["added"] and not (entities["changed"] or entities["removed"])
            else "Delete" if entities["removed"] and not (entities["added"] or entities["changed"])
            else "Update")
    item = {"id": change_iri, "type": kind,
            "summary": summary.value if summary is not None else "write",
            "published": time.value if time is not None else None,
            "actor": {"id": agent.value, "name": agent_name.value if agent_name is not None else None}
            if isinstance(agent, ox.NamedNode) else None,
            **entities}
    item.update({key: int(value.value) for key, value in counts.items() if value is not None})
    if truncated:
        item["truncated"] = True
    return {k: v for k, v in item.items() if v is not None}


# --- the feed ----------------------------------------------------------------------------------

def feed_url(page: int | None = None) -> str:
    base = request.host_url.rstrip("/") + "/changes"
    return base if page is None else f"{base}?page={page}"


def requested_page() -> int | None:
    text = request.args.get("page")
    if text is None:
        return None
    if not text.isdigit() or not 0 < int(text) < 10 ** 9:
        raise ApiError(400, f"page must be a whole number from 1, not {text!r}")
    return int(text)


def wants_atom() -> bool:
    if request.args.get("format") == "atom":
        return True
    best = request.accept_mimetypes.best_match([ACTIVITY_JSON, "application/ld+json",
                                                "application/json", ATOM])
    return best == ATOM


@bp.get("/changes")
def changes():
    page = requested_page()
    total = total_writes()
    pages = max(1, -(-total // PAGE_SIZE))
    if page is not None and page > pages:
        raise ApiError(404, f"there are {pages} page(s) of changes; no page {page}")
    if wants_atom():
        return atom_feed(pages)
    if page is None:
        body = {"@context": CONTEXT, "id": feed_url(), "type": "OrderedCollection",
                "summary": "Every write to the dataset, oldest first: who, when, and the entities "
                           "it added, changed and removed.",
                "totalItems": total, "first": feed_url(1), "last": feed_url(pages)}
    else:
        body = {"@context": CONTEXT, "id": feed_url(page), "type": "OrderedCollectionPage",
                "partOf": feed_url(), "startIndex": (page - 1) * PAGE_SIZE,
                "orderedItems": [activity(c) for c in page_of_writes(page)]}
        if page > 1:
            body["prev"] = feed_url(page - 1)
        if page < pages:
            body["next"] = feed_url(page + 1)
    response = Response(json.dumps(body, ensure_ascii=False, indent=1),
                        content_type=f"{ACTIVITY_JSON}; charset=utf-8")
    response.vary.add("Accept")
    return response


def atom_feed(pages: int) -> Response:
    """The latest writes, newest first (RFC 4287)."""
    atom = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", atom)
    tag = lambda name: f"{{{atom}}}{name}"
    feed = ET.Element(tag("feed"))
    ET.SubElement(feed, tag("title")).text = "Changes to the civic protest knowledge graph"
    ET.SubElement(feed, tag("id")).text = feed_url()
    ET.SubElement(feed, tag("link"), rel="self", href=feed_url() + "?format=atom")
    ET.SubElement(feed, tag("link"), rel="alternate", type=ACTIVITY_JSON, href=feed_url())
    latest = page_of_writes(pages)
    if pages > 1 and len(latest) < PAGE_SIZE:
        latest = page_of_writes(pages - 1) + latest
    items = [activity(c) for c in reversed(latest[-PAGE_SIZE:])]
    updated = items[0].get("published") if items else "1970-01-01T00:00:00+00:00"
    ET.SubElement(feed, tag("updated")).text = updated
    ET.SubElement(ET.SubElement(feed, tag("author")), tag("name")).text = "the dataset's writers"
    for item in items:
        entry = ET.SubElement(feed, tag("entry"))
        ET.SubElement(entry, tag("id")).text = item["id"]
        counts = ", ".join(f"{len(item.get(k, []))} {k}" for k in ("added", "changed", "removed"))
        ET.SubElement(entry, tag("title")).text = f"{item.get('summary', 'write')}: {counts}"
        ET.SubElement(entry, tag("updated")).text = item.get("published", updated)
        ET.SubElement(ET.SubElement(entry, tag("author")), tag("name")).text = (
            (item.get("actor") or {}).get("name") or "anonymous")
        lines = [f"{kind}: {iri}" for kind in ("added", "changed", "removed") for iri in item.get(kind, [])]
        ET.SubElement(entry, tag("content"), type="text").text = "\n".join(lines) or "no entity"
        for iri in item.get("added", []) + item.get("changed", []):
            ET.SubElement(entry, tag("link"), rel="related", href=iri)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    response = Response(body, content_type=f"{ATOM}; charset=utf-8")
    response.vary.add("Accept")
    return response
