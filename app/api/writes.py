"""What every writing endpoint shares: the write scope and all-or-nothing batches."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from flask import Response, current_app, g
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.database import begin_write, is_lock_timeout, is_retryable
from app.extensions import csrf, db, limiter
from app.pipeline.errors import IngestConflict, LinesRefused, UnknownReference
from app.pipeline.ingest import IngestResult
from app.problem import error_response
from app.security import api_caller, api_rate_limit

log = logging.getLogger(__name__)
WRITE_ATTEMPTS = 6
RETRY_AFTER_SECONDS = 2


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


def run_write(write: Callable[[], Response | object]) -> Response | object:
    """Run `write` in a write transaction and commit.

    A deadlock victim or a serialization failure (and a unique-key race) is rolled back and
    run again. A lock that another writer holds longer than WRITE_LOCK_WAIT_SECONDS (a large
    import, a backfill on SQLite) answers 503 with Retry-After at once: waiting again would
    only hold the caller longer. `write` returns the answer; an error answer (a Response)
    rolls back instead.
    """
    wait_ms = int(current_app.config["WRITE_LOCK_WAIT_SECONDS"] * 1000)
    for attempt in range(WRITE_ATTEMPTS):
        try:
            begin_write(db.session, wait_ms)
            answer = write()
            if isinstance(answer, Response) and answer.status_code >= 400:
                db.session.rollback()
            else:
                db.session.commit()
            return answer
        except (IntegrityError, OperationalError) as error:
            db.session.rollback()
            if isinstance(error, OperationalError) and is_lock_timeout(error):
                log.info("write gave up waiting for a lock: %s", error.orig.__class__.__name__)
                return busy()
            if isinstance(error, OperationalError) and not is_retryable(error):
                raise  # the database itself is unreachable: the app's 503 handler answers
            log.info("write contention (attempt %d): %s", attempt + 1, error.__class__.__name__)
            time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
    return busy()


def busy() -> Response:
    response = error_response(503, "the shop's database is busy; send the request again")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def run_batch(ingest: Callable[[Session, list[dict]], IngestResult], records: list[dict]):
    """Ingest a batch in one transaction: all of it, or nothing and a 409/422 naming each record."""

    def write():
        try:
            result = ingest(db.session, records)
        except IngestConflict as conflict:
            return error_response(
                409, "records conflict with ones already received", errors=conflict.conflicts
            )
        except UnknownReference as unknown:
            return error_response(422, "records name unknown orders", errors=unknown.errors)
        except LinesRefused as refused:
            return error_response(422, "lines do not add up to their orders", errors=refused.errors)
        return {"created": result.created, "unchanged": result.unchanged}

    return run_write(write)
