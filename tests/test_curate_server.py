"""POST /curate/sheets: a curator's workbook through the server's validated, journaled write path.

A real `kg serve` on loopback (its front, store, forked workers, commit checks) serving a small
built dataset (the registry and the 2023 report); the invented test document is uploaded with
its text by `requests`, as a script of a documenter's organisation would."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
import requests

from server_fixtures import live_server
from sheets_fixtures import ARREST, INVENTED, invented_rows, small_data_folder, workbook
from kg.pipeline.build import build

TOKEN = {"Authorization": "Bearer s3cret"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("curate")
    data, sources = small_data_folder(root)
    result = build(output=root / "dataset.nq", data_dir=data, sources_dir=sources)
    assert result.conforms
    rows = invented_rows()
    good = workbook(root / "invented.xlsx", rows).read_bytes()
    rows["Arrests"][0]["quote"] = "plain-clothes agents arrested Leyla Testova and Orhan Ornekli at the gate"
    rows["Events"][1]["type"] = "riot"
    rows["Releases"][0]["date"] = "2024-02-30"
    rows["People"].append({"name": "Vugar Nemmat"})
    wrong = workbook(root / "wrong.xlsx", rows).read_bytes()
    with live_server(dataset_path=str(root / "dataset.nq"), update_token=["documenter=s3cret"],
                     settings={"SOURCES_DIR": str(sources)}) as base:
        yield Client(base), good, wrong, sources


class Client:
    """requests against the live server, with the test client's few names."""

    def __init__(self, base: str):
        self.base = base

    def get(self, path, **options):
        return Answer(requests.get(self.base + path, timeout=120, **options))

    def post(self, path, data=None, files=None, headers=None):
        return Answer(requests.post(self.base + path, data=data, files=files, headers=headers, timeout=120))


class Answer:
    def __init__(self, response):
        self.response, self.status_code = response, response.status_code
        self.mimetype = response.headers.get("Content-Type", "").split(";")[0]
        self.data = response.content

    def get_json(self):
        return self.response.json()

    def get_data(self, as_text=False):
        return self.response.text if as_text else self.response.content


def upload(client, data: bytes, source: bool = True, headers=TOKEN, name="invented.xlsx", **form):
    files = {"workbook": (name, data)}
    if source:
        files["source"] = ("invented.txt", INVENTED.read_bytes())
    return client.post("/curate/sheets", data=form, files=files, headers=headers)


def digest(client) -> str:
    return client.get("/-/digest").get_json()["sha256"]


def test_the_form_and_the_template_are_served(served):
    client = served[0]
    page = client.get("/curate/sheets")
    assert page.status_code == 200 and 'name="workbook"' in page.get_data(as_text=True)
    template = client.get("/curate/sheets/template.xlsx")
    assert template.status_code == 200
    import openpyxl

    lists = openpyxl.load_workbook(io.BytesIO(template.data))["Lists"]
    names = {c.value for row in lists.iter_rows() for c in row}
    assert {"Tabriz University", "Eli Cohen", "rally"} <= names


def test_a_workbook_needs_an_update_token(served):
    client, good, _, _ = served
    assert upload(client, good, headers={}).status_code == 401
    assert upload(client, good, headers={"Authorization": "Bearer wrong"}).status_code == 403
    # the form's token field: accepted from our own page, refused from another site's
    wrong = served[2]
    assert upload(client, wrong, headers={}, token="s3cret", format="html").status_code == 422
    assert upload(client, good, headers={"Origin": "http://elsewhere.example", "Sec-Fetch-Site": "cross-site"},
                  token="s3cret").status_code == 403


def test_a_wrong_workbook_is_answered_with_its_problems_and_changes_nothing(served):
    client, _, wrong, sources = served
    before = digest(client)
    response = upload(client, wrong)
    assert response.status_code == 422
    error = response.get_json()["error"]
    where = sorted((p["sheet"], p["row"], p["column"]) for p in error["problems"])
    assert where == [("Arrests", 3, "quote"), ("Events", 4, "type"), ("People", 5, "name"),
                     ("Releases", 3, "date")]
    assert any("February 2024 has no day 30" in p["message"] for p in error["problems"])
    page = upload(client, wrong, format="html")
    assert page.status_code == 422 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "&#39;riot&#39; is not a kind of event" in text and "<td>Releases</td>" in text
    assert digest(client) == before
    assert not any(p.name.startswith("invented") for p in sources.iterdir())


def test_hostile_or_missing_uploads_are_refused(served):
    client, _, _, _ = served
    assert upload(client, b"not a workbook").status_code == 400
    no_text = upload(client, served[1], source=False)
    assert no_text.status_code == 400 and "needs its text" in no_text.get_json()["error"]["detail"]
    # one sheet as CSV, without the Source row that says which document it corrects
    events = upload(client, "name,date\nA rally,2024-03-14\n".encode(), source=False, name="Events.csv")
    assert events.status_code == 422
    assert [p["sheet"] for p in events.get_json()["error"]["problems"]] == ["Source"]
    assert "send the whole workbook" in events.get_json()["error"]["problems"][0]["message"]
    assert client.post("/curate/sheets", data={"x": "1"}, headers=TOKEN).status_code == 400


