"""`kg release` and the change feed, end to end on a live server: release, write, release.

The server serves a small conforming dataset (ontology + shapes/examples/common.ttl as data,
built as the real data is) so that a validated write takes about a second. A release is made of
the served dataset; a curator writes through the Graph Store Protocol; the feed at /changes
lists that write with its agent and its entities; a backup of the store is released again,
and the second release's changelog lists exactly the entities the write added and changed.
Both releases verify against their SHA256SUMS, and their CITATION.cff validates with cffconvert.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pyoxigraph as ox
import pytest
import requests

from conftest import ROOT, nquads_without, run_kg
from kg.dataset.backup import backup_from_server
from kg.dataset.release import ReleaseRefused, read_snapshot, release, verify
from kg.namespaces import DATA_GRAPH
from kg.paths import SHAPES_DIR
from kg.pipeline.build import build
from server_fixtures import live_server

TOKEN = "curator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ID = "https://w3id.org/civic-protest/id/"
CFFCONVERT = Path(sys.executable).parent / "cffconvert"

WRITE = """
@prefix cpo: <https://w3id.org/civic-protest/ontology#> .
@prefix person: <https://w3id.org/civic-protest/id/person/> .
@prefix passage: <https://w3id.org/civic-protest/id/passage/> .
@prefix source: <https://w3id.org/civic-protest/id/source/> .
@prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .

passage:example-newcomer a cpo:Passage ;
    oa:hasSource source:example-report ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Example Newcomer joined the demonstrators." ] .
person:example-newcomer a cpo:Person ; schema:name "Example Newcomer" ;
    prov:wasDerivedFrom passage:example-newcomer .
