"""kg sheet template|export|import: documenters add and correct documents in a spreadsheet.

Export of each document then import into an empty data folder rebuilds it (isomorphic graphs,
the same section files); export then import into the real data changes nothing; a workbook for
an invented document imports into a graph that passes the shapes and answers research questions;
a workbook with a wrong quote, an unknown kind, an impossible date and a near-duplicate name is
refused with one message each, and nothing is written; hostile workbooks are refused unread."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from rdflib.compare import isomorphic

from conftest import run_kg
from research_questions import ask
from sheets_fixtures import ARREST, INVENTED, RALLY, invented_rows, small_data_folder, workbook
from kg.curation.commands import export, import_workbook
from kg.curation.facts import facts_of, graph_of
from kg.curation.importer import Known, import_rows
from kg.curation.reading import WorkbookRefused, read_path, read_xlsx
from kg.curation.vocabulary import ontology_vocabulary
from kg.curation.scope import DataFolder, document_iri, folder_scope, is_shared
from kg.paths import DATA_DIR, SOURCES_DIR
from kg.pipeline.load import parse_files

DOCUMENTS = {"actions-2020": "000_b4e487a1465595b6.txt", "azfront-2023": "002_50bffcdde9d50b9f.txt"}


def read_facts(path: Path, data: Path = DATA_DIR):
    """What the importer reads from a workbook for the invented document (no writing, no build)."""
    known = Known.of_facts(DataFolder.read(data).facts())
    return import_rows(read_path(path).workbook, ontology_vocabulary(), known, INVENTED.read_text(encoding="utf-8"))


def snapshot(*folders: Path) -> dict:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(Path(folder).rglob("*")) if p.is_file()}


# --- the round trip on the real documents ----------------------------------------------------------

@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Each document exported by the real command line."""
    folder = tmp_path_factory.mktemp("exported")
    paths = {}
    for name in DOCUMENTS:
        paths[name] = folder / f"{name}.xlsx"
        done = run_kg("sheet", "export", name, str(paths[name]))
        assert done.returncode == 0, done.stderr.decode()
    return paths


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_export_then_import_into_an_empty_folder_rebuilds_the_document(name, exported, tmp_path):
    data, sources = tmp_path / "data", tmp_path / "sources"
    data.mkdir()
    sources.mkdir()
    # the real data is validated by the session's build; the shapes run on the import elsewhere
    report = import_workbook(exported[name], SOURCES_DIR / DOCUMENTS[name], data, sources, validate=False)
    assert report.ok and report.written, report.lines()
    original = folder_scope(DataFolder.read(DATA_DIR), document_iri(name))
    expected = graph_of(original.facts)
    rebuilt = parse_files(sorted(data.rglob("*.ttl")))
    print(f"{name}: {len(expected)} triples expected, {len(rebuilt)} rebuilt, "
          f"isomorphic {isomorphic(expected, rebuilt)}")
    assert len(rebuilt) == len(expected)
    assert isomorphic(expected, rebuilt)
    # the document's own files, parsed as they are (every blank node, none merged): the same
    # graph, but for what a curator once put by hand where the rules would not (a person's note)
    own = facts_of(parse_files(sorted((DATA_DIR / "documents" / name).glob("*.ttl"))))
    rebuilt_own = facts_of(parse_files(sorted((data / "documents" / name).glob("*.ttl"))))
    moved = own ^ rebuilt_own
    print(f"{name}: {len(moved)} fact(s) of shared entities placed otherwise: {sorted(moved, key=str)}")
    assert len(moved) <= 1 and all(is_shared(fact[0]) for fact in moved)
    # the layout of data/README.md: the same section files, the source archived as it was
    assert sorted(p.name for p in (data / "documents" / name).iterdir()) == \
        sorted(p.name for p in (DATA_DIR / "documents" / name).iterdir())
    assert (sources / DOCUMENTS[name]).read_bytes() == (SOURCES_DIR / DOCUMENTS[name]).read_bytes()


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_export_then_import_without_edits_changes_nothing(name, exported, tmp_path):
    data, sources = tmp_path / "data", tmp_path / "sources"
    shutil.copytree(DATA_DIR, data)
    shutil.copytree(SOURCES_DIR, sources)
    before = snapshot(data, sources)
    done = run_kg("sheet", "import", str(exported[name]), "--source", str(SOURCES_DIR / DOCUMENTS[name]),
                  env={**__import__("os").environ, "KG_DATA_DIR": str(data), "KG_SOURCES_DIR": str(sources)})
    assert done.returncode == 0, done.stderr.decode()
    assert "nothing to change" in done.stdout.decode()
    assert snapshot(data, sources) == before


