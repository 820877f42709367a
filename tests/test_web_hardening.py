"""The web surface under attack: stored script links, headers on every page, cross-site
writes, spoofed Host names, the public base URL, and malformed parameters.

One real app on the session's build with an update token (payloads are written the way a
token holder would), one with open updates (what a browser page could try), each in process.
"""

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from server_fixtures import app_client

TOKEN = "hardening-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
BASE = "https://w3id.org/civic-protest/"
PERSON = BASE + "id/person/yaseman-zafari"
EVENT = BASE + "id/event/2021-10-09-ardabil-conviction"
USER_GRAPH = "http://example.org/user-graph"
# Schemes a link must never carry; each is stored through a property some page renders.
PAYLOADS = {
    "javascript": "javascript:alert(1)",
    "mixed-case": "JaVaScRiPt:alert(2)",
    "data": "data:text/html;base64,PHNjcmlwdD5hbGVydCgzKTwvc2NyaXB0Pg==",
    "vbscript": "vbscript:msgbox(4)",
    "file": "file:///etc/passwd",
}
SAFE_SCHEMES = ("http:", "https:", "mailto:")
HTML_PAGES = ["/", "/browse", "/timeline", "/map", "/dataset", "/ontology", "/dumps/",
              "/search?q=Zafari", "/doc/person/yaseman-zafari",
              "/doc/event/2021-10-09-ardabil-conviction", "/doc/place/ardabil",
              "/doc/place/xss-town", "/no-such-page", f"/reconcile/preview?id={quote(PERSON)}"]


def stored_payloads() -> str:
    """INSERT DATA planting each payload where a page shows an IRI: an event's place (timeline,
    map, entity pages), an external link (Elsewhere), a class (dataset page), a passage."""
    triples = []
    for name, iri in PAYLOADS.items():
        triples += [
            f"<{EVENT}> <{BASE}ontology#place> <{iri}> .",
            f"<{PERSON}> <http://www.w3.org/2004/02/skos/core#exactMatch> <{iri}> .",
            f"<{BASE}id/place/xss-town> a <{iri}> .",
            # a town: every place is at a level (cps:PlaceLevelShape)
            f"<{iri}> a <{BASE}ontology#Town> ; <https://schema.org/name> \"payload {name}\" ; "
            f"<http://www.w3.org/2003/01/geo/wgs84_pos#lat> 38.1 ; "
            f"<http://www.w3.org/2003/01/geo/wgs84_pos#long> 46.3 ; "
            f"<{BASE}ontology#locatedIn> <{BASE}id/place/xss-land> .",
        ]
    triples.append(f"<{BASE}id/place/xss-land> a <{BASE}ontology#Country> ; "
                   f"<https://schema.org/name> \"XSS land\" .")
    triples.append(f"<{BASE}id/place/xss-town> <https://schema.org/name> \"XSS town\" ; "
                   f"<http://www.w3.org/2000/01/rdf-schema#seeAlso> <{PAYLOADS['javascript']}> .")
    return f"INSERT DATA {{ GRAPH <{USER_GRAPH}> {{ {' '.join(triples)} }} }}"


@pytest.fixture(scope="module")
def client(built):
    with app_client(DATASET_PATH=str(built.output), UPDATE_TOKEN=TOKEN) as client:
        response = client.post("/sparql", data={"update": stored_payloads()}, headers=BEARER)
        assert response.status_code == 200, response.get_data(as_text=True)
        yield client


@pytest.fixture(scope="module")
def open_client():
    with app_client(OPEN_UPDATE=True) as client:
        yield client


