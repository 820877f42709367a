"""A small HTTP client for SPARQL stores: credentials, bounded reads, readable errors.

Credentials: `auth="user:password"` answers a Basic or Digest challenge (Virtuoso's
/sparql-graph-crud-auth and /sparql-auth ask for Digest; Fuseki and GraphDB for Basic);
`token="T"` sends `Authorization: Bearer T` with every request.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from dataclasses import dataclass

USER_AGENT = "kg (civic-protest knowledge graph; +https://w3id.org/civic-protest/)"
MAX_MESSAGE_CHARS = 1000


@dataclass(frozen=True)
class Credentials:
    auth: str | None = None    # "user:password"
    token: str | None = None   # a bearer token

    def __post_init__(self):
        if self.auth is not None and ":" not in self.auth:
            raise ValueError("credentials must be given as user:password")

    def __repr__(self) -> str:  # never print a secret
        return f"Credentials(auth={'***' if self.auth else None}, token={'***' if self.token else None})"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A store answers where it is asked: a redirect is reported, never followed (it could
    point anywhere, and would carry the request's credentials or body there)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def opener(credentials: Credentials | None, url: str) -> urllib.request.OpenerDirector:
    handlers: list = [NoRedirect(), urllib.request.ProxyHandler({})]  # loopback: no proxies
    if credentials is not None and credentials.auth:
        user, _, password = credentials.auth.partition(":")
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, user, password)
        handlers += [urllib.request.HTTPBasicAuthHandler(passwords),
                     urllib.request.HTTPDigestAuthHandler(passwords)]
    return urllib.request.build_opener(*handlers)


def request(method: str, url: str, body: bytes | None = None, headers: dict | None = None,
            credentials: Credentials | None = None, timeout: float = 60.0):
    """Send one request; return the open response (the caller reads and closes it).
    Raises urllib.error.HTTPError for any status >= 300 and URLError if unreachable."""
    all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    if credentials is not None and credentials.token:
        all_headers["Authorization"] = f"Bearer {credentials.token}"
    req = urllib.request.Request(url, data=body, headers=all_headers, method=method)
    return opener(credentials, url).open(req, timeout=timeout)


def read_bounded(response, max_bytes: int) -> bytes:
    """The body, or ValueError if it is longer than `max_bytes`."""
    data = response.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"the answer is larger than {max_bytes} bytes")
    return data


def error_message(error: urllib.error.HTTPError) -> str:
    """The store's own words for an error status, on one line, shortened."""
    try:
        raw = error.read(64 * 1024)
    except Exception:  # noqa: BLE001 - a broken error body still has a status
        raw = b""
    text = raw.decode("utf-8", "replace")
    if "<html" in text[:500].lower():
        text = re.sub(r"<[^>]+>", " ", text)  # an HTML error page: keep its words
    text = " ".join(text.split())
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + "…"
    return text or (error.reason if isinstance(error.reason, str) else "") or "no message"