def test_a_workbook_without_a_sheet_the_document_fills_is_refused(exported, tmp_path):
    """A curator who sends only the sheets they corrected (a few CSV files) deletes nothing."""
    data, sources = small_data_folder(tmp_path)
    book = openpyxl.load_workbook(exported["azfront-2023"])
    for name in ("People", "Statements"):
        del book[name]
    path = tmp_path / "partial.xlsx"
    book.save(path)
    before = snapshot(data, sources)
    report = import_workbook(path, SOURCES_DIR / DOCUMENTS["azfront-2023"], data, sources)
    assert [p.text() for p in report.problems] == [
        f"sheet '{name}': this sheet is missing, but source:azfront-2023 has {count} row(s) on it: an "
        "import replaces the whole document, so they would be deleted. Send the whole workbook (as kg "
        "sheet export writes it), or keep the sheet with its header and no rows to delete them"
        for name, count in (("People", 2), ("Statements", 5))]
    assert snapshot(data, sources) == before


def test_a_correction_rewrites_only_the_statement_it_changes(tmp_path):
    data, sources = small_data_folder(tmp_path)
    path = tmp_path / "azfront.xlsx"
    export("azfront-2023", path, data_dir=data)
    book = openpyxl.load_workbook(path)
    events = book["Events"]
    header = [c.value for c in events[1]]
    for row in events.iter_rows(min_row=3):
        if row[0].value == "event:2023-02-16-kyiv-zelenskyy-cohen-meeting":
            row[header.index("curator note")].value = "Corrected in a spreadsheet."
    book.save(path)
    before = (data / "documents" / "azfront-2023" / "00-lead.ttl").read_text()
    dry = import_workbook(path, SOURCES_DIR / DOCUMENTS["azfront-2023"], data, sources, dry_run=True, validate=False)
    assert dry.lines() == ["source:azfront-2023 (dry run, nothing written): 1 fact(s) would be added, 0 removed",
                           "  would write data/documents/azfront-2023/00-lead.ttl"]
    assert (data / "documents" / "azfront-2023" / "00-lead.ttl").read_text() == before
    report = import_workbook(path, SOURCES_DIR / DOCUMENTS["azfront-2023"], data, sources)
    assert report.ok and report.written, report.lines()
    assert (len(report.change.added), len(report.change.removed)) == (1, 0)
    after = (data / "documents" / "azfront-2023" / "00-lead.ttl").read_text()
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert changed == ['    cpo:curatorNote "Corrected in a spreadsheet." ;']
    assert len(after.splitlines()) == len(before.splitlines()) + 1


def test_deleting_the_row_of_a_published_entity_says_what_to_retire(tmp_path):
    """The IRI was in release 0.1.0 and must keep answering: the import names it and says how to
    retire it (the next `kg release` refuses otherwise), before anyone tries to release."""
    data, sources = small_data_folder(tmp_path)
    path = tmp_path / "azfront.xlsx"
    export("azfront-2023", path, data_dir=data)
    book = openpyxl.load_workbook(path)
    events = book["Events"]
    for row in list(events.iter_rows(min_row=3)):
        if row[0].value == "event:undated-kyiv-cooperation-agreement":
            events.delete_rows(row[0].row)
    book.save(path)
    source = SOURCES_DIR / DOCUMENTS["azfront-2023"]
    report = import_workbook(path, source, data, sources, dry_run=True, validate=False)
    assert report.ok and report.change.removed
    # the event, and its passage, which nothing else cites
    assert [(u.iri.rsplit("/id/", 1)[-1], u.release) for u in report.unanswered] == [
        ("event/undated-kyiv-cooperation-agreement", "0.1.0"), ("passage/azfront-kyiv-cooperation", "0.1.0")]
    warning = [line for line in report.lines() if "warning" in line and "event:" in line]
    assert warning == ["  warning: event:undated-kyiv-cooperation-agreement (The parties agree to deepen "
                       "cooperation in the international arena) is in release 0.1.0 and is no longer in the "
                       "data: retire it in data/registry/retired.ttl (merged: dcterms:isReplacedBy the entity it "
                       "is now; withdrawn: cpo:retirementReason), or the next `kg release` refuses"]
    assert report.as_dict()["published_entities_removed"][0]["id"] == "event:undated-kyiv-cooperation-agreement"
    # with no release published, nothing is owed
    unpublished = import_workbook(path, source, data, sources, dry_run=True, validate=False,
                                  releases_dir=tmp_path / "no-releases")
    assert unpublished.change.removed and not unpublished.unanswered


