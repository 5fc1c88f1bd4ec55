"""Error responses: JSON for machines, a plain page for people, never a stack trace."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.auth.gate import wants_json
from app.extensions import db, login_manager
from app.problem import error_response


def _render(status: int, title: str, message: str):
    if wants_json():
        return error_response(status, message)
    return render_template("errors/error.html", title=title, message=message), status


def handle_http_error(error: HTTPException):
    messages = (getattr(error, "data", None) or {}).get("messages")
    if messages and wants_json():
        # webargs/flask-smorest validation: name every bad field, by location.
        return error_response(error.code or 422, "invalid request", errors=messages)
    return _render(error.code or 500, error.name, error.description or error.name)


def handle_csrf_error(error: CSRFError):
    return _render(400, "Form expired", f"{error.description} Reload the page and try again.")


def release_session() -> None:
    """Roll back after a database error; if the connection is gone, drop the session."""
    try:
        db.session.rollback()
    except Exception:  # the connection may be gone; the pool replaces it
        db.session.remove()


def handle_database_unavailable(error: Exception):
    """The database is down or unreachable (or SQLite is locked): 503, and retry later."""
    release_session()
    # Whoever is signed in cannot be looked up now: render (and finish) as anonymous, rather
    # than asking the database again from the template or the after-request hooks.
    g._login_user = login_manager.anonymous_user()
    current_app.logger.warning(
        "database unavailable on %s %s: %s", request.method, request.path, error.__class__.__name__
    )
    response = _render(
        503,
        "Temporarily unavailable",
        "The database is not answering right now. Please try again in a minute.",
    )
    response = current_app.make_response(response)
    response.headers["Retry-After"] = "30"
    return response


def handle_unexpected_error(error: Exception):
    db.session.rollback()
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    message = "Something went wrong on our side. The error has been logged."
    return _render(InternalServerError.code, "Server error", message)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(InterfaceError, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected_error)
