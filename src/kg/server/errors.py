"""The one canonical error body, and the handlers that make every error use it.

JSON: {"error": {"status": 400, "title": "Bad Request", "detail": "...", ...extras}}
(extras such as "line" and "column" for syntax errors); text/plain when the client's
most preferred media type is a text one: "400 Bad Request: ...".
"""

import json
from http import HTTPStatus

from flask import Response, render_template, request
from werkzeug.exceptions import HTTPException

from kg.engine.errors import Rejected
from kg.sparql.conneg import prefers_html, prefers_text


class ApiError(Exception):
    def __init__(self, status: int, detail: str, headers: dict | None = None, **extra):
        super().__init__(detail)
        self.status, self.detail, self.headers, self.extra = status, detail, headers or {}, extra


def error_body(status: int, detail: str, accept: str | None = None, **extra) -> tuple[bytes, str]:
    """(body, media type) of the canonical error: JSON, or text/plain for a client that
    prefers text. Every layer that answers an error writes this (Flask, the lean /sparql
    path, the HTTP server's own refusals)."""
    title = HTTPStatus(status).phrase
    if prefers_text(accept or ""):
        text = f"{status} {title}: {detail}\n" + "".join(
            f"{line}\n" for line in violation_lines(extra.get("violations")))
        return text.encode(), "text/plain; charset=utf-8"
    error = {"status": status, "title": title, "detail": detail, **extra}
    return json.dumps({"error": error}, ensure_ascii=False).encode(), "application/json"


def error_response(status: int, detail: str, headers: dict | None = None, **extra) -> Response:
    body, media_type = error_body(status, detail, request.headers.get("Accept", ""), **extra)
    response = Response(body, status=status, content_type=media_type)
    response.headers.update(headers or {})
    return response


def violation_lines(violations) -> list[str]:
    """One line per SHACL violation of a 422 (node, path, message, the shape it breaks)."""
    lines = []
    for v in violations or ():
        if isinstance(v, dict):
            path = f" {v['path']}" if v.get("path") else ""
            lines.append(f"- {v.get('focus_node')}{path}: {v.get('message')} "
                         f"[{v.get('shape') or 'no shape'}]")
    return lines


def handle_api_error(error: ApiError) -> Response:
    return error_response(error.status, error.detail, error.headers, **error.extra)


def handle_rejected(error: Rejected) -> Response:
    """A check below the server (protocol, guard, conneg) refused the request."""
    return error_response(error.status, str(error), error.headers)


def handle_http_exception(error: HTTPException) -> Response:
    if error.code in (404, 410) and prefers_html(request.headers.get("Accept")):
        return html_error(error.code, error.description or "")
    headers = {}
    if error.code == 405:
        allow = error.get_response().headers.get("Allow")
        headers = {"Allow": allow} if allow else {}
    return error_response(error.code or 500, error.description or "", headers)


def html_error(status: int, detail: str) -> Response:
    """A page for a person who followed a dead link: what happened, a search box, a way back."""
    body = render_template("ld/error.html", status=status, title=HTTPStatus(status).phrase,
                           detail=detail)
    return Response(body, status=status, content_type="text/html; charset=utf-8")


def register_error_handlers(app) -> None:
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(Rejected, handle_rejected)
    app.register_error_handler(HTTPException, handle_http_exception)
