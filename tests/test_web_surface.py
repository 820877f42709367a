"""What a person reads: errors that say what to do, and pages that read as the sources do.

The real app on the session's build (one per module), the real `kg` command line for the
serve errors.
"""

import re
import socket

import pytest

from conftest import run_kg
from server_fixtures import app_client

TOKEN = "surface-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def client(built):
    with app_client(DATASET_PATH=str(built.output), UPDATE_TOKEN=TOKEN) as client:
        yield client


@pytest.fixture(scope="module")
def writer():
    """A small dataset, for writes: a write recomputes the inferred graph, cheap on small data."""
    with app_client(UPDATE_TOKEN=TOKEN, WORKERS=1) as client:
        yield client


def detail(response) -> str:
    return response.get_json()["error"]["detail"]


# --- errors ------------------------------------------------------------------------------------

def test_an_unknown_prefix_is_named(client):
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s foo:bar ?o }"})
    assert response.status_code == 400
    text = detail(response)
    assert text.startswith("syntax error: unknown prefix foo:") and "PREFIX foo:" in text
    assert "u{00B7}" not in text  # no grammar dump


def test_an_update_sent_as_a_query_says_so(client):
    for text in ("INSERT DATA { <a:b> <a:c> <a:d> }",
                 "PREFIX x: <http://x/>\n# a comment\nDELETE WHERE { ?s ?p ?o }"):
        response = client.get("/sparql", query_string={"query": text})
        assert response.status_code == 400
        assert "this is an update" in detail(response) and "update=" in detail(response)
    query_as_update = client.post("/sparql", data={"update": "SELECT * { ?s ?p ?o }"}, headers=BEARER)
    assert query_as_update.status_code == 400 and "this is a query" in detail(query_as_update)


def test_a_violation_is_one_line_naming_its_shape_in_text(writer):
    update = ("INSERT DATA { GRAPH <http://example.org/places> { "
              "<https://w3id.org/civic-protest/id/place/nowhere> a "
              "<https://w3id.org/civic-protest/ontology#Place> } }")
    response = writer.post("/sparql", data={"update": update}, headers={**BEARER, "Accept": "text/plain"})
    assert response.status_code == 422
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("422 Unprocessable Entity: ")
    violations = [line for line in lines[1:] if line.startswith("- ")]
    assert violations and all(line.endswith("]") and "[cps:" in line for line in violations)
    assert len(violations) == len(set(violations))
    assert any("place:nowhere" in line and "[cps:PlaceShape" in line for line in violations)


def test_void_asked_by_a_browser_redirects_to_the_dataset_page(client):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/.well-known/void", headers={"Accept": browser})
    assert response.status_code == 303 and response.headers["Location"].endswith("/dataset")
    assert client.get("/.well-known/void").mimetype == "text/turtle"


