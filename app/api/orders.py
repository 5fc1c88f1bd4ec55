"""POST /api/v1/orders and an order's status and refunds: ingestion with a write token."""

from __future__ import annotations

import random
import time

from flask import abort, g
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError, OperationalError

from app.api.schemas import BatchResult, OrderBatch, OrderOut, RefundIn, RefundOut, StatusIn
from app.api.tokens import api_caller, api_rate_limit
from app.errors import error_response
from app.extensions import csrf, db, limiter
from app.ingest import IngestConflict, TransitionError, add_refund, change_status, ingest_orders
from app.models import Order
from app.timeutil import utc_now

INSERT_ATTEMPTS = 5
blp = Blueprint(
    "orders", __name__, url_prefix="/api/v1/orders", description="Push orders, statuses and refunds"
)
# Writes authenticate with a token header, never a cookie, so CSRF tokens do not apply.
csrf.exempt(blp)
limiter.limit(api_rate_limit, key_func=api_caller)(blp)


@blp.before_request
def require_write_token():
    """Every route here writes: a write-scope token is required (a staff cookie is not enough)."""
    token = getattr(g, "api_token", None)
    if token is None:
        return error_response(401, "a write-scope API token is required")
    if token.scope != "write":
        return error_response(403, "this token may only read")
    return None


@blp.route("")
class Orders(MethodView):
    @blp.arguments(OrderBatch)
    @blp.response(201, BatchResult)
    def post(self, batch: dict):
        """Create one order or a batch of up to 1,000, all or nothing; re-sending is harmless."""
        for attempt in range(INSERT_ATTEMPTS):
            try:
                result = ingest_orders(db.session, batch["orders"])
                db.session.commit()
                return {"created": result.created, "unchanged": result.unchanged}
            except IngestConflict as conflict:
                db.session.rollback()
                return error_response(
                    409, "orders conflict with ones already received", errors=conflict.conflicts
                )
            except (IntegrityError, OperationalError):
                # Another client inserted the same ids meanwhile (or PostgreSQL chose us as a
                # deadlock victim): run again, and compare with what they wrote.
                db.session.rollback()
                if attempt == INSERT_ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise AssertionError("unreachable")


def _order(external_id: str) -> Order:
    order = db.session.scalar(db.select(Order).where(Order.external_id == external_id))
    if order is None:
        abort(404, f"no order {external_id}")
    return order


@blp.route("/<external_id>/status", methods=["POST"])
@blp.arguments(StatusIn)
@blp.response(200, OrderOut)
def set_status(change: dict, external_id: str):
    """Complete or cancel an order; the figures follow in the same transaction."""
    order = _order(external_id)
    try:
        change_status(db.session, order, change["status"], change["at"] or utc_now())
    except TransitionError as error:
        db.session.rollback()
        return error_response(409, str(error))
    db.session.commit()
    return order


@blp.route("/<external_id>/refunds", methods=["POST"])
@blp.arguments(RefundIn)
@blp.response(201, RefundOut)
def refund(payload: dict, external_id: str):
    """Refund merchandise once per refund id, booked on the refund's own day."""
    order = _order(external_id)
    try:
        created, _new = add_refund(db.session, order, payload)
    except (TransitionError, IngestConflict) as error:
        db.session.rollback()
        return error_response(
            409,
            str(error)
            if isinstance(error, TransitionError)
            else "refund conflicts with one already received",
        )
    db.session.commit()
    return created
