"""POST /api/v1/orders and an order's status and refunds: ingestion with a write token."""

from __future__ import annotations

from flask import abort
from flask.views import MethodView

from app.api.schemas import BatchResult, OrderBatch, OrderOut, RefundIn, RefundOut, StatusIn
from app.api.writes import run_batch, write_blueprint
from app.extensions import db
from app.ingest import IngestConflict, TransitionError, add_refund, change_status, ingest_orders
from app.models import Order
from app.problem import error_response
from app.timeutil import utc_now

blp = write_blueprint("orders", __name__, "/api/v1/orders", "Push orders, statuses and refunds")


@blp.route("")
class Orders(MethodView):
    @blp.arguments(OrderBatch)
    @blp.response(201, BatchResult)
    def post(self, batch: dict):
        """Create one order or a batch of up to 1,000, all or nothing; re-sending is harmless."""
        return run_batch(ingest_orders, batch["orders"])


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
