"""Error pages and the request boundary.

One commit per request: operations only flush; the response decides. A successful
response commits, an error response or an exception rolls back. API paths answer errors
as JSON `{"code", "message", "errors"}`; pages get a translated error page.
"""

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _messages():
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in first."),
        403: _("You do not have permission to see this page."),
        404: _("The page you asked for does not exist."),
        405: _("This method is not allowed here."),
        413: _("The upload is too large."),
        422: _("Some of the data is not valid."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
    }


def error_payload(status: int, message: str | None = None, errors=None, code: str | None = None) -> dict:
    return {
        "code": code or _code_name(status),
        "message": message or _messages().get(status, _("Error")),
        "errors": errors or {},
    }


def _code_name(status: int) -> str:
    from werkzeug.http import HTTP_STATUS_CODES

    return HTTP_STATUS_CODES.get(status, "Error").lower().replace(" ", "_").replace("'", "")


def init_app(app) -> None:
    @app.after_request
    def commit_unit_of_work(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def rollback_on_exception(exc):
        if exc is not None:
            db.session.rollback()

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        db.session.rollback()
        status = error.code or 500
        # Keep what the exception says in its headers (Allow, Retry-After, WWW-Authenticate).
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        if wants_json():
            data = getattr(error, "data", None) or {}
            errors = data.get("messages") or data.get("errors") or {}
            message = data.get("message") or (error.description if status not in _messages() else None)
            return jsonify(error_payload(status, message, errors)), status, headers
        # A message the raiser wrote for the user (the field at fault) wins over the generic one.
        message = (getattr(error, "data", None) or {}).get("message") or _messages().get(status)
        page = render_template("errors/error.html", status=status, message=message)
        return page, status, headers

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return handle_http_exception(error)
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return handle_http_exception(InternalServerError())
