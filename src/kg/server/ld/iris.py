"""Our IRIs and the local paths that serve them: /id/<kind>/<slug> is the thing,
/doc/<kind>/<slug> the document about it; other IRIs under the base map to the same path."""

from __future__ import annotations

import re

from flask import current_app

DEFAULT_BASE_IRI = "https://w3id.org/civic-protest/"
# A page links to an IRI from the data only in these schemes: any user graph may hold
# <javascript:...> or <data:...>, which a link would turn into a script on our origin.
SAFE_LINK = re.compile(r"^(?:https?://|mailto:)[^\x00-\x20\x7f]*$", re.IGNORECASE)


def base_iri() -> str:
    return current_app.config.get("BASE_IRI") or DEFAULT_BASE_IRI


def entity_iri(kind: str, slug: str) -> str:
    return f"{base_iri()}id/{kind}/{slug}"


def entity_parts(iri: str) -> tuple[str, str] | None:
    """(kind, slug) of an entity IRI under the base, else None."""
    base = base_iri() + "id/"
    if not iri.startswith(base):
        return None
    kind, slash, slug = iri[len(base):].partition("/")
    if not slash or not kind or not slug or "#" in slug or "?" in slug:
        return None
    return kind, slug


def is_entity(iri: str) -> bool:
    return entity_parts(iri) is not None


def doc_path(iri: str, suffix: str = "") -> str:
    kind, slug = entity_parts(iri)
    return f"/doc/{kind}/{slug}{suffix}"


def local_href(iri: str) -> str | None:
    """The local path a page links to for an IRI: documents for entities, the same path for
    anything else under the base (ontology terms, context); None for outside IRIs."""
    if is_entity(iri):
        return doc_path(iri)
    base = base_iri()
    if iri.startswith(base):
        return "/" + iri[len(base):]
    return None


def safe_href(url: str) -> str | None:
    """`url` if a page may link to it (http, https, mailto), else None (shown as text)."""
    return url if SAFE_LINK.match(url or "") else None


def href(iri: str) -> str | None:
    """Where a link to `iri` goes: its local path if it has one, else the IRI itself when its
    scheme is safe, else None (no link)."""
    return local_href(iri) or safe_href(iri)
