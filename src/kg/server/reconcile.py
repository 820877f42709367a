"""/reconcile: the W3C Entity Reconciliation API 0.2, as OpenRefine speaks it.

  GET  /reconcile                         the service manifest (JSON; JSONP with ?callback=)
  GET|POST /reconcile?queries={...}       reconciliation queries (POST as form field `queries`)
  GET  /reconcile/preview?id=IRI          an HTML preview of an entity
  GET  /reconcile/suggest/entity?prefix=  suggest: entities, types, properties
  GET  /reconcile/suggest/type?prefix=
  GET  /reconcile/suggest/property?prefix=

Entities are ours (persons, groups, organisations, places, events...), identified by their IRIs;
types and properties by their IRIs (prefixed names such as cpo:Person are accepted too).
Matching uses schema:name and skos:altLabel, tolerant of transliteration variants
(kg.linking.entity_search); `match` is true only for an unambiguous first candidate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for

from kg.engine.errors import EngineError
from kg.engine.worker import call_in_fork
from kg.linking.entity_search import SearchEntity, search, suggest
from kg.namespaces import CPD, CPO, PREFIXES, SCHEMA
from kg.server.cors import enable_cors
from kg.server.errors import ApiError
from kg.server.ld.facts import entity_summary
from kg.server.ld.view import current_view
from kg.server.security import CONTENT_SECURITY_POLICY, public_url
from kg.server.state import current_engine

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")
enable_cors(bp)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SKOS_EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"
SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
DEFAULT_TYPES = ("Person", "Group", "Organisation", "Place", "Event")
SUGGESTED_PROPERTIES = (str(SCHEMA.name), SKOS_ALT, str(CPO.locatedIn), str(CPO.residence), SKOS_EXACT)
MAX_QUERIES, MAX_LIMIT = 500, 100


# --- the index of our entities, rebuilt when the data changes ------------------------------------

@dataclass
class Index:
    version: int
    entities: list[SearchEntity]
    by_iri: dict[str, SearchEntity]
    type_names: dict[str, str]          # class IRI -> label
    property_names: dict[str, str]      # property IRI -> label


def current_index() -> Index:
    dataset = current_engine().dataset
    with dataset.lock:
        cached = current_app.extensions.get("kg_reconcile_index")
        if cached is None or cached.version != dataset.version:
            cached = build_index(dataset.store, dataset.version)
            current_app.extensions["kg_reconcile_index"] = cached
        return cached


def build_index(store: ox.Store, version: int) -> Index:
    labels = _labels(store)
    names = _first_values(store, str(SCHEMA.name), ours_only=True)
    entities = [_entity(store, iri, name, labels) for iri, name in sorted(names.items())]
    used_types = {t for e in entities for t in e.types}
    properties = {str(q.predicate.value) for q in store.quads_for_pattern(None, None, None)
                  if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(str(CPD))}
    return Index(version, entities, {e.iri: e for e in entities},
                 {t: labels.get(t, _local(t)) for t in used_types},
                 {p: labels.get(p, _local(p)) for p in properties if p != RDF_TYPE})


def _entity(store, iri: str, name: str, labels: dict) -> SearchEntity:
    node = ox.NamedNode(iri)
    alts = sorted({q.object.value for q in store.quads_for_pattern(node, ox.NamedNode(SKOS_ALT), None)})
    types = frozenset(q.object.value for q in store.quads_for_pattern(node, ox.NamedNode(RDF_TYPE), None)
                      if q.object.value.startswith(str(CPO)))
    return SearchEntity(iri, name, tuple(alts), types, _description(store, node, types, alts, labels))


def _description(store, node, types, alts, labels) -> str:
    kinds = sorted(labels.get(t, _local(t)) for t in types if t.startswith(str(CPO)))
    where = [_name_of(store, q.object) for q in store.quads_for_pattern(node, ox.NamedNode(str(CPO.locatedIn)), None)]
    text = ", ".join(kinds[:3])
    if where:
        text += " in " + ", ".join(sorted(set(filter(None, where)))[:3])
    if alts:
        text += "; also written " + ", ".join(alts[:4])
    return text


def _labels(store) -> dict[str, str]:
    found = {}
    for quad in store.quads_for_pattern(None, ox.NamedNode(RDFS_LABEL), None):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
            if quad.object.language in (None, "en") or quad.subject.value not in found:
                found[quad.subject.value] = quad.object.value
    return found


def _first_values(store, predicate: str, ours_only=False) -> dict[str, str]:
    found = {}
    for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
        subject = quad.subject
        if isinstance(subject, ox.NamedNode) and (not ours_only or subject.value.startswith(str(CPD))):
            found.setdefault(subject.value, quad.object.value)
    return found


def _name_of(store, term) -> str | None:
    if not isinstance(term, ox.NamedNode):
        return None
    for quad in store.quads_for_pattern(term, ox.NamedNode(str(SCHEMA.name)), None):
        return quad.object.value
    return None


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def values_of(iri: str, pid: str) -> list[str]:
    """The values of property `pid` on entity `iri`, as strings (for an entity: IRI and name)."""
    dataset = current_engine().dataset
    values = []
    with dataset.lock:
        for quad in dataset.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(pid), None):
            values.append(quad.object.value)
            name = _name_of(dataset.store, quad.object)
            if name:
                values.append(name)
    return values


# --- identifiers -------------------------------------------------------------------------------

def expand(identifier: str) -> str:
    """'cpo:Person' -> the full IRI; full IRIs stay as they are."""
    prefix, sep, local = identifier.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return f"{PREFIXES[prefix]}{local}"
    return identifier


# --- responses ---------------------------------------------------------------------------------

def json_response(payload) -> Response:
    body = json.dumps(payload, ensure_ascii=False)
    callback = request.args.get("callback")
    if callback and callback.replace("_", "").replace(".", "").isalnum():
        return Response(f"{callback}({body});", content_type="application/javascript; charset=utf-8")
    return Response(body, content_type="application/json; charset=utf-8")


def manifest() -> dict:
    base = public_url(url_for("reconcile.service"))
    index = current_index()
    default_types = [{"id": str(CPO[t]), "name": index.type_names.get(str(CPO[t]), t)} for t in DEFAULT_TYPES]
    return {
        "versions": ["0.2"],
        "name": "Civic protest knowledge graph",
        "identifierSpace": str(CPD),
        "schemaSpace": str(CPO),
        "documentation": base,
        "view": {"url": "{{id}}"},
        "defaultTypes": default_types,
        "preview": {"url": base + "/preview?id={{id}}", "width": 400, "height": 200},
        "suggest": {kind: {"service_url": base, "service_path": f"/suggest/{kind}"}
                    for kind in ("entity", "type", "property")},
    }


@bp.route("", methods=["GET", "POST"], strict_slashes=False)
def service():
    raw = request.values.get("queries")
    if raw is None:
        return json_response(manifest())
    return json_response(reconcile_batch(parse_batch(raw)))


def parse_batch(raw: str) -> dict:
    try:
        batch = json.loads(raw, parse_constant=refuse_constant)
    except json.JSONDecodeError as error:
        raise ApiError(400, f"queries is not JSON: {error}") from None
    except RecursionError:
        raise ApiError(400, "queries is nested too deeply") from None
    if not isinstance(batch, dict) or not all(isinstance(q, dict) for q in batch.values()):
        raise ApiError(400, 'queries must be an object of queries: {"q0": {"query": "..."}, ...}')
    if len(batch) > MAX_QUERIES:
        raise ApiError(413, f"at most {MAX_QUERIES} queries per batch")
    return batch


def reconcile_batch(batch: dict) -> dict:
    """Matched in a forked worker under the query deadline and memory budget (a large batch
    of long names costs seconds of Python), from the index this process keeps per version."""
    index = current_index()
    config = current_app.config
    limits = {key: query_limit(query.get("limit")) for key, query in batch.items()}  # 400 here

    def match(_store) -> dict:
        return {key: {"result": [candidate(s, index) for s in run_query(query, index, limits[key])]}
                for key, query in batch.items()}
    try:
        return call_in_fork(current_engine().dataset, match, float(config["QUERY_TIMEOUT"]),
                            "reconciliation", config.get("WORKER_MEMORY_BYTES"))
    except EngineError as error:
        raise ApiError(503, f"{error}; send fewer or shorter queries, or try later",
                       {"Retry-After": "1"}) from None


def run_query(query: dict, index: Index, limit: int):
    text = str(query.get("query") or "").strip()
    if not text:
        return []
    types = query.get("type") or []
    types = [expand(t) for t in ([types] if isinstance(types, str) else types)]
    properties = [(expand(str(p.get("pid", ""))), _values(p.get("v")))
                  for p in query.get("properties") or [] if isinstance(p, dict) and p.get("pid")]
    return search(index.entities, text, types, properties, values_of, limit)


def refuse_constant(name: str):
    raise json.JSONDecodeError(f"{name} is not a JSON value", name, 0)


def query_limit(value) -> int:
    """A query's `limit`: a positive integer (default 5, at most MAX_LIMIT); else 400."""
    if value is None:
        return 5
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ApiError(400, f"limit must be a positive integer, not {json.dumps(value)[:40]}")
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"limit must be a positive integer, not {value[:40]!r}") from None
    if number < 1:
        raise ApiError(400, f"limit must be a positive integer, not {number}")
    return min(MAX_LIMIT, number)


