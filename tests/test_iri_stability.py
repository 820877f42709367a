"""An entity IRI, once published, keeps answering.

Every IRI of a release is walked against the current data: a live entity answers 303 (to its
document), an IRI merged into another entity 301 to that entity's IRI (with
dcterms:isReplacedBy in the body), a withdrawn one 410 Gone with the reason. The merge and the
withdrawal are made here on a copy of the real data, as a curator makes them (data/registry/retired.ttl);
the data still builds and conforms, and the next release lists both as withdrawn.
"""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

from conftest import nquads_without
from kg.dataset.release import ReleaseRefused, read_snapshot, release, releases_in
from kg.namespaces import CPO, SCHEMA
from kg.paths import DATA_DIR, RELEASES_DIR, turtle_files
from kg.pipeline.build import build
from server_fixtures import app_client

ID = "https://w3id.org/civic-protest/id/"
KEPT = rdflib.URIRef(ID + "person/javad-rzayi")
MERGED = rdflib.URIRef(ID + "person/javad-rizayi")
WITHDRAWN = rdflib.URIRef(ID + "person/abulfazl-askari")


def merge_and_withdraw(graph: rdflib.Graph) -> rdflib.Graph:
    """The data with MERGED merged into KEPT and WITHDRAWN withdrawn, as data/registry/retired.ttl says."""
    out = rdflib.Graph()
    kept_names = set(graph.objects(KEPT, SCHEMA.name))
    for s, p, o in graph:
        if WITHDRAWN in (s, o):
            continue
        if s == MERGED:
            if p == RDF.type:
                continue
            if p == SCHEMA.name:
                p = SKOS.altLabel
                if o in kept_names:
                    continue
            s = KEPT
        if o == MERGED:
            o = KEPT
        if (s, p, o) == (KEPT, CPO.possiblySameAs, KEPT):
            continue
        out.add((s, p, o))
    out.add((MERGED, OWL.deprecated, rdflib.Literal(True)))
    out.add((MERGED, CPO.retirementReason, rdflib.Literal(
        "Merged in a test: the same activist as Javad Rzayi, spelt differently.")))
    out.add((MERGED, DCTERMS.isReplacedBy, KEPT))
    out.add((WITHDRAWN, OWL.deprecated, rdflib.Literal(True)))
    out.add((WITHDRAWN, CPO.retirementReason, rdflib.Literal(
        "Withdrawn in a test: read from a list the test pretends was misquoted.")))
    return out


@pytest.fixture(scope="module")
def published(built, tmp_path_factory):
    """A release of the real data, then the data with a merge and a withdrawal, built."""
    work = tmp_path_factory.mktemp("iris")
    first = release("1.0.0", dataset=built.output, releases_dir=work / "releases",
                    date=dt.date(2025, 3, 1), citation=None)
    data = rdflib.Graph()
    for path in turtle_files(DATA_DIR):
        data.parse(path, format="turtle")
    changed = work / "data"
    changed.mkdir()
    merge_and_withdraw(data).serialize(changed / "data.ttl", format="turtle")
    result = build(work / "changed.nq", data_dir=changed)
    assert result.conforms, result.report.describe()
    return first, work / "changed.nq"


def walk(client, iris, accept="text/html") -> dict[str, tuple[int, str | None]]:
    answers = {}
    for iri in sorted(iris):
        response = client.get("/id/" + iri[len(ID):], headers={"Accept": accept})
        answers[iri] = (response.status_code, response.headers.get("Location"), response)
    return answers


def test_every_iri_of_the_previous_release_answers_after_a_merge_and_a_withdrawal(published):
    first, changed = published
    snapshot = read_snapshot(first.directory)
    assert len(snapshot.entities) > 500 and {str(MERGED), str(WITHDRAWN)} <= set(snapshot.entities)
    with app_client(DATASET_PATH=str(changed)) as client:
        answers = walk(client, snapshot.answers())
        statuses = {iri: status for iri, (status, _, _) in answers.items()}
        assert statuses.pop(str(MERGED)) == 301
        assert statuses.pop(str(WITHDRAWN)) == 410
        wrong = {iri: s for iri, s in statuses.items() if s != 303}
        assert not wrong, f"IRIs of the previous release that no longer answer: {wrong}"

        status, location, response = answers[str(MERGED)]
        assert location.endswith("/id/person/javad-rzayi")
        assert client.get(location).status_code == 303          # one hop to a live entity
        assert "Javad Rzayi" not in response.get_data(as_text=True) or "merged into" in response.get_data(as_text=True)
        turtle = client.get("/id/person/javad-rizayi", headers={"Accept": "text/turtle"})
        assert turtle.status_code == 301
        record = rdflib.Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
        assert (MERGED, DCTERMS.isReplacedBy, KEPT) in record

        gone = client.get("/doc/person/abulfazl-askari", headers={"Accept": "text/turtle"})
        assert gone.status_code == 410
        record = rdflib.Graph().parse(data=gone.get_data(as_text=True), format="turtle")
        assert "misquoted" in str(record.value(WITHDRAWN, CPO.retirementReason))
        page = answers[str(WITHDRAWN)][2].get_data(as_text=True)
        assert "withdrawn" in page and "misquoted" in page
        assert client.get("/id/person/no-such-person").status_code == 404


def test_the_next_release_lists_the_merge_and_the_withdrawal(published):
    first, changed = published
    second = release("1.1.0", dataset=changed, releases_dir=first.directory.parent,
                     date=dt.date(2025, 4, 1), citation=None)
    withdrawn = {r.iri: r.replacement for r in second.changes.withdrawn}
    assert withdrawn == {str(MERGED): str(KEPT), str(WITHDRAWN): None}
    assert str(KEPT) in second.changes.changed and not second.changes.added
    entry = (second.directory / "CHANGELOG.md").read_text(encoding="utf-8").split("## 1.0.0")[0]
    assert "[person/javad-rizayi](" + str(MERGED) + ") merged into [person/javad-rzayi](" in entry
    assert "[person/abulfazl-askari](" + str(WITHDRAWN) + ") withdrawn: Withdrawn in a test" in entry
    states = read_snapshot(second.directory).retired
    assert states[str(MERGED)].replacement == str(KEPT) and states[str(WITHDRAWN)].replacement is None


def test_every_iri_of_the_latest_published_release_answers_now(built):
    """The repository's own promise: the newest release under releases/ against today's data."""
    published = releases_in(RELEASES_DIR)
    if not published:
        pytest.skip(f"no release under {RELEASES_DIR} yet (kg release VERSION makes one)")
    snapshot = read_snapshot(published[-1]["path"])
    with app_client(DATASET_PATH=str(built.output)) as client:
        answers = walk(client, snapshot.answers())
    wrong = {iri: status for iri, (status, _, _) in answers.items() if status not in (301, 303, 410)}
    assert not wrong, f"IRIs of release {published[-1]['version']} that no longer answer: {wrong}"


def test_a_release_without_the_retirement_records_is_refused(published, tmp_path):
    first, changed = published
    reason = ox.NamedNode(str(CPO.retirementReason))
    path = nquads_without(changed, tmp_path / "unrecorded.nq", predicate=reason)
    with pytest.raises(ReleaseRefused, match="javad-rizayi"):
        release("9.9.9", dataset=path, releases_dir=first.directory.parent, citation=None)
