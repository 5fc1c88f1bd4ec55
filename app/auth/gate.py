"""The one access gate: every route needs a staff login except the public allowlist."""

from __future__ import annotations

from flask import Flask, Response, g, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.auth.tokens import find_active_token
from app.extensions import db
from app.problem import error_response

PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.logout",
        "auth.confirm_logout",
        "health.healthz",
        "health.favicon",
        "static",
        # A signed one-click link from an e-mail: the token is the credential.
        "notify.unsubscribe",
    }
)
JSON_PATH_PREFIXES = ("/api/", "/analytics/api/", "/analytics/_")
# Where an API token (Authorization: Bearer …) is accepted instead of a staff login.
API_PATH_PREFIXES = ("/api/", "/analytics/api/")
# Dash's renderer reads this cookie and echoes it in the X-CSRFToken header on callbacks.
DASH_CSRF_COOKIE = "_csrf_token"


def wants_json() -> bool:
    """Machine callers (API, Dash internals, non-GET) get JSON, people get pages."""
    if request.method not in ("GET", "HEAD"):
        return True
    if request.path.startswith(JSON_PATH_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def login_target() -> str:
    query = request.query_string.decode("utf-8", "replace")
    return request.path + (f"?{query}" if query else "")


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def _unauthorized(message: str) -> Response:
    response = error_response(401, message)
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def enforce_login() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    secret = _bearer_secret()
    if secret is not None and request.path.startswith(API_PATH_PREFIXES):
        token = find_active_token(db.session, secret)
        if token is None:
            return _unauthorized("invalid or revoked token")
        g.api_token = token
        g.api_token_id = token.id  # for the request log, which must not query again
        return None
    if current_user.is_authenticated:
        return None
    if wants_json():
        return error_response(401, "authentication required")
    return redirect(url_for("auth.login", next=login_target()))


def issue_dash_csrf_cookie(response: Response) -> Response:
    if current_user.is_authenticated and request.method == "GET" and not wants_json():
        response.set_cookie(
            DASH_CSRF_COOKIE,
            generate_csrf(),
            secure=request.is_secure,
            samesite="Strict",
            httponly=False,
        )
    return response


def init_app(app: Flask) -> None:
    app.before_request(enforce_login)
    app.after_request(issue_dash_csrf_cookie)