def _values(v) -> list[str]:
    items = v if isinstance(v, list) else [v]
    return [str(i.get("id") or i.get("name") or "") if isinstance(i, dict) else str(i) for i in items if i is not None]


def candidate(scored, index: Index) -> dict:
    entity = scored.entity
    features = [{"id": "name", "value": scored.name_similarity}]
    features += [{"id": f"property:{pid}", "value": round(value, 4)}
                 for pid, value in scored.property_similarities.items()]
    result = {"id": entity.iri, "name": entity.name, "score": scored.score, "match": scored.match,
              "type": [{"id": t, "name": index.type_names.get(t, _local(t))} for t in sorted(entity.types)],
              "features": features}
    if entity.description:
        result["description"] = entity.description
    return result


@bp.get("/preview")
def preview():
    """What tells two candidates apart in OpenRefine's preview pane: kind, occupation, places,
    the dates of what the sources report, one quoted passage, and links elsewhere."""
    iri = request.args.get("id", "")
    entity = current_index().by_iri.get(iri)
    if entity is None:
        raise ApiError(404, f"no entity {iri!r} in this graph")
    summary = entity_summary(current_view(), ox.NamedNode(iri))
    response = Response(render_template("ld/preview.html", entity=entity, summary=summary),
                        content_type="text/html; charset=utf-8")
    # Reconciliation clients show this page in a frame of their own: framing is its purpose.
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors *")
    return response


