"""Public liveness check used by load balancers and the deploy script."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, url_for
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

bp = Blueprint("health", __name__)
RETRY_AFTER_SECONDS = 30


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        response = jsonify(status="unavailable", database="unreachable")
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return jsonify(status="ok")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it on every page without an icon link (the admin screens)."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
