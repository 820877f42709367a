"""The pages in headless Chromium (Debian's `chromium`, over the DevTools protocol): a person
page, an event page, the timeline and the map render what the graph says; screenshots go to
test-artifacts/. Live server: the session's real build on loopback."""

import re

import pytest

pytest.importorskip("websocket", reason="websocket-client not installed: pip install -e '.[test]'")

from server_fixtures import live_server  # noqa: E402
from test_query_page_browser import CHROMIUM, page, save_screenshot  # noqa: E402,F401

pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="chromium not installed: apt-get install chromium")


@pytest.fixture(scope="module")
def site(built):
    with live_server(dataset_path=str(built.output)) as base:
        yield base


def visit(page, url: str) -> str:
    page.send("Page.navigate", url=url)
    page.wait_for("document.readyState === 'complete' && !!document.querySelector('main')")
    return page.evaluate("document.body.innerText")


def test_person_page_shows_spellings_and_quoted_sources(site, page):
    text = visit(page, site + "/id/person/yaseman-zafari")   # 303 to the document
    assert page.evaluate("location.pathname") == "/doc/person/yaseman-zafari"
    assert "Yaseman Zafari" in text and "Yasemen Zafari" in text
    assert page.evaluate("document.querySelectorAll('figure.quote blockquote').length") > 0
    assert "were detained during the protest" in text
    # the release of 21 July is not hers: the source does not say whom "each of them" means
    assert "Arrests" in text and "Sentences" in text and "Releases" not in text
    save_screenshot(page, "ld-person-page.png")


def test_event_page_shows_date_place_and_roles(site, page):
    text = visit(page, site + "/doc/event/2021-10-09-ardabil-conviction")
    assert "9 October 2021" in text
    assert "Ardabil" in text and "Huseyn Balakhani" in text
    assert "74 lashes" in text
    assert "Who took part, by role" in text
    save_screenshot(page, "ld-event-page.png")


def test_timeline_shows_month_only_dates_as_months(site, page):
    text = visit(page, site + "/timeline")
    months = page.evaluate(
        "Array.from(document.querySelectorAll('li.event[data-precision=month] time'))"
        ".map(t => t.textContent.trim())")
    # no day number anywhere: "October 2020", "from October 2020", "June – July 2004" ...
    assert months and not [m for m in months if re.search(r"\b\d{1,2}\b", m)], months
    assert "October 2020" in months
    assert "(month only)" in text
    save_screenshot(page, "ld-timeline.png")


def test_timeline_filter_by_place_includes_places_inside(site, page):
    visit(page, site + "/timeline?place=ardabil-province")
    places = page.evaluate("Array.from(document.querySelectorAll('li.event .where a'))"
                           ".map(a => a.textContent)")
    assert "Ardabil" in places


def test_map_shows_markers_and_names_without_tiles(site, page):
    visit(page, site + "/map")
    labels = page.evaluate("Array.from(document.querySelectorAll('svg.map text.marker-label'))"
                           ".map(t => t.textContent)")
    assert {"Tabriz", "Ardabil"} <= set(labels)
    assert page.evaluate("document.querySelectorAll('svg.map .markers circle').length") == len(labels)
    box = page.evaluate("JSON.stringify(document.querySelector('svg.map').getBoundingClientRect())")
    assert '"width":0' not in box
    save_screenshot(page, "ld-map.png")
