"""A crawler starts at / on a live server (the session's real build) and follows every
internal link of every HTML page it meets, each URL once: none answers 4xx or 5xx."""

import http.client
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from server_fixtures import live_server, server_log

MAX_PAGES = 5000


@pytest.fixture(scope="module")
def site(built):
    with live_server(dataset_path=str(built.output)) as base:
        yield base


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("href", "src"):
            if attributes.get(name) and tag in ("a", "link", "script", "img"):
                self.found.append(attributes[name])


def get(base: str, path: str) -> tuple[int, str, bytes]:
    """GET without following redirects: (status, content type, body); redirects give Location."""
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept": "text/html,*/*;q=0.8"})
        response = connection.getresponse()
        body = response.read()
        if 300 <= response.status < 400:
            return response.status, "", response.getheader("Location", "").encode()
        return response.status, response.getheader("Content-Type", ""), body
    finally:
        connection.close()


def answer(base: str, path: str) -> tuple[int, str, bytes]:
    """`get`, with a connection that gets no answer in time reported as status 0 (a broken
    link with the reason), not an exception that hides which page hung and the server log."""
    try:
        return get(base, path)
    except OSError as error:
        return 0, "", f"no answer: {type(error).__name__} {error}".encode()


def internal_links(base: str, page_url: str, html: bytes) -> set[str]:
    parser = Links()
    parser.feed(html.decode("utf-8", "replace"))
    out = set()
    for link in parser.found:
        absolute = urldefrag(urljoin(page_url, link))[0]
        if absolute.startswith(base + "/") or absolute == base:
            split = urlsplit(absolute)
            out.add(split.path + (f"?{split.query}" if split.query else ""))
    return out


def crawl(base: str) -> tuple[dict, list]:
    """{path: status} for every path reached from /, and the (page, link) that broke."""
    seen, broken, frontier = {}, [], {"/": "(start)"}
    with ThreadPoolExecutor(max_workers=4) as pool:
        while frontier and len(seen) < MAX_PAGES:
            batch = list(frontier.items())
            frontier = {}
            for (path, referrer), (status, content_type, body) in zip(
                    batch, pool.map(lambda item: answer(base, item[0]), batch)):
                seen[path] = status
                if status >= 400 or status == 0:
                    reason = body.decode() if status == 0 else status
                    broken.append(f"{reason} {path} (linked from {referrer})")
                    continue
                targets = ({urlsplit(urljoin(base + path, body.decode())).path}
                           if 300 <= status < 400 else
                           internal_links(base, base + path, body)
                           if content_type.startswith("text/html") else set())
                for target in targets - seen.keys() - frontier.keys():
                    frontier[target] = path
    return seen, broken


def test_every_internal_link_from_the_query_page_answers(site):
    seen, broken = crawl(site)
    assert not broken, "\n".join(broken[:30]) + "\n\nserver log:\n" + server_log(site)
    for expected in ("/browse", "/timeline", "/map", "/ontology", "/.well-known/void", "/dumps/"):
        assert expected in seen, f"{expected} is not reachable from /"
    assert sum(1 for path in seen if path.startswith("/doc/person/")) > 50
    assert len(seen) > 500
