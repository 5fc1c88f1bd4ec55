"""What every writing endpoint shares: the write scope and all-or-nothing batches."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from flask import Response, g
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.extensions import db
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
