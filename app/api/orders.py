"""POST /api/v1/orders and an order's status and refunds: ingestion with a write token."""

from __future__ import annotations

from flask import abort
from flask.views import MethodView
from marshmallow import ValidationError

from app.api.schemas import BatchResult, OrderBatch, OrderOut, RefundIn, RefundOut, StatusIn
from app.api.writes import run_batch, run_write, write_blueprint
from app.extensions import db
from app.models import Order
from app.pipeline.fields import clean_text
from app.pipeline.ingest import IngestConflict, ingest_orders
from app.pipeline.orders import (
    OrderState,
    RecordError,
    TransitionError,
    add_refund,
    change_status,
    find_order,
)
from app.problem import error_response
from app.timeutil import utc_now

ID_LENGTH = Order.__table__.c.external_id.type.length
blp = write_blueprint("orders", __name__, "/api/v1/orders", "Push orders, statuses and refunds")


@blp.route("")
class Orders(MethodView):
    @blp.arguments(OrderBatch)
    @blp.response(201, BatchResult)
    def post(self, batch: dict):
        """Create one order or a batch of up to 1,000, all or nothing; re-sending is harmless."""
        return run_batch(ingest_orders, batch["orders"])


def _order(external_id: str) -> OrderState:
    """The order the path names; an id no order could have (control characters, longer than
    the column) names none, so it is a 404 without asking the database."""
    try:
        clean = clean_text(external_id, identifier=True)
    except ValidationError:
        clean = None
    order = find_order(db.session, clean) if clean and len(clean) <= ID_LENGTH else None
    if order is None:
        abort(404, "no such order")
    return order


def _refused(error: Exception):
    if isinstance(error, RecordError):
        return error_response(
            422, "invalid request", errors={"json": {error.field_name: [str(error)]}}
        )
    if isinstance(error, IngestConflict):
        return error_response(409, "refund conflicts with one already received")
    return error_response(409, str(error))


@blp.route("/<external_id>/status", methods=["POST"])
@blp.arguments(StatusIn)
@blp.response(200, OrderOut)
def set_status(change: dict, external_id: str):
    """Complete or cancel an order, compared with its status when asked: a change that lost a
    race with another answers 409. Cancelling is refused once the order has refunds."""
    seen = _order(external_id)

    def write():
        try:
            order, _changed = change_status(
                db.session, seen, change["status"], change["at"] or utc_now()
            )
        except (TransitionError, RecordError) as error:
            return _refused(error)
        return order

    return run_write(write)


@blp.route("/<external_id>/refunds", methods=["POST"])
@blp.arguments(RefundIn)
@blp.response(201, RefundOut)
def refund(payload: dict, external_id: str):
    """Refund merchandise once per refund id, booked on the refund's own day; never more
    than the order's merchandise in all. The same refund again answers 200, unchanged."""
    order = _order(external_id)

    def write():
        try:
            created, new = add_refund(db.session, order.id, payload)
        except (TransitionError, RecordError, IngestConflict) as error:
            return _refused(error)
        return created if new else (created, 200)

    return run_write(write)