# --- a new document ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def invented(tmp_path_factory):
    """The invented document imported into a small data folder, then built."""
    root = tmp_path_factory.mktemp("invented")
    data, sources = small_data_folder(root)
    report = import_workbook(workbook(root / "invented.xlsx", invented_rows()), INVENTED, data, sources)
    assert report.ok and report.written, report.lines()
    assert report.build.conforms   # the data folder as written, built and validated by the import
    return report, report.build.graphs.union(), data, sources


def test_a_new_document_goes_where_data_readme_says(invented):
    report, _, data, sources = invented
    name = report.document.removeprefix("source:")
    assert sorted(p.name for p in (data / "documents" / name).iterdir()) == ["00-lead.ttl"]
    archived = sources / report.change.archive[0]
    assert archived.read_bytes() == INVENTED.read_bytes()
    description = (data / "registry" / "sources.ttl").read_text()
    assert hashlib.sha256(INVENTED.read_bytes()).hexdigest() in description
    assert {n for _, n, _ in report.new_entities} == {"Leyla Testova", "Orhan Ornekli",
                                                      "Tabriz prosecutor's office"}
    # Tabriz University is known: named, not created again
    assert "Tabriz University" not in {n for _, n, _ in report.new_entities}


def test_the_invented_document_exported_and_imported_again_changes_nothing(invented, tmp_path):
    """Its hedge, quantities and omission come back on their sheets (not as 'More facts'), and
    the workbook sent back unchanged writes nothing."""
    report, _, built_data, built_sources = invented
    data, sources = tmp_path / "data", tmp_path / "sources"
    shutil.copytree(built_data, data)
    shutil.copytree(built_sources, sources)
    path = tmp_path / "again.xlsx"
    rows = export(report.document.removeprefix("source:"), path, data_dir=data)
    # the registry's places it names bring their curators' inferences (a town's province)
    assert [(r["kind"], r["hedge_type"], r["wording"]) for r in rows["Qualifiers"] if r["kind"] == "hedge"] == [
        ("hedge", "reportedly", "Reportedly")]
    assert {r["node"] for r in rows["Qualifiers"] if r["kind"] != "hedge"} <= {"Tabriz", "East Azerbaijan Province"}
    assert sorted((r["kind"], r["wording"]) for r in rows["Quantities"]) == [
        ("count", "about 60 students"), ("money", "100 million rials")]
    assert [r["property"] for r in rows["Omissions"]] == ["charged by"]
    assert not rows.get("More facts")
    before = snapshot(data, sources)
    again = import_workbook(path, INVENTED, data, sources)
    assert again.ok and not again.written and again.change.empty, again.lines()
    assert snapshot(data, sources) == before


def test_the_invented_protest_answers_research_questions(invented):
    _, graph, _, _ = invented
    arrested = ask(graph, f"""
        SELECT ?name ?date ?place WHERE {{ ?a a cpo:Arrest ; schema:name "{ARREST}" ; cpo:arrestee/schema:name ?name ;
            cpo:date ?date ; cpo:place/schema:name ?place }}""")
    assert set(arrested) == {("Leyla Testova", "2024-03-14", "Tabriz University"),
                             ("Orhan Ornekli", "2024-03-14", "Tabriz University")}
    aimed = ask(graph, f"""
        SELECT ?kind WHERE {{ ?r schema:name "{RALLY}" . ?x cpo:directedAgainst ?r ; a ?kind
            FILTER(?kind IN (cpo:Arrest, cpo:Dispersal, cpo:Rally)) }}""")
    assert {k.rsplit("#", 1)[-1] for (k,) in aimed} == {"Arrest", "Dispersal"}
    counted = ask(graph, f"""
        SELECT ?value ?approximate ?wording WHERE {{ ?r schema:name "{RALLY}" ; cpo:participantCount ?q .
            ?q schema:value ?value ; cpo:approximate ?approximate ; cpo:wording ?wording }}""")
    assert counted == [(60, True, "about 60 students")]
    bail = ask(graph, """
        SELECT ?value ?currency WHERE { ?r a cpo:Release ; cpo:releasedPerson/schema:name "Leyla Testova" ;
            cpo:bail [ schema:value ?value ; cpo:currency ?currency ] }""")
    assert bail == [(100000000, "https://w3id.org/civic-protest/ontology#IranianRial")]
    hedged = ask(graph, f"""
        SELECT ?type ?words WHERE {{ ?a schema:name "{ARREST}" ; cpo:qualifier [ a cpo:Hedge ;
            cpo:onProperty cpo:participantDescription ; cpo:hedgeType/skos:notation ?type ; cpo:wording ?words ] }}""")
    assert hedged == [("reportedly", "Reportedly")]
    denial = ask(graph, """
        SELECT ?who ?what WHERE { ?d a cpo:Denial ; cpo:author/schema:name ?who ; cpo:denies/schema:name ?what }
        ORDER BY ?who""")
    assert ("Tabriz prosecutor's office", "Any student had been beaten") in denial
    omitted = ask(graph, """
        SELECT ?p WHERE { ?c a cpo:Charge ; cpo:chargeWording "disturbing public order" ; cpo:notStated ?p }""")
    assert omitted == [("https://w3id.org/civic-protest/ontology#chargedBy",)]
    # every fact of the new document rests on a quote found in its archived text
    uncited = ask(graph, """
        SELECT ?e WHERE { ?e a cpo:Event ; prov:wasDerivedFrom ?p . ?p oa:hasSource ?s .
            ?s schema:genre "test fixture" . FILTER NOT EXISTS { ?p oa:hasSelector/oa:exact ?x } }""")
    assert uncited == []


