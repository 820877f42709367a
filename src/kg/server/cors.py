"""CORS for the query routes: any origin may query; preflight OPTIONS is answered."""

from flask import request

ALLOWED_HEADERS = "Accept, Authorization, Content-Type"
EXPOSED_HEADERS = "X-KG-Truncated, X-KG-Row-Limit, X-KG-Byte-Limit, Content-Type"


def add_cors_headers(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def enable_cors(blueprint) -> None:
    blueprint.after_request(add_cors_headers)
