"""What every response and every request passes, whatever its blueprint: the Host it names,
the headers that keep a browser from running or framing what we did not write, CORS for the
read-only documents, and the public base URL that absolute URLs are made from.

- Host: with an allow-list (`kg serve --allowed-host`, and always with `--open-update`, where
  it defaults to the loopback names) a request naming another Host is refused 400 before any
  route: a web page whose name was rebound to 127.0.0.1 (DNS rebinding) reaches nothing.
- Absolute URLs (Location, VoID, the service description, the reconciliation manifest, graph
  names made by the Graph Store) come from `--base-url` when it is set, never from the Host.
- HTML: a Content-Security-Policy with no inline script (the query page's script and YASGUI
  are files of ours), `frame-ancestors 'none'`, `X-Frame-Options`, a referrer policy;
  `X-Content-Type-Options: nosniff` on every response.
- CORS: every GET/HEAD answer may be read by any origin, without credentials (the data is
  public; writes need a token that a cross-origin page must send explicitly, kg.server.auth).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import current_app, request

from kg.server.errors import ApiError

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    # YASGUI and CodeMirror set style attributes from their scripts.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HTML_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def register_security(app) -> None:
    app.before_request(refuse_unknown_host)
    app.after_request(add_security_headers)


# --- the public base URL and the Host allow-list ----------------------------------------------

def normalized_base_url(url: str | None) -> str | None:
    """'https://example.org/kg/' for 'https://example.org/kg'; ValueError if not http(s)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--base-url must be an absolute http(s) URL, not {url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"--base-url takes no query or fragment: {url!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"


def public_base() -> str:
    """The base of every absolute URL we write: BASE_URL, else this request's host URL."""
    return current_app.config.get("BASE_URL") or request.host_url


def public_url(path: str) -> str:
    """The absolute URL of one of our paths ('/sparql' -> 'https://example.org/kg/sparql')."""
    return public_base() + path.lstrip("/")


def allowed_hosts(config) -> tuple[str, ...]:
    """The Host names served (lower case, no port); () serves any."""
    hosts = [h.strip().lower().strip("[]") for h in config.get("ALLOWED_HOSTS") or () if h.strip()]
    if config.get("OPEN_UPDATE") and not hosts:
        hosts = list(LOOPBACK_HOSTS)
    base = config.get("BASE_URL")
    if hosts and base:
        hosts.append(urlsplit(base).hostname.lower())
    return tuple(hosts)


def host_name(host_header: str) -> str:
    """The name of a Host header, without its port: 'Example.org:80' -> 'example.org'."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host_header: str, hosts: tuple[str, ...]) -> bool:
    """True if `hosts` is empty (any Host) or names this Host header's name; loopback
    addresses are allowed with the loopback names (no DNS answer can rebind an address)."""
    given = host_name(host_header)
    return not hosts or given in hosts or (LOOPBACK_HOSTS[0] in hosts and is_loopback_address(given))


def refuse_unknown_host():
    hosts = allowed_hosts(current_app.config)
    given = request.headers.get("Host", "")
    if not host_allowed(given, hosts):
        raise ApiError(400, f"this server does not answer for the host {host_name(given)!r}; it "
                            f"serves {', '.join(hosts)} (kg serve --allowed-host NAME adds one)")
    return None


def is_loopback_address(name: str) -> bool:
    """127.0.0.0/8 or ::1 written as an address: no DNS answer can rebind an address."""
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


# --- response headers ----------------------------------------------------------------------

def add_security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype in ("text/html", "application/xhtml+xml"):
        frameable = "frame-ancestors *" in response.headers.get("Content-Security-Policy", "")
        for name, value in HTML_HEADERS.items():
            if not (frameable and name == "X-Frame-Options"):
                response.headers.setdefault(name, value)
    if request.method in ("GET", "HEAD"):
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
    return response
