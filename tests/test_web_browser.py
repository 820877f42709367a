"""The pages a journalist reads, in headless Chromium under the Content-Security-Policy: the
query page with a result (our IRIs open our pages, dates read as dates), an entity page, the
timeline, the map and /dataset. Screenshots go to test-artifacts/web-*.png.

Live server: the session's real build on loopback (kg.server.run.serve)."""

import pytest

pytest.importorskip("websocket", reason="websocket-client not installed: pip install -e '.[test]'")

from server_fixtures import live_server  # noqa: E402
from test_query_page_browser import CHROMIUM, page, page_errors, requested_urls, save_screenshot  # noqa: E402,F401

pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="chromium not installed: apt-get install chromium")

EXAMPLE = "01-events-by-date"
RESULT_LINKS = ("Array.from(document.querySelectorAll('.tabPanel.active .yasr table tbody a.iri'))"
                ".map(a => a.getAttribute('href'))")


@pytest.fixture(scope="module")
def site(built):
    with live_server(dataset_path=str(built.output)) as base:
        yield base


def open_page(page, url: str) -> str:
    page.send("Log.enable")
    page.send("Page.navigate", url=url)
    page.wait_for("document.readyState === 'complete' && !!document.querySelector('main')")
    return page.evaluate("document.body.innerText")


def policy_violations(page) -> list[str]:
    """What the browser refused under our Content-Security-Policy (it logs each refusal)."""
    return [e["params"]["entry"]["text"] for e in page.events
            if e.get("method") == "Log.entryAdded"
            and "Content Security Policy" in e["params"]["entry"].get("text", "")]


def test_query_page_result_links_to_our_pages_and_reads_dates(site, page):
    open_page(page, site + "/")
    page.wait_for("window.kgQueryPage !== undefined && !!document.querySelector('.yasqe')")
    page.evaluate(f"document.querySelector('button[data-example=\"{EXAMPLE}\"]').click()")
    page.wait_for("kgQueryPage.yasgui.getTab().getYasqe().getValue().includes('Events by date')")
    page.evaluate("document.querySelector('.tabPanel.active .yasqe_queryButton').click()")
    links = page.wait_for(f"(() => {{ const l = {RESULT_LINKS}; return l.length > 20 ? l : null; }})()")
    save_screenshot(page, "web-query-result.png")

    events = [href for href in links if href.startswith("/doc/event/")]
    assert events and not [h for h in links if h.startswith("https://w3id.org/")], links[:5]
    dates = page.evaluate("Array.from(document.querySelectorAll('.tabPanel.active .yasr "
                          ".readable-literal')).map(s => s.textContent)")
    assert "9 October 2021" in dates and "March 2023" in dates
    assert not [d for d in dates if "^^" in d or "XMLSchema" in d]
    # the federated examples are offered disabled, saying what they need
    assert page.evaluate("document.querySelectorAll('#examples button.example:disabled').length") >= 2
    assert not policy_violations(page), policy_violations(page)
    assert not page_errors(page), page_errors(page)

    # a result link opens our page about the event, offline (YASR's first click on a cut-short
    # cell shows it whole; the second follows the link)
    link = f"document.querySelector('.tabPanel.active .yasr a.iri[href=\"{events[0]}\"]')"
    page.evaluate(f"{link}.click()")
    page.evaluate(f"(() => {{ const a = {link}; if (a) a.click(); }})()")
    page.wait_for(f"location.pathname === {events[0]!r} && !!document.querySelector('h1')")
    foreign = [u for u in requested_urls(page) if not u.startswith(site)
               and not u.startswith(("data:", "blob:", "about:"))]
    assert not foreign, foreign


def test_entity_page(site, page):
    text = open_page(page, site + "/doc/person/sajjad-colani")
    assert "Sajjad Colani" in text and "visually impaired" in text
    assert "RDF/XML" in text
    save_screenshot(page, "web-entity.png")
    assert not policy_violations(page)


def test_timeline(site, page):
    text = open_page(page, site + "/timeline")
    headings = page.evaluate("Array.from(document.querySelectorAll('.timeline h2, .timeline h3'))"
                             ".map(h => h.textContent.trim())")
    assert headings.index("2004, month not given") < headings.index("June 2004") < headings.index("July 2004")
    assert "(year only)" in text
    save_screenshot(page, "web-timeline.png")
    assert not policy_violations(page)


def test_map(site, page):
    open_page(page, site + "/map")
    countries = page.evaluate("Array.from(document.querySelectorAll('svg.map path.country title'))"
                              ".map(t => t.textContent)")
    assert {"Iran", "Azerbaijan", "Armenia", "Turkey"} <= set(countries)
    drawn = page.evaluate("(() => { const b = document.querySelector('svg.map path.focus').getBBox();"
                          " return b.width * b.height; })()")
    assert drawn > 10_000  # Iran's outline covers a real part of the drawing
    assert page.evaluate("document.querySelectorAll('svg.map .legend circle').length") >= 2
    save_screenshot(page, "web-map.png")
    assert not policy_violations(page)


def test_dataset_page(site, page):
    text = open_page(page, site + "/dataset")
    assert "https://w3id.org/civic-protest/id/" in text and "cpo:Event" in text
    save_screenshot(page, "web-dataset.png")
    assert not policy_violations(page)
