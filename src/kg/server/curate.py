"""/curate/sheets: a curator with an update token uploads a workbook (kg sheet template or
export), which the server checks and writes like any other write: in the update's killable fork
under the deadline, inferred and validated, journaled, logged as PROV (kg.curation.store_write).

The answer is the import's report, as JSON (the canonical error body with `problems`, each with
sheet, row, column and message, on a refusal) or as an HTML page for a browser's form."""

from __future__ import annotations

import io

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from kg.curation.commands import names_by_sheet
from kg.curation.published import unanswered
from kg.curation.reading import MAX_WORKBOOK_BYTES
from kg.curation.vocabulary import Vocabulary
from kg.curation.writing import write_workbook
from kg.curation.store_write import SheetRefused, SheetWrite, archive_source, evaluate_sheet_write
from kg.paths import SOURCES_DIR
from kg.server.auth import authorize_write, refuse_cross_site
from kg.server.errors import ApiError
from kg.server.releases import releases_dir
from kg.server.sparql import run_in_engine
from kg.server.state import current_engine
from kg.sparql.conneg import prefers_html
from kg.writes.commit import ValidationFailed, asserted_counts

bp = Blueprint("curate", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/curate/sheets")
def form():
    return render_template("curate/sheets.html", report=None)


@bp.get("/curate/sheets/template.xlsx")
def template():
    """An empty workbook whose dropdowns list the names this server knows."""
    data = dataset_graph()
    body = io.BytesIO()
    write_workbook(body, {}, Vocabulary(ontology_graph()), names_by_sheet(data))
    return Response(body.getvalue(), content_type=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="template.xlsx"'})


@bp.get("/curate/sheets/<name>.xlsx")
def export(name):
    """One document's facts as the workbook `kg sheet export` writes, to correct and send back."""
    from kg.curation.rows import document_rows
    from kg.curation.scope import document_iri, store_scope

    data = dataset_graph()
    document = document_iri(name)
    if (document, None, None) not in data:
        raise ApiError(404, f"no document {name!r} in this graph")
    vocabulary = Vocabulary(ontology_graph())
    rows = document_rows(store_scope(data, document), vocabulary, data)
    body = io.BytesIO()
    write_workbook(body, rows, vocabulary, names_by_sheet(data))
    return Response(body.getvalue(), content_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{document.rsplit("/", 1)[-1]}.xlsx"'})


def dataset_graph():
    from kg.pipeline.infer import DATA, graph_of

    dataset = current_engine().dataset
    with dataset.lock:
        return graph_of(dataset.store, (DATA,))


def ontology_graph():
    from kg.pipeline.infer import ONTOLOGY, graph_of

    dataset = current_engine().dataset
    with dataset.lock:
        return graph_of(dataset.store, (ONTOLOGY,))


@bp.post("/curate/sheets")
def sheets():
    html = request.form.get("format") == "html" or request.args.get("format") == "html" or \
        prefers_html(request.headers.get("Accept"))
    try:
        return _import(html)
    except ApiError as error:
        if not html:
            raise
        report = {"ok": False, "detail": error.detail,
                  "problems": error.extra.get("problems") or [{"message": error.detail}]}
        return Response(render_template("curate/sheets.html", report=report), status=error.status,
                        content_type="text/html; charset=utf-8")


def _import(html: bool):
    if "Authorization" not in request.headers and request.form.get("token"):
        refuse_cross_site()   # the form's token field: only from our own page
        request.environ["HTTP_AUTHORIZATION"] = f"Bearer {request.form['token']}"
    agent = authorize_write()
    upload = request.files.get("workbook")
    if upload is None or not upload.filename:
        raise ApiError(400, "send the workbook as the multipart/form-data part 'workbook'")
    workbook = upload.read(MAX_WORKBOOK_BYTES + 1)
    if len(workbook) > MAX_WORKBOOK_BYTES:
        raise ApiError(413, f"the workbook is larger than {MAX_WORKBOOK_BYTES} bytes")
    source_part = request.files.get("source")
    source = source_part.read() if source_part is not None and source_part.filename else None
    sources_dir = str(current_app.config.get("SOURCES_DIR") or SOURCES_DIR)
    job = SheetWrite(workbook, upload.filename, source, sources_dir, agent)
    engine = current_engine()

    def run(job):
        try:
            return engine.pool.run_update(job, evaluate=evaluate_sheet_write)
        except SheetRefused as error:
            raise ApiError(error.status, str(error), problems=error.problems) from None
        except ValidationFailed as error:  # the commit checks' violations, located by sheet and row
            raise ApiError(422, str(error), problems=[_problem(v) for v in error.violations],
                           violations=error.violations) from None

    delta = run_in_engine(run, job)
    archived = archive_source(sources_dir, delta, source)
    removed, added = asserted_counts(delta)
    sheet = delta.about   # kg.curation.store_write.WrittenSheet
    gone = unanswered(sheet.gone, sheet.names, releases_dir())
    report = {"ok": True, "document": sheet.document, "added": added, "removed": removed,
              "archived": archived, "dataset_version": engine.dataset.version,
              "published_entities_removed": [u.as_dict() for u in gone],
              "summary": "nothing to change: the data already says all of it" if not (added or removed)
              else "imported"}
    if html:
        return Response(render_template("curate/sheets.html", report=report),
                        content_type="text/html; charset=utf-8")
    return jsonify(report)


def _problem(violation: dict) -> dict:
    where = violation.get("focus_node") or "the data"
    path = f" ({violation['path']})" if violation.get("path") else ""
    message = f"{where}{path}: {violation.get('message', '')}"
    return {"sheet": violation.get("sheet"), "row": violation.get("row"), "column": None,
            "message": message, "text": message}

