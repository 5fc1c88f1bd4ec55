"""An order's life after it arrives: status changes and refunds, each under the order's lock.

The caller begins a write transaction (app.database.begin_write) and commits. The order row
is locked first (SELECT … FOR UPDATE on PostgreSQL; on SQLite the transaction already holds
the database's write lock), so two refunds of one order, or a refund and a cancellation,
run one after the other and each sees what the other did.

Cancelling is for orders whose sale should never have counted: pending ones, and completed
ones not yet refunded. Once any refund is booked the order is refunded instead (the rest of
it, if need be), so its sale stays on its day and each refund on the refund's day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Order, Refund
from app.models.enums import COUNTED_STATUSES
from app.pipeline.errors import IngestConflict
from app.pipeline.refund_lines import (
    LineExhausted,
    RefundLinesRefused,
    book_refund_lines,
    same_refund_lines,
)
from app.pipeline.stale import Keys, mark, mark_orders, shop_zone
from app.timeutil import business_date

ORDERS, REFUNDS = Order.__table__, Refund.__table__
# Where an order may go from each status by a status change (refunds make `refunded`).
ALLOWED = {
    "pending": {"completed", "cancelled"},
    "completed": {"cancelled"},
    "cancelled": set(),
    "refunded": set(),
}


class TransitionError(Exception):
    """The order cannot do what was asked in its current state (409)."""


class RecordError(Exception):
    """A value cannot be true for this order (422, naming the field)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name


@dataclass(frozen=True)
class OrderState:
    id: int
    external_id: str
    status: str
    customer_id: int | None
    business_date: date
    placed_at: datetime
    merchandise: int  # subtotal − discount: the most that can be refunded
    total: int


def _state(session: Session, condition, lock: bool) -> OrderState | None:
    query = sa.select(
        ORDERS.c.id,
        ORDERS.c.external_id,
        ORDERS.c.status,
        ORDERS.c.customer_id,
        ORDERS.c.business_date,
        ORDERS.c.placed_at,
        ORDERS.c.subtotal - ORDERS.c.discount,
        ORDERS.c.total,
    ).where(condition)
    # FOR NO KEY UPDATE: the order's id never changes, so rows pointing at it (payments,
    # events, refunds) need not wait for the lock.
    row = session.execute(query.with_for_update(key_share=True) if lock else query).one_or_none()
    return OrderState(*row) if row else None


def find_order(session: Session, external_id: str) -> OrderState | None:
    """The order as it is now (no lock): what a status change compares against."""
    return _state(session, ORDERS.c.external_id == external_id, lock=False)


def lock_order(session: Session, order_id: int) -> OrderState:
    """The order, locked until the transaction ends."""
    state = _state(session, ORDERS.c.id == order_id, lock=True)
    if state is None:
        raise TransitionError("the order no longer exists")
    return state


def change_status(
    session: Session, seen: OrderState, status: str, at: datetime
) -> tuple[OrderState, bool]:
    """Compare-and-set from the status the caller saw; returns the order and whether it moved.

    Two changes racing on one order: the first wins; the second answers "unchanged" when it
    asked for the same status, else it is refused (TransitionError) with the status now.
    """
    current = lock_order(session, seen.id)
    if current.status == status:
        return current, False
    if current.status != seen.status:
        raise TransitionError(
            f"the order became {current.status} meanwhile; it was {seen.status} when asked"
        )
    if status not in ALLOWED[current.status]:
        raise TransitionError(f"an order that is {current.status} cannot become {status}")
    if status == "completed" and at < current.placed_at:
        raise RecordError("at", "must not be before the order was placed")
    if status == "cancelled" and _refunded(session, current.id):
        raise TransitionError(
            "the order has refunds; refund the rest of it instead of cancelling it"
        )
    values: dict[str, object] = {"status": status}
    if status == "completed":
        values["completed_at"] = at
    session.execute(ORDERS.update().where(ORDERS.c.id == current.id).values(**values))
    mark_orders(session, [current.id])
    return lock_order(session, current.id), True


def _refunded(session: Session, order_id: int) -> int:
    return int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(REFUNDS.c.amount), 0)).where(
                REFUNDS.c.order_id == order_id
            )
        )
    )


@dataclass(frozen=True)
class RefundState:
    external_id: str
    amount: int
    business_date: date


def add_refund(session: Session, order_id: int, refund: dict) -> tuple[RefundState, bool]:
    """Book a merchandise refund once per refund id; returns it and whether it is new.

    Its `lines` (optional) say what came back of which line (app/pipeline/refund_lines.py).

    Never takes the refunded total past the merchandise; a full refund marks the order
    refunded. The same refund id again is "unchanged" if identical, else a conflict.
    """
    order = lock_order(session, order_id)
    existing = session.execute(
        sa.select(
            REFUNDS.c.id, REFUNDS.c.order_id, REFUNDS.c.amount, REFUNDS.c.business_date
        ).where(REFUNDS.c.external_id == refund["refund_id"])
    ).one_or_none()
    if existing is not None:
        if (
            existing.order_id != order.id
            or existing.amount != refund["amount"]
            or not same_refund_lines(session, order.id, existing.id, refund.get("lines"))
        ):
            raise IngestConflict({refund["refund_id"]: "already exists with different content"})
        return RefundState(refund["refund_id"], existing.amount, existing.business_date), False
    if order.status not in COUNTED_STATUSES:
        raise TransitionError(f"an order that is {order.status} cannot be refunded")
    if refund["refunded_at"] < order.placed_at:
        raise RecordError("refunded_at", "must not be before the order was placed")
    remaining = order.merchandise - _refunded(session, order.id)
    if refund["amount"] > remaining:
        raise TransitionError(
            f"refund of {refund['amount']} exceeds the {remaining} left to refund"
        )
    day = business_date(refund["refunded_at"], shop_zone())
    refund_id = session.scalar(
        REFUNDS.insert()
        .values(
            external_id=refund["refund_id"],
            order_id=order.id,
            amount=refund["amount"],
            refunded_at=refund["refunded_at"],
            business_date=day,
            reason=refund.get("reason"),
        )
        .returning(REFUNDS.c.id)
    )
    try:
        book_refund_lines(session, order.id, refund_id, refund["amount"], refund.get("lines"))
    except LineExhausted as error:
        raise TransitionError(str(error)) from None
    except RefundLinesRefused as error:
        raise RecordError("lines", str(error)) from None
    if refund["amount"] == remaining:
        session.execute(ORDERS.update().where(ORDERS.c.id == order.id).values(status="refunded"))
    customers = {order.customer_id} - {None}
    mark(session, Keys(days={day}, customers=customers))
    return RefundState(refund["refund_id"], refund["amount"], day), True