class Links(HTMLParser):
    """Every URL an HTML page would follow or load: href, src, action, formaction."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction", "xlink:href") and value is not None:
                self.urls.append((tag, value))


def followed_urls(html: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.urls


def unsafe(url: str) -> bool:
    cleaned = re.sub(r"[\x00-\x20]", "", url).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.\-]*):", cleaned)
    return bool(scheme) and not cleaned.startswith(SAFE_SCHEMES)


# --- stored XSS: links only in safe schemes ----------------------------------------------------

@pytest.mark.parametrize("path", HTML_PAGES)
def test_no_page_links_outside_the_safe_schemes(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.mimetype == "text/html", (path, response.status_code)
    html = response.get_data(as_text=True)
    bad = [(tag, url) for tag, url in followed_urls(html) if unsafe(url)]
    assert not bad, (path, bad)
    assert "<script>alert" not in html  # the data: payload's text is escaped wherever shown


def test_the_payloads_are_shown_as_text_where_they_were_links(client):
    event = client.get("/doc/event/2021-10-09-ardabil-conviction").get_data(as_text=True)
    person = client.get("/doc/person/yaseman-zafari").get_data(as_text=True)
    timeline = client.get("/timeline").get_data(as_text=True)
    map_page = client.get("/map").get_data(as_text=True)
    assert '<span class="iri">javascript:alert(1)</span>' in person      # Elsewhere
    assert '<span class="iri">javascript:alert(1)</span>' in timeline   # the place, as text
    assert "vbscript:msgbox(4)" in map_page and 'href="vbscript' not in map_page  # a marker
    assert 'href="javascript' not in event.lower()
    # http(s) links still work
    assert 'href="https://www.wikidata.org/' in person or "wikidata" not in person


# --- headers on every HTML response ------------------------------------------------------------

@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_html_response_carries_the_security_headers(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    policy = response.headers.get("Content-Security-Policy", "")
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if " " in d.strip())
    assert directives.get("script-src") == "'self'"          # no inline script, no eval
    assert directives.get("object-src") == "'none'" and directives.get("base-uri") == "'none'"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"
    if path.startswith("/reconcile/preview"):  # made to be framed by reconciliation clients
        assert directives.get("frame-ancestors") == "*"
    else:
        assert directives.get("frame-ancestors") == "'none'"
        assert response.headers.get("X-Frame-Options") == "DENY"


def test_no_inline_script_in_any_page(client):
    for path in HTML_PAGES:
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            # a data block (JSON, or JSON-LD for search engines) is never executed
            executable = not re.search(r'type="application/(ld\+)?json"', attributes)
            assert not (executable and body.strip()), (path, body[:80])
        assert not re.search(r"\son[a-z]+\s*=", html), path  # no onclick= ... handlers


@pytest.mark.parametrize("path", ["/context.jsonld", "/.well-known/void", "/ontology.ttl",
                                  "/doc/person/yaseman-zafari.jsonld",
                                  "/doc/person/yaseman-zafari.rdf", "/dumps/civic-protest.ttl",
                                  "/sparql?query=ASK%7B%7D"])
def test_read_only_documents_may_be_read_by_any_origin_without_credentials(client, path):
    response = client.get(path, headers={"Origin": "https://json-ld.example"})
    assert response.status_code == 200
    assert response.headers.get("Access-Control-Allow-Origin") == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


# --- cross-site writes ---------------------------------------------------------------------

UPDATE = "INSERT DATA { GRAPH <http://example.org/csrf> { <http://example.org/s> <http://example.org/p> 1 } }"


def digest(client) -> str:
    return client.get("/-/digest").get_json()["sha256"]


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.localhost.example"},
    {"Origin": "http://localhost.evil.example"},
], ids=["origin", "null-origin", "sec-fetch-site", "same-site", "lookalike"])
def test_a_form_update_from_another_site_is_refused_and_changes_nothing(open_client, headers):
    before = digest(open_client)
    response = open_client.post("/sparql", data={"update": UPDATE}, headers=headers)
    assert response.status_code == 403
    assert "site" in response.get_json()["error"]["detail"] or "origin" in response.get_json()["error"]["detail"]
    assert digest(open_client) == before


def test_a_multipart_upload_and_a_delete_from_another_site_are_refused(open_client):
    before = digest(open_client)
    upload = open_client.post("/store?graph=http://example.org/csrf",
                              data={"file": (__import__("io").BytesIO(b"<a:b> <a:c> <a:d> ."), "x.ttl")},
                              content_type="multipart/form-data",
                              headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    delete = open_client.delete("/store?default", headers={"Sec-Fetch-Site": "cross-site"})
    assert (upload.status_code, delete.status_code) == (403, 403)
    assert digest(open_client) == before


def test_same_origin_pages_and_non_browser_clients_still_write(open_client):
    same = open_client.post("/sparql", data={"update": UPDATE},
                            headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
    curl_like = open_client.post("/sparql", data={"update": UPDATE.replace("1 }", "2 }")})
    assert (same.status_code, curl_like.status_code) == (200, 200)


def test_a_bearer_token_writes_from_any_origin_but_basic_credentials_do_not(client):
    cross = {"Origin": "https://curation-tool.example", "Sec-Fetch-Site": "cross-site"}
    bearer = client.post("/sparql", data={"update": UPDATE}, headers={**BEARER, **cross})
    basic = client.post("/sparql", data={"update": UPDATE},
                        headers={"Authorization": "Basic " + __import__("base64").b64encode(
                            f"x:{TOKEN}".encode()).decode(), **cross})
    assert bearer.status_code == 200      # a page cannot send it without the token and a preflight
    assert basic.status_code == 403       # a browser may replay remembered Basic credentials


# --- Host names and the public base URL ----------------------------------------------------

def test_open_updates_answer_only_loopback_host_names(open_client):
    before = digest(open_client)
    for host in ("rebound.evil.example", "rebound.evil.example:8000", "10.0.0.1"):
        for method, path in (("GET", "/-/backup"), ("DELETE", "/store?default"), ("GET", "/")):
            response = open_client.open(path, method=method, headers={"Host": host})
            assert response.status_code == 400, (host, method, path)
            assert "host" in response.get_json()["error"]["detail"]
    assert digest(open_client) == before
    for host in ("localhost", "127.0.0.1:8000", "127.0.0.2:8000", "[::1]:8000"):
        assert open_client.get("/-/health", headers={"Host": host}).status_code == 200


def test_allowed_hosts_and_base_url_make_every_absolute_url():
    config = {"UPDATE_TOKEN": TOKEN, "WORKERS": 1,
              "BASE_URL": "https://kg.example/", "ALLOWED_HOSTS": ("kg.internal",)}
    with app_client(**config) as client:
        assert client.get("/-/health", headers={"Host": "evil.example"}).status_code == 400
        ok = {"Host": "kg.internal"}
        void = client.get("/.well-known/void", headers={**ok, "Accept": "application/n-triples"})
        description = client.get("/sparql", headers={**ok, "Accept": "application/n-triples"})
        manifest = client.get("/reconcile", headers=ok).get_json()
        created = client.post("/store", data=b"<http://example.org/a> <http://example.org/b> \"1\" .",
                              headers={**ok, **BEARER, "Content-Type": "application/n-triples"})
        for body in (void.get_data(as_text=True), description.get_data(as_text=True), str(manifest)):
            assert "https://kg.example/" in body and "kg.internal" not in body
        assert manifest["preview"]["url"].startswith("https://kg.example/reconcile/preview")
        assert created.status_code == 201
        assert created.headers["Location"].startswith("https://kg.example/store/")
        named = client.put("/store/mine", data=b"<http://example.org/a> <http://example.org/b> \"2\" .",
                           headers={**ok, **BEARER, "Content-Type": "application/n-triples"})
        assert named.status_code == 201
        graphs = client.get("/-/graphs", headers=ok).get_json()["graphs"]
        assert "https://kg.example/store/mine" in graphs


def test_the_servers_lean_query_path_keeps_the_host_list_and_the_base_url():
    """Queries of non-browser clients skip Flask in the live server (kg.server.sparql_path):
    they too answer only the allowed Host names, and resolve relative IRIs against the base URL."""
    import requests

    from server_fixtures import SMALL_DATASET, live_server

    query = {"query": "SELECT ?b WHERE { BIND(<> AS ?b) }"}
    json_results = {"Accept": "application/sparql-results+json"}
    with live_server(dataset_path=str(SMALL_DATASET), open_update=True, workers=1,
                     base_url="https://kg.example/") as base:
        refused = requests.get(base + "/sparql", params=query, timeout=30,
                               headers={**json_results, "Host": "rebound.evil.example"})
        answered = requests.get(base + "/sparql", params=query, headers=json_results, timeout=30)
    assert refused.status_code == 400 and "host" in refused.json()["error"]["detail"]
    assert answered.status_code == 200
    assert answered.json()["results"]["bindings"][0]["b"]["value"] == "https://kg.example/sparql"


def test_without_a_base_url_the_host_is_what_the_client_named(client):
    void = client.get("/.well-known/void", headers={"Host": "other.example",
                                                    "Accept": "application/n-triples"})
    assert "http://other.example/sparql" in void.get_data(as_text=True)


# --- malformed parameters: 400 with the canonical body -----------------------------------------

MALFORMED = [
    ("GET", "/timeline?type=a%20b", None),
    ("GET", "/timeline?type=%3Cjavascript:x%3E", None),
    ("GET", "/store?graph=a%20b", None),
    ("GET", '/reconcile?queries={"q0":{"query":"x","limit":"abc"}}', None),
    ("GET", '/reconcile?queries={"q0":{"query":"x","limit":NaN}}', None),
    ("GET", '/reconcile?queries={"q0":{"query":"x","limit":{"a":1}}}', None),
    ("GET", '/reconcile?queries={"q0":{"query":"x","limit":-3}}', None),
    ("GET", "/reconcile/suggest/entity?prefix=x&limit=abc", None),
    ("POST", "/reconcile", {"queries": "[" * 100_000}),
    ("POST", "/reconcile", {"queries": '{"q0":' * 50_000 + "1" + "}" * 50_000}),
    ("GET", "/sparql?query=ASK%7B%7D&default-graph-uri=a%20b", None),
    ("GET", "/sparql?query=ASK%7B%7D&format=json&format=xml", None),
]


@pytest.mark.parametrize("method, path, data", MALFORMED, ids=[m[1][:40] for m in MALFORMED])
def test_malformed_parameters_answer_400_with_the_canonical_body(client, method, path, data):
    response = client.open(path, method=method, data=data)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["title"] == "Bad Request" and error["detail"]


def test_a_lone_surrogate_or_a_very_long_search_is_no_error(client):
    assert client.get("/store/a%7Bb%7D").status_code == 404  # a graph name that may exist
    for path in ('/reconcile?queries={"q0":{"query":"\\ud800"}}', "/search?q=%ED%A0%80",
                 "/search?q=" + "a" * 50_000, "/timeline?place=%ED%A0%80"):
        assert client.get(path).status_code in (200, 400), path