def test_a_workbook_is_written_through_the_journaled_path_and_queryable(served):
    client, good, _, sources = served
    response = upload(client, good)
    assert response.status_code == 200, response.get_data(as_text=True)
    report = response.get_json()
    assert report["added"] > 80 and report["removed"] == 0
    assert (sources / report["archived"]).read_bytes() == INVENTED.read_bytes()
    query = f"""PREFIX schema: <https://schema.org/> PREFIX cpo: <https://w3id.org/civic-protest/ontology#>
        SELECT ?name WHERE {{ ?a schema:name "{ARREST}" ; cpo:arrestee/schema:name ?name }} ORDER BY ?name"""
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    names = [b["name"]["value"] for b in answer.get_json()["results"]["bindings"]]
    assert names == ["Leyla Testova", "Orhan Ornekli"]
    logged = client.get("/sparql", headers={"Accept": "application/sparql-results+json"}, params={
        "query": """SELECT ?who ?what WHERE { GRAPH <https://w3id.org/civic-protest/graph/changes> {
            ?a <http://www.w3.org/ns/prov#wasAssociatedWith>/<http://www.w3.org/2000/01/rdf-schema#label> ?who ;
               <http://www.w3.org/2000/01/rdf-schema#label> ?what } }"""})
    rows = [(b["who"]["value"], b["what"]["value"]) for b in logged.get_json()["results"]["bindings"]]
    assert any(who == "documenter" and "spreadsheet import" in what for who, what in rows), rows
    # the same workbook again: nothing to change, nothing logged
    before = digest(client)
    again = upload(client, good, format="html")
    assert again.status_code == 200 and "nothing to change" in again.get_data(as_text=True)
    unchanged = upload(client, good).get_json()
    assert (unchanged["document"], unchanged["added"], unchanged["removed"]) == (report["document"], 0, 0)
    assert digest(client) == before
    # the document as the server exports it, sent back unchanged: nothing to change either
    exported = client.get(f"/curate/sheets/{report['document'].rsplit('/', 1)[-1]}.xlsx")
    assert exported.status_code == 200 and exported.data[:2] == b"PK"
    back = upload(client, exported.data, source=False)
    assert back.status_code == 200 and back.get_json()["added"] == back.get_json()["removed"] == 0
    assert digest(client) == before
    # without its People sheet: refused, not read as 'delete everyone'
    book = openpyxl.load_workbook(io.BytesIO(exported.data))
    del book["People"]
    partial = io.BytesIO()
    book.save(partial)
    refused = upload(client, partial.getvalue(), source=False)
    assert refused.status_code == 422
    assert [(p["sheet"], p["message"][:24]) for p in refused.get_json()["error"]["problems"]] == [
        ("People", "this sheet is missing, b")]
    assert digest(client) == before
    assert client.get("/curate/sheets/no-such-document.xlsx").status_code == 404


def test_a_violation_of_the_shapes_names_its_row(served):
    client, _, _, _ = served
    rows = invented_rows()
    rows["Places"] = [{"type": "square", "name": "Test Square of Nowhere",
                       "quote": "in front of the university gate"}]
    rows["Events"][1]["places"] = "Test Square of Nowhere"
    before = digest(client)
    response = upload(client, workbook_bytes(rows))
    assert response.status_code == 422, response.get_data(as_text=True)
    problems = response.get_json()["error"]["problems"]
    assert any(p["sheet"] == "Places" and p["row"] == 3 and "cpo:locatedIn" in p["message"] for p in problems), \
        json.dumps(problems, indent=1)
    assert digest(client) == before


def workbook_bytes(rows) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        return workbook(Path(folder) / "w.xlsx", rows).read_bytes()


def test_deleting_a_published_entitys_row_names_it_in_the_answer(served):
    """The server's releases (the repository's, 0.1.0) published the event: the write is done,
    and its answer says which IRIs now need a retirement record."""
    client = served[0]
    exported = client.get("/curate/sheets/azfront-2023.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(exported.data))
    events = book["Events"]
    for row in list(events.iter_rows(min_row=3)):
        if row[0].value == "event:undated-kyiv-cooperation-agreement":
            events.delete_rows(row[0].row)
    body = io.BytesIO()
    book.save(body)
    response = upload(client, body.getvalue(), source=False)
    assert response.status_code == 200, response.get_data(as_text=True)
    gone = response.get_json()["published_entities_removed"]
    assert [(g["id"].rsplit("/id/", 1)[-1], g["release"]) for g in gone] == [
        ("event/undated-kyiv-cooperation-agreement", "0.1.0"), ("passage/azfront-kyiv-cooperation", "0.1.0")]
    assert gone[0]["name"] == "The parties agree to deepen cooperation in the international arena"
    # the row back, then deleted again from the browser's form: the page lists them
    assert upload(client, exported.data, source=False).get_json()["added"] > 0
    page = upload(client, body.getvalue(), source=False, format="html").get_data(as_text=True)
    assert "Published entities are no longer in the data" in page
    assert "/id/event/undated-kyiv-cooperation-agreement</code> The parties agree" in page