def test_a_wrong_workbook_is_refused_with_one_message_per_mistake_and_nothing_written(tmp_path):
    data, sources = small_data_folder(tmp_path)
    rows = invented_rows()
    rows["Arrests"][0]["quote"] = "plain-clothes agents arrested Leyla Testova and Orhan Ornekli at the gate"
    rows["Events"][1]["type"] = "riot"
    rows["Releases"][0]["date"] = "2024-02-30"
    rows["People"].append({"name": "Vugar Nemmat", "occupation": "activist"})
    path = workbook(tmp_path / "wrong.xlsx", rows)
    book = openpyxl.load_workbook(path)
    events = book["Events"]
    events.cell(3, 1 + [c.value for c in events[1]].index("slogans"), "=A1")
    book.save(path)
    before = snapshot(data, sources)
    report = import_workbook(path, INVENTED, data, sources)
    # in the order a documenter walks the workbook: sheet by sheet, row by row
    messages = [p.text() for p in report.problems]
    for message in messages:
        print(message)
    assert len(messages) == 5
    people, formula, kind, quote, date = messages
    assert formula == ("sheet 'Events', row 3, column 'slogans': the cell holds a formula; type its value "
                       "instead (formulas are not evaluated)")
    assert quote.startswith("sheet 'Arrests', row 3, column 'quote': the quote “plain-clothes agents "
                            "arrested Leyla Testova and Orhan Ornekli at the gate” is not in the document: "
                            "the closest passage is “Reportedly, plain-clothes agents arrested")
    assert kind.startswith("sheet 'Events', row 4, column 'type': 'riot' is not a kind of event: "
                           "choose one from the list")
    assert people == ("sheet 'People', row 5, column 'name': 'Vugar Nemmat' is not a known person, but "
                      "it is close to 'Vugar Nemat' (person:vugar-nemat, 97% alike). If it is the same "
                      "person, write 'Vugar Nemat' or person:vugar-nemat instead; if it is another person, "
                      "give this row an id of its own (such as person:vugar-nemmat); if you cannot tell, "
                      "add a row on 'Identity candidates' with both names and your reason (both are then "
                      "kept, as possibly the same)")
    assert date == ("sheet 'Releases', row 3, column 'date': February 2024 has no day 30 (it has 29 days)")
    assert not report.written and snapshot(data, sources) == before


def test_an_identity_candidate_row_keeps_a_near_duplicate_apart(tmp_path):
    data, sources = small_data_folder(tmp_path)
    rows = invented_rows()
    rows["People"].append({"name": "Leyla Testowa", "quote": rows["People"][0]["quote"]})
    refused = import_workbook(workbook(tmp_path / "near.xlsx", rows), INVENTED, data, sources, dry_run=True)
    assert [p.text()[:92] for p in refused.problems] == [
        "sheet 'People', row 5, column 'name': 'Leyla Testowa' is not a known person, but it is close"]
    rows["Identity candidates"] = [{"a": "Leyla Testowa", "b": "Leyla Testova",
                                    "reason": "A test: one letter apart.", "quote": rows["People"][0]["quote"]}]
    report = read_facts(workbook(tmp_path / "candidate.xlsx", rows), data)
    assert report.ok, [p.text() for p in report.problems]
    added = graph_of(report.facts)
    said = {(str(s).rsplit("/", 1)[-1], str(o).rsplit("/", 1)[-1])
            for s, p, o in added if str(p).endswith("possiblySameAs")}
    assert said == {("leyla-testowa", "leyla-testova")}


