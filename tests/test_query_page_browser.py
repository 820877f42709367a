"""The query page in headless Chromium: it loads from our server alone (no CDN), an example
query runs through /sparql, and YASGUI's table shows the rows.

Drives Debian's `chromium` over the Chrome DevTools Protocol (websocket-client), against
`kg.server.app.create_app` served by waitress (`kg.server.run.serve`) on loopback with a
small fixture dataset. Saves a screenshot to test-artifacts/query-page.png.
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

websocket = pytest.importorskip("websocket", reason="websocket-client not installed: pip install -e '.[test]'")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed: apt-get install chromium")

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
EXAMPLE = "06-sentenced-under-article-607"
SENTENCED = ["Ayla Testperson", "Babak Testperson", "Cyrus Testperson"]

FIXTURE_TTL = """\
@prefix cpo: <https://w3id.org/civic-protest/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix cpd: <https://w3id.org/civic-protest/id/> .

cpd:test-conviction a cpo:Conviction ;
    schema:name "Test court sentences three activists" ;
    cpo:date "2021-10-09"^^xsd:date ;
    cpo:court cpd:test-court ;
    cpo:charge cpd:test-charge ;
    cpo:imposes cpd:test-sentence .
cpd:test-charge a cpo:Charge ; cpo:underProvision cpd:test-article-607 .
cpd:test-article-607 a cpo:LegalProvision ; cpo:articleNumber "607" .
cpd:test-court a cpo:Court ; schema:name "Test city court" .
cpd:test-sentence a cpo:Sentence ; schema:name "Seven months in prison" ;
    cpo:sentencedPerson cpd:test-person-a, cpd:test-person-b, cpd:test-person-c .
cpd:test-person-a a cpo:Person ; schema:name "Ayla Testperson" .
cpd:test-person-b a cpo:Person ; schema:name "Babak Testperson" .
cpd:test-person-c a cpo:Person ; schema:name "Cyrus Testperson" .
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real app (create_app via kg.server.run.serve, waitress) on loopback."""
    pytest.importorskip("kg.server.run", reason="kg.server.run (the endpoint) not available yet")
    from kg.namespaces import DATA_GRAPH

    data = tmp_path_factory.mktemp("data") / "fixture.ttl"
    data.write_text(FIXTURE_TTL, encoding="utf-8")
    port = free_port()
    script = textwrap.dedent(f"""
        from kg.server.run import serve
        serve("127.0.0.1", {port}, dataset_path="",
              named_graphs=[({str(DATA_GRAPH)!r}, {str(data)!r})])
    """)
    process = subprocess.Popen([sys.executable, "-c", script],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/", process)
        yield base
    finally:
        process.terminate()
        process.wait(10)


class DevTools:
    """A minimal Chrome DevTools Protocol client for one page."""

    def __init__(self, websocket_url: str):
        self.socket = websocket.create_connection(websocket_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression,
                           returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, seconds: float = 20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out after {seconds} s waiting for: {expression}")

    def close(self):
        self.socket.close()


def chromium_command(profile: Path) -> list[str]:
    return [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
            "--remote-debugging-port=0", "--window-size=1400,1000", "about:blank"]


def devtools_port(profile: Path, browser: subprocess.Popen, seconds: float = 30) -> int:
    """Chromium writes the port it chose to DevToolsActivePort in the profile."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if browser.poll() is not None:
            raise RuntimeError(f"chromium exited: {browser.stderr.read().decode()[-2000:]}")
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().split()[0])
        time.sleep(0.1)
    raise RuntimeError("chromium did not open its DevTools port")


@pytest.fixture
def page(tmp_path):
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    browser = subprocess.Popen(chromium_command(profile), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        port = devtools_port(profile, browser)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            targets = json.load(response)
        target = next(t for t in targets if t["type"] == "page")
        tools = DevTools(target["webSocketDebuggerUrl"])
        for domain in ("Page", "Network", "Runtime"):
            tools.send(f"{domain}.enable")
        yield tools
        tools.close()
    finally:
        browser.terminate()
        try:
            browser.wait(10)
        except subprocess.TimeoutExpired:
            browser.kill()


def requested_urls(tools: DevTools) -> list[str]:
    return [e["params"]["request"]["url"] for e in tools.events
            if e.get("method") == "Network.requestWillBeSent"]


def page_errors(tools: DevTools) -> list[str]:
    return [json.dumps(e["params"])[:300] for e in tools.events
            if e.get("method") == "Runtime.exceptionThrown"]


def save_screenshot(tools: DevTools, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    shot = tools.send("Page.captureScreenshot", format="png")
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


TABLE_ROWS = "Array.from(document.querySelectorAll('.tabPanel.active .yasr table tbody tr'))"


def test_example_query_runs_and_the_table_shows_its_rows(server, page):
    page.send("Page.navigate", url=server + "/")
    page.wait_for("window.kgQueryPage !== undefined && !!document.querySelector('.yasqe')")

    # The examples are offered, the starter query carries our prefixes.
    assert page.evaluate("document.querySelectorAll('#examples button.example').length") >= 10
    assert "PREFIX cpo:" in page.evaluate("kgQueryPage.yasgui.getTab().getYasqe().getValue()")

    # Open the example like a user, then press YASQE's run button.
    page.evaluate(f"document.querySelector('button[data-example=\"{EXAMPLE}\"]').click()")
    page.wait_for(f"kgQueryPage.yasgui.getTab().getYasqe().getValue().includes('articleNumber')")
    page.evaluate("document.querySelector('.tabPanel.active .yasqe_queryButton').click()")

    rows = page.wait_for(f"""(() => {{
        const rows = {TABLE_ROWS}.map(r => r.innerText);
        return rows.length >= {len(SENTENCED)} && rows.every(r => !r.includes('No data')) ? rows : null;
    }})()""")
    screenshot = save_screenshot(page, "query-page.png")

    assert len(rows) == len(SENTENCED), rows
    for name in SENTENCED:
        assert any(name in row and "Test city court" in row for row in rows), (name, rows)
    assert screenshot.stat().st_size > 10_000

    # Everything the page loaded came from our server: it works with no internet.
    foreign = [u for u in requested_urls(page)
               if not u.startswith(server) and not u.startswith(("data:", "blob:", "about:"))]
    assert not foreign, foreign
    assert not page_errors(page), page_errors(page)
