"""JSON errors for the API: `{"error", "message", "fields"?}` with the right status, never an HTML page."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.errors import DomainError

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": code, "message": message}
    if fields:
        body["fields"] = fields
    return jsonify(body), status


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def register_json_errors(app: Flask) -> None:
    """Domain refusals map to 400/404/409; HTTP errors under /api are JSON too."""

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    @app.errorhandler(StaleDataError)
    def stale(_exc):
        return error_response(409, "conflict", "the ticket was changed by someone else at the same moment; reload it and try again")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if not _wants_json():
            return exc
        response, status = error_response(exc.code or 500, exc.name.lower().replace(" ", "_"),
                                          exc.description or exc.name)
        for name, value in exc.get_headers():  # Allow on a 405 (RFC 9110), Retry-After, ...
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, status

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "something went wrong on our side; nothing was saved")
