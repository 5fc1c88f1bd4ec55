"""What every writing endpoint shares: the write scope and all-or-nothing batches."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from flask import Response, g
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.api.tokens import api_caller, api_rate_limit
from app.extensions import csrf, db, limiter
from app.ingest import IngestConflict, IngestResult, UnknownReference
from app.problem import error_response

INSERT_ATTEMPTS = 5


def write_scope_error() -> Response | None:
    """None for a write-scope token; else the 401/403 to answer (a staff cookie is not enough)."""
    token = getattr(g, "api_token", None)
    if token is None:
        return error_response(401, "a write-scope API token is required")
    if token.scope != "write":
        return error_response(403, "this token may only read")
    return None


def token_blueprint(name: str, import_name: str, url_prefix: str, description: str) -> Blueprint:
    """An /api/v1 blueprint called with tokens: rate-limited per token, exempt from the cookie
    CSRF check (a token header is not sent by a browser on its own)."""
    blp = Blueprint(name, import_name, url_prefix=url_prefix, description=description)
    csrf.exempt(blp)
    limiter.limit(api_rate_limit, key_func=api_caller)(blp)
    return blp


def write_blueprint(name: str, import_name: str, url_prefix: str, description: str) -> Blueprint:
    """A token blueprint whose every route writes: a write-scope token is required."""
    blp = token_blueprint(name, import_name, url_prefix, description)
    blp.before_request(write_scope_error)
    return blp


def run_batch(ingest: Callable[[Session, list[dict]], IngestResult], records: list[dict]):
    """Ingest a batch in one transaction: all of it, or nothing and a 409/422 naming each record.

    A unique-key race with another client (or a PostgreSQL deadlock victim) runs the batch
    again, so it is compared with what the other client wrote.
    """
    for attempt in range(INSERT_ATTEMPTS):
        try:
            result = ingest(db.session, records)
            db.session.commit()
            return {"created": result.created, "unchanged": result.unchanged}
        except IngestConflict as conflict:
            db.session.rollback()
            return error_response(
                409, "records conflict with ones already received", errors=conflict.conflicts
            )
        except UnknownReference as unknown:
            db.session.rollback()
            return error_response(422, "records name unknown orders", errors=unknown.errors)
        except (IntegrityError, OperationalError):
            db.session.rollback()
            if attempt == INSERT_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    raise AssertionError("unreachable")