@bp.get("/suggest/entity")
def suggest_entity():
    index = current_index()
    types = [expand(t) for t in request.args.getlist("type") if t]
    found = suggest(index.entities, request.args.get("prefix", ""), types, _limit())
    return json_response({"result": [
        {"id": e.iri, "name": e.name, **({"description": e.description} if e.description else {}),
         "notable": [{"id": t, "name": index.type_names.get(t, _local(t))} for t in sorted(e.types)]}
        for e in found]})


@bp.get("/suggest/type")
def suggest_type():
    names = current_index().type_names
    return json_response({"result": _matching(names, request.args.get("prefix", ""))})


@bp.get("/suggest/property")
def suggest_property():
    names = current_index().property_names
    return json_response({"result": _matching(names, request.args.get("prefix", ""))})


def _matching(names: dict[str, str], prefix: str) -> list[dict]:
    prefix = prefix.strip().lower()
    hits = [(iri, name) for iri, name in names.items()
            if not prefix or name.lower().startswith(prefix) or _local(iri).lower().startswith(prefix)
            or any(w.startswith(prefix) for w in name.lower().split())]
    hits.sort(key=lambda h: (h[0] not in SUGGESTED_PROPERTIES, not h[1].lower().startswith(prefix), h[1]))
    return [{"id": iri, "name": name} for iri, name in hits[:_limit()]]


def _limit() -> int:
    try:
        return max(1, min(MAX_LIMIT, int(request.args.get("limit", 10))))
    except ValueError:
        raise ApiError(400, f"limit must be a positive integer, not {request.args['limit'][:40]!r}") from None