person:example-activist skos:altLabel "E. Activist" .
"""


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    work = tmp_path_factory.mktemp("release")
    data = work / "data"
    data.mkdir()
    shutil.copy(SHAPES_DIR / "examples" / "common.ttl", data / "common.ttl")
    result = build(work / "dataset.nq", data_dir=data, sources_dir=None)
    assert result.conforms, result.report.describe()
    return work


@pytest.fixture(scope="module")
def server(work):
    with live_server(update_token=f"alice={TOKEN}", dataset_path=str(work / "dataset.nq"),
                     query_timeout=60) as base:
        yield base


@pytest.fixture(scope="module")
def history(work, server):
    """Release 1.0.0, one write through the Graph Store Protocol, release 1.1.0 of a backup."""
    releases = work / "releases"
    citation = work / "CITATION.cff"
    shutil.copy(ROOT / "CITATION.cff", citation)
    first = release("1.0.0", dataset=work / "dataset.nq", releases_dir=releases,
                    date=dt.date(2025, 1, 10), citation=citation)
    response = requests.post(server + "/store?graph=" + quote(str(DATA_GRAPH), safe=""),
                             data=WRITE.encode(), headers={**AUTH, "Content-Type": "text/turtle"},
                             timeout=120)
    assert response.status_code in (200, 204), response.text
    backup = backup_from_server(server, work / "backup.nq", TOKEN)
    second = release("1.1.0", dataset=backup.path, releases_dir=releases,
                     date=dt.date(2025, 2, 1), citation=citation)
    return first, second


def feed(server, path="/changes", **headers):
    response = requests.get(server + path, headers=headers, timeout=60)
    return response


# --- the feed --------------------------------------------------------------------------------

def test_the_feed_lists_the_write_with_its_agent_and_entities(server, history):
    collection = feed(server).json()
    assert collection["type"] == "OrderedCollection" and collection["totalItems"] == 1
    page = feed(server, "/changes?page=1").json()
    assert page["type"] == "OrderedCollectionPage" and page["partOf"].endswith("/changes")
    (write,) = page["orderedItems"]
    assert write["actor"]["name"] == "alice"
    assert re.match(r"^\d{4}-\d\d-\d\dT", write["published"])
    assert write["added"] == [ID + "passage/example-newcomer", ID + "person/example-newcomer"]
    assert write["changed"] == [ID + "person/example-activist"] and write["removed"] == []
    assert write["type"] == "Update" and write["triplesAdded"] >= 8


def test_the_feed_is_json_ld_atom_and_open_to_any_origin(server, history):
    response = feed(server, "/changes?page=1", Origin="https://example.org")
    assert response.headers["Content-Type"].startswith("application/activity+json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    from pyld import jsonld

    body = response.json()
    body["@context"][0] = {"@vocab": "https://www.w3.org/ns/activitystreams#"}  # offline: no fetch
    expanded = jsonld.expand(body)
    item = expanded[0]["https://www.w3.org/ns/activitystreams#orderedItems"][0]
    added = {a["@id"] for a in item["https://w3id.org/civic-protest/changes#entityAdded"]}
    assert ID + "person/example-newcomer" in added
    atom = feed(server, "/changes", Accept="application/atom+xml")
    assert atom.headers["Content-Type"].startswith("application/atom+xml")
    tree = ET.fromstring(atom.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    (entry,) = tree.findall("a:entry", ns)
    assert entry.find("a:author/a:name", ns).text == "alice"
    assert "added: " + ID + "person/example-newcomer" in entry.find("a:content", ns).text


def test_the_feed_refuses_bad_pages(server):
    assert feed(server, "/changes?page=0").status_code == 400
    assert feed(server, "/changes?page=x").status_code == 400
    assert feed(server, "/changes?page=99").status_code == 404


# --- the releases ------------------------------------------------------------------------------

def test_the_second_changelog_lists_exactly_the_writes_entities(server, history):
    first, second = history
    assert first.previous is None and second.previous == "1.0.0"
    write = feed(server, "/changes?page=1").json()["orderedItems"][0]
    assert second.changes.added == write["added"]
    assert second.changes.changed == write["changed"]
    assert second.changes.withdrawn == []
    changelog = (second.directory / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = changelog.split("## 1.0.0", 1)[0]
    listed = re.findall(r"\]\((https://w3id\.org/civic-protest/id/[^)]+)\)", entry)
    assert sorted(listed) == sorted(write["added"] + write["changed"])
    assert "### Added (2)" in entry and "### Changed (1)" in entry
    assert "## 1.0.0 (2025-01-10)" in changelog     # the history goes on below


def test_releases_verify_and_describe_themselves(history):
    for result in history:
        assert verify(result.directory) == []
        sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=result.directory,
                              capture_output=True, text=True)
        assert sums.returncode == 0, sums.stdout + sums.stderr
        names = set(result.files)
        version = result.version
        assert {f"civic-protest-{version}{s}" for s in (".nq", ".trig", ".ttl", ".nt", ".jsonld", ".rdf")} <= names
        assert {"CHANGELOG.md", "CITATION.cff", "dcat.ttl", "entities.tsv", "release.json",
                "quickstatements.txt", "mixnmatch.csv", "SHA256SUMS"} <= names
        dcat = ox.Store()
        dcat.load(path=str(result.directory / "dcat.ttl"), format=ox.RdfFormat.TURTLE)
        rows = list(dcat.query("""
            PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX spdx: <http://spdx.org/rdf/terms#>
            SELECT ?url ?sum WHERE { ?d a dcat:Dataset ; dcat:version ?v ; dcat:distribution ?x .
              ?x dcat:downloadURL ?url ; dcat:byteSize ?size ; spdx:checksum/spdx:checksumValue ?sum }"""))
        listed = dict(line.split("  ")[::-1] for line in (result.directory / "SHA256SUMS").read_text().splitlines())
        assert len(rows) == len(names) - 2     # every file but dcat.ttl and SHA256SUMS
        for row in rows:
            name = row["url"].value.split(f"/releases/{version}/", 1)[1]  # tables/... included
            assert listed[name] == row["sum"].value


def test_the_dumps_hold_the_data(history):
    _, second = history
    nq = ox.Store()
    nq.load(path=str(second.directory / "civic-protest-1.1.0.nq"), format=ox.RdfFormat.N_QUADS)
    graphs = {g.value for g in nq.named_graphs()}
    assert graphs == {"https://w3id.org/civic-protest/graph/" + g for g in ("ontology", "data", "inferred")}
    newcomer = ox.NamedNode(ID + "person/example-newcomer")
    assert list(nq.quads_for_pattern(newcomer, None, None, ox.NamedNode(str(DATA_GRAPH))))
    for suffix, fmt in ((".ttl", ox.RdfFormat.TURTLE), (".nt", ox.RdfFormat.N_TRIPLES),
                        (".rdf", ox.RdfFormat.RDF_XML), (".jsonld", ox.RdfFormat.JSON_LD),
                        (".trig", ox.RdfFormat.TRIG)):
        triples = list(ox.parse(path=str(second.directory / f"civic-protest-1.1.0{suffix}"), format=fmt))
        assert any(t.subject == newcomer for t in triples), suffix


def test_a_release_is_never_rewritten_and_is_reproducible(work, history):
    first, _ = history
    with pytest.raises(ReleaseRefused, match="never rewritten"):
        release("1.0.0", dataset=work / "dataset.nq", releases_dir=first.directory.parent, citation=None)
    again = release("1.0.0", dataset=work / "dataset.nq", releases_dir=work / "again",
                    date=dt.date(2025, 1, 10), citation=None)
    ours = lambda d: {n: (d / n).read_bytes() for n in first.files if n not in ("release.json", "CITATION.cff", "SHA256SUMS", "dcat.ttl")}
    assert ours(again.directory) == ours(first.directory)


def test_a_release_refuses_to_drop_an_iri(work, history):
    _, second = history
    newcomer = ox.NamedNode(ID + "person/example-newcomer")
    dropped = nquads_without(second.directory / "civic-protest-1.1.0.nq", work / "dropped.nq", newcomer)
    with pytest.raises(ReleaseRefused, match="person/example-newcomer"):
        release("1.2.0", dataset=dropped, releases_dir=second.directory.parent, citation=None)
    assert not (second.directory.parent / "1.2.0").exists()
    assert read_snapshot(second.directory).entities[newcomer.value]


def test_citation_files_validate_with_cffconvert(work, history):
    assert CFFCONVERT.exists(), "cffconvert is installed by scripts/setup"
    for path in (ROOT / "CITATION.cff", history[1].directory / "CITATION.cff", work / "CITATION.cff"):
        result = subprocess.run([str(CFFCONVERT), "--validate", "-i", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, f"{path}: {result.stdout}{result.stderr}"
    cff = (history[1].directory / "CITATION.cff").read_text()
    assert 'version: "1.1.0"' in cff and 'date-released: "2025-02-01"' in cff
    assert (work / "CITATION.cff").read_text() == cff     # the repository's follows the release


def test_the_command_line(work, history):
    env = {**os.environ}
    releases = str(history[0].directory.parent)
    ok = run_kg("release", "1.1.0", "--verify", "--releases-dir", releases, env=env)
    assert ok.returncode == 0 and b"every file matches" in ok.stdout
    again = run_kg("release", "1.1.0", "--releases-dir", releases, "--no-citation-update",
                   "--dataset", str(work / "backup.nq"), env=env)
    assert again.returncode == 2 and b"never rewritten" in again.stderr
    bad = run_kg("release", "2.0.0", "--releases-dir", releases, "--date", "yesterday", env=env)
    assert bad.returncode == 2 and b"is not a date" in bad.stderr


# --- served: /releases/ and the schema.org Dataset of / and /dataset ------------------------------

def embedded_jsonld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD in the page"
    return json.loads(match.group(1))


def test_releases_are_served_and_described_as_a_schema_org_dataset(work, history):
    from server_fixtures import app_client

    first, second = history
    with app_client(DATASET_PATH=str(work / "dataset.nq"), RELEASES_DIR=str(second.directory.parent)) as client:
        index = client.get("/releases/").get_json()
        assert [r["version"] for r in index["releases"]] == ["1.1.0", "1.0.0"]
        dump = client.get("/releases/1.1.0/civic-protest-1.1.0.nq")
        assert dump.status_code == 200 and dump.headers["Content-Type"].startswith("application/n-quads")
        assert dump.data == (second.directory / "civic-protest-1.1.0.nq").read_bytes()
        assert "immutable" in dump.headers["Cache-Control"]
        for path in ("/releases/1.1.0/../1.0.0/release.json", "/releases/1.1.0/nothing.txt",
                     "/releases/9.9.9/", "/releases/..%2F..%2Fetc/passwd"):
            assert client.get(path).status_code == 404, path
        assert client.get("/releases/1.1.0/").get_json()["previous"] == "1.0.0"
        for page in ("/", "/dataset"):
            described = embedded_jsonld(client.get(page).get_data(as_text=True))
            assert described["@type"] == "Dataset" and described["version"] == "1.1.0"
            assert described["license"] == "https://creativecommons.org/licenses/by/4.0/"
            assert described["creator"]["name"] and described["name"] and described["description"]
            urls = [d["contentUrl"] for d in described["distribution"]]
            assert "http://localhost/releases/1.1.0/civic-protest-1.1.0.nq" in urls
            assert any(u.endswith("/dumps/civic-protest.ttl") for u in urls)


def test_the_tables_go_into_the_release(work, tmp_path):
    tables = tmp_path / "tables"
    (tables / "parquet").mkdir(parents=True)
    (tables / "events.csv").write_text("id,type\nevent/x,Rally\n", encoding="utf-8")
    (tables / "parquet" / "events.parquet").write_bytes(b"PAR1")
    result = release("1.0.0", dataset=work / "dataset.nq", releases_dir=tmp_path / "releases",
                     tables_dir=tables, citation=None)
    assert {"tables/events.csv", "tables/parquet/events.parquet"} <= set(result.files)
    assert verify(result.directory) == []
    assert "<https://w3id.org/civic-protest/releases/1.0.0/tables/events.csv> a dcat:Distribution" in \
        (result.directory / "dcat.ttl").read_text(encoding="utf-8")