# --- real spreadsheets, hostile files ---------------------------------------------------------------

def test_a_retired_iri_is_refused_with_what_replaces_it(tmp_path):
    """data/registry/retired.ttl: an IRI merged away names nothing; a new row never takes it."""
    data, _ = small_data_folder(tmp_path)
    with open(data / "registry" / "retired.ttl", "a", encoding="utf-8") as retired:
        retired.write("\nperson:leyla-testova owl:deprecated true ;\n"
                      "    cpo:retirementReason \"Merged: a test of the importer.\" ;\n"
                      "    dcterms:isReplacedBy person:vugar-nemat .\n")
    rows = invented_rows()
    rows["Releases"][0]["released"] = "person:leyla-testova"
    report = read_facts(workbook(tmp_path / "retired.xlsx", rows), data)
    assert [p.text() for p in report.problems] == [
        "sheet 'Releases', row 3, column 'released': person:leyla-testova is retired (Merged: a test of "
        "the importer): use person:vugar-nemat instead"]
    rows["Releases"][0]["released"] = "Leyla Testova"
    report = read_facts(workbook(tmp_path / "renamed.xlsx", rows), data)
    assert report.ok, [p.text() for p in report.problems]
    people = {str(s).rsplit("/", 1)[-1] for s in graph_of(report.facts).subjects()
              if str(s).startswith("https://w3id.org/civic-protest/id/person/leyla")}
    assert people == {"leyla-testova-2"}


def test_the_template_has_every_sheet_with_help_and_dropdowns(tmp_path):
    path = tmp_path / "template.xlsx"
    done = run_kg("sheet", "template", str(path))
    assert done.returncode == 0, done.stderr.decode()
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:4] == ["Read me", "Source", "People", "Organisations"]
    assert book["Lists"].sheet_state == "hidden"
    events = book["Events"]
    assert [c.value for c in events[1]][:6] == ["id", "type", "name", "date", "date precision", "end date"]
    assert events["D2"].value.startswith("As precise as the source")
    dropdowns = {events.cell(1, ws_column(dv)).value: dv.formula1 for dv in events.data_validations.dataValidation}
    assert {"type", "date precision", "places", "protesters", "succeeded"} <= set(dropdowns)
    kinds = column_values(book["Lists"], dropdowns["type"])
    assert {"rally", "arrest", "dispersal", "sit-in"} <= set(kinds) and "riot" not in kinds
    assert "Tabriz University" in column_values(book["Lists"], dropdowns["places"])
    qualifiers = book["Qualifiers"]
    hedges = {qualifiers.cell(1, ws_column(dv)).value: dv.formula1 for dv in qualifiers.data_validations.dataValidation}
    assert column_values(book["Lists"], hedges["hedge type"]) == [
        "allegedly", "apparently", "circa", "disputed", "presumably", "reportedly"]
    quantities = book["Quantities"]
    money = {quantities.cell(1, ws_column(dv)).value: dv.formula1 for dv in quantities.data_validations.dataValidation}
    assert column_values(book["Lists"], money["currency"]) == ["Iranian rial", "Iranian toman"]


def ws_column(validation) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string("".join(ch for ch in str(validation.sqref).split(":")[0] if ch.isalpha()))


def column_values(sheet, formula: str) -> list:
    cells = formula.lstrip("=").split("!")[1].replace("$", "")
    return [c.value for row in sheet[cells] for c in row if c.value is not None]


SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                                   "apt-get install libreoffice-calc-nogui (.ci/run does)")