def test_a_favicon_and_an_html_404_with_a_search_box(client):
    icon = client.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    missing = client.get("/doc/person/no-such-person", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    html = missing.get_data(as_text=True)
    assert '<form class="search-large" action="/search"' in html and 'href="/browse"' in html
    assert client.get("/doc/person/no-such-person").get_json()["error"]["status"] == 404


def test_kg_serve_refuses_a_taken_port_in_one_line_before_building(build_env):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_kg("serve", "--port", str(port), "--rebuild", env=build_env)
    err = result.stderr.decode()
    assert result.returncode == 2 and "Traceback" not in err
    assert err.strip().count("\n") == 0 and f"port {port}" in err and "already in use" in err
    assert b"asserted triples" not in result.stdout  # it did not build first


def test_kg_serve_refuses_a_base_url_that_is_not_http(build_env):
    result = run_kg("serve", "--base-url", "javascript:alert(1)", env=build_env)
    assert result.returncode == 2 and "--base-url" in result.stderr.decode()


# --- a Graph Store round trip --------------------------------------------------------------------

PASSAGES = "\n".join(
    f"<http://example.org/passage/{n}> <http://www.w3.org/ns/oa#hasSelector> "
    f"[ a <http://www.w3.org/ns/oa#TextQuoteSelector> ; <http://www.w3.org/ns/oa#exact> \"quote {n}\" ] ."
    for n in range(20))


def test_putting_back_an_unchanged_graph_changes_and_logs_nothing(writer):
    graph = "/store?graph=http://example.org/passages"
    first = writer.put(graph, data=PASSAGES, headers={**BEARER, "Content-Type": "text/turtle"})
    assert first.status_code == 201 and first.get_json()["added"] == 60
    before = writer.get("/-/digest").get_json()
    turtle = writer.get(graph, headers={"Accept": "text/turtle"})
    assert b"_:" in turtle.data or b"[" in turtle.data  # blank nodes: new ones when parsed again
    response = writer.put(graph, data=turtle.data, headers={**BEARER, "Content-Type": "text/turtle"})
    assert response.status_code == 200
    assert (response.get_json()["added"], response.get_json()["removed"]) == (0, 0)
    assert writer.get("/-/digest").get_json() == before  # same data, same version, no change record
    changed = writer.put(graph, data=PASSAGES.replace("quote 7", "quote seven"),
                         headers={**BEARER, "Content-Type": "text/turtle"})
    assert changed.get_json()["added"] >= 1 and changed.get_json()["removed"] >= 1


# --- pages ---------------------------------------------------------------------------------------

def test_entity_pages_come_in_rdf_xml(client):
    import rdflib
    response = client.get("/doc/person/yaseman-zafari", headers={"Accept": "application/rdf+xml"})
    assert response.mimetype == "application/rdf+xml"
    graph = rdflib.Graph().parse(data=response.data, format="xml")
    assert (rdflib.URIRef("https://w3id.org/civic-protest/id/person/yaseman-zafari"), None, None) in graph
    assert client.get("/doc/person/yaseman-zafari.rdf").mimetype == "application/rdf+xml"


def test_durations_and_dates_read_as_people_write_them(client):
    from kg.server.ld.readable import format_duration
    assert format_duration("P7M16D") == "7 months 16 days"
    assert format_duration("P1Y") == "1 year" and format_duration("PT2H30M") == "2 hours 30 minutes"
    assert format_duration("nonsense") is None
    html = client.get("/doc/event/2021-10-09-ardabil-conviction").get_data(as_text=True)
    assert "9 October 2021" in html and "^^" not in html and not re.search(r">P\d+[YMD]", html)


def test_the_site_search_finds_other_transliterations(client):
    html = client.get("/search", query_string={"q": "Sajad Kolani"}).get_data(as_text=True)
    assert 'href="/doc/person/sajjad-colani"' in html
    exact = client.get("/search", query_string={"q": "Colani"}).get_data(as_text=True)
    hits = re.findall(r'<li><a href="(/doc/[^"]+)"', exact)
    assert "/doc/person/sajjad-colani" in hits


def test_the_dataset_page_names_its_entity_space_and_tells_classes_apart(client):
    html = client.get("/dataset").get_data(as_text=True)
    assert "https://w3id.org/civic-protest/id/" in html and "entities under <code></code>" not in html
    names = re.findall(r"<td><code>([^<]+)</code></td>", html)
    assert "cpo:Event" in names and "schema:Event" in names and len(names) == len(set(names))


def test_the_timeline_puts_coarse_dates_first_with_finer_dates_inside(client):
    html = client.get("/timeline").get_data(as_text=True)
    year = html[html.index('<h2 class="year">2004</h2>'):html.index('<h2 class="year">2019</h2>')]
    coarse, june = year.index("2004, month not given"), year.index('<h3 class="month">June 2004</h3>')
    assert coarse < june
    assert "data-precision=\"year\"" in year[coarse:june] and "data-precision=\"year\"" not in year[june:]
    july = year.index('<h3 class="month">July 2004</h3>')
    assert "22 July 2004" in year[july:]


def test_the_reconciliation_preview_tells_two_colanis_apart(client):
    pages = {}
    for slug in ("sajjad-colani", "meysam-colani"):
        iri = f"https://w3id.org/civic-protest/id/person/{slug}"
        response = client.get("/reconcile/preview", query_string={"id": iri})
        assert response.status_code == 200
        pages[slug] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    sajjad, meysam = pages["sajjad-colani"], pages["meysam-colani"]
    assert "Occupation: activist; national cultural activist" in sajjad
    assert "Places:" in sajjad and "Ardabil" in sajjad
    assert "29 September 2020" in sajjad and "visually impaired" in sajjad  # a quoted passage
    assert "December 2020" in meysam and "Amnesty International" in meysam
    assert sajjad != meysam


def test_the_map_draws_country_borders_and_a_legend(client):
    html = client.get("/map").get_data(as_text=True)
    countries = re.findall(r'<path class="country[^"]*" d="M[^"]+"><title>([^<]+)</title>', html)
    assert {"Iran", "Azerbaijan", "Armenia", "Turkey", "Iraq"} <= set(countries)
    assert '<g class="legend"' in html and "events, no arrest reported" in html
    assert "tile" not in html.replace("without any map tiles", "")


def test_federated_examples_say_they_need_federate(client, built):
    html = client.get("/").get_data(as_text=True)
    assert html.count("needs-federation") >= 1
    assert "kg serve --federate https://query.wikidata.org/sparql" in html
    assert re.search(r'data-example="[^"]*"[^>]*disabled aria-describedby="needs-', html)
    with app_client(FEDERATION_ALLOWLIST=("https://query.wikidata.org/sparql",), WORKERS=1) as allowed:
        assert "needs-federation" not in allowed.get("/").get_data(as_text=True)