@needs_soffice
def test_libreoffice_opens_the_template_and_its_saved_workbooks_import_the_same(tmp_path):
    template = tmp_path / "template.xlsx"
    run_kg("sheet", "template", str(template))
    original = workbook(tmp_path / "invented.xlsx", invented_rows())
    profile = f"-env:UserInstallation=file://{tmp_path}/lo-profile"
    # every sheet of both as CSV, as LibreOffice writes them (template-Read me.csv ... invented-Events.csv)
    converted = subprocess.run([SOFFICE, profile, "--headless", "--convert-to",
                                "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                                "--outdir", str(tmp_path / "csv"), str(template), str(original)],
                               capture_output=True, timeout=120)
    assert converted.returncode == 0, converted.stderr.decode()
    assert (tmp_path / "csv" / "template-Read me.csv").read_text().startswith("How to fill this workbook")
    assert (tmp_path / "csv" / "template-Events.csv").read_text().startswith("id,type,name,date,")
    # a workbook saved again by LibreOffice reads as the same rows
    saved = subprocess.run([SOFFICE, profile, "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                            "--outdir", str(tmp_path / "saved"), str(original)], capture_output=True, timeout=120)
    assert saved.returncode == 0, saved.stderr.decode()
    ours, theirs = read_facts(original), read_facts(tmp_path / "saved" / "invented.xlsx")
    assert ours.ok and theirs.ok, [p.text() for p in theirs.problems]
    assert isomorphic(graph_of(ours.facts), graph_of(theirs.facts))
    # and so do its sheets as CSV files
    folder = tmp_path / "invented-csv"
    folder.mkdir()
    for path in (tmp_path / "csv").glob("invented-*.csv"):
        path.rename(folder / path.name)
    from_csv = read_facts(folder)
    assert from_csv.ok, [p.text() for p in from_csv.problems]
    assert isomorphic(graph_of(ours.facts), graph_of(from_csv.facts))


def test_csv_files_with_the_same_columns_import_the_same(tmp_path):
    rows = invented_rows()
    folder = tmp_path / "csv"
    folder.mkdir()
    import csv

    from kg.curation.schema import SHEET_BY_NAME
    for sheet, found in rows.items():
        keys = [c.key for c in SHEET_BY_NAME[sheet].columns]   # the tables' spelling of the headers
        with (folder / f"{sheet}.csv").open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, keys)
            writer.writeheader()
            writer.writerows({k: v for k, v in row.items()} for row in found)
    from_csv, from_xlsx = read_facts(folder), read_facts(workbook(tmp_path / "x.xlsx", rows))
    assert from_csv.ok, [p.text() for p in from_csv.problems]
    assert isomorphic(graph_of(from_csv.facts), graph_of(from_xlsx.facts))


def zipped(parts: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_hostile_workbooks_are_refused_before_they_are_parsed(tmp_path):
    with pytest.raises(WorkbookRefused, match="not an .xlsx workbook"):
        read_xlsx(b"PK\x03\x04 not really a zip")
    bomb = zipped({"[Content_Types].xml": "<x/>", "xl/worksheets/sheet1.xml": b"\0" * (200 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(WorkbookRefused, match="unpacks to|zip bomb"):
        read_xlsx(bomb)
    linked = zipped({"[Content_Types].xml": "<x/>", "xl/worksheets/sheet1.xml": "<x/>",
                     "xl/externalLinks/externalLink1.xml": "<x/>"})
    with pytest.raises(WorkbookRefused, match="external links"):
        read_xlsx(linked)
    # a valid workbook whose sheet declares entities (billion laughs): defusedxml refuses it
    sound = zipfile.ZipFile(io.BytesIO(workbook(tmp_path / "sound.xlsx", {}).read_bytes()))
    parts = {name: sound.read(name) for name in sound.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/"))
    parts[sheet] = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    '<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>')
    with pytest.raises(WorkbookRefused, match="cannot be read"):
        read_xlsx(zipped(parts))


def test_a_date_cell_keeps_the_precision_its_format_shows(tmp_path):
    """'March 2024' typed in Excel or LibreOffice becomes the first of March, formatted as a month."""
    import datetime
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    path = workbook(tmp_path / "typed.xlsx", invented_rows())
    book = openpyxl.load_workbook(path)
    releases = book["Releases"]
    date = releases.cell(3, 1 + [c.value for c in releases[1]].index("date"), datetime.datetime(2024, 3, 1))
    date.number_format = "mmmm yyyy"
    book.save(path)
    facts = graph_of(read_facts(path).facts)
    dates = set(facts.objects(None, URIRef("https://w3id.org/civic-protest/ontology#date")))
    assert Literal("2024-03", datatype=XSD.gYearMonth) in dates
    assert Literal("2024-03-01", datatype=XSD.date) not in dates


def test_a_formula_is_never_evaluated(tmp_path):
    path = workbook(tmp_path / "formula.xlsx", invented_rows())
    book = openpyxl.load_workbook(path)
    book["People"]["B3"] = '=HYPERLINK("http://example.org","Leyla Testova")'
    book.save(path)
    assert any(p[0] == "People" and p[1] == 3 and "formula" in p[3] for p in read_path(path).problems)
