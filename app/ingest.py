"""Orders pushed in from outside (API, CSV import): validated, idempotent, all or nothing.

The caller owns the transaction: on any error it rolls back, so a batch never lands in part.
Real-time tracking (app/analytics/tracking.py) updates the figures in the same flush.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Campaign, Customer, Order, Payment, Refund
from app.models.enums import COUNTED_STATUSES

# Fields that make two submissions of the same external id "the same order".
COMPARED = (
    "customer_id",
    "placed_at",
    "status",
    "channel",
    "subtotal",
    "discount",
    "shipping",
    "tax",
    "total",
)


class IngestConflict(Exception):
    """An external id arrived again with different content."""

    def __init__(self, conflicts: dict[str, str]) -> None:
        super().__init__("conflicting resubmission")
        self.conflicts = conflicts


@dataclass
class IngestResult:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _customers(session: Session, orders: list[dict]) -> dict[str, int]:
    """Customer ids by external id, creating the customers not seen before."""
    # Sorted, so concurrent batches take their row locks in the same order (no deadlocks).
    wanted = {
        order["customer_id"]: order for order in sorted(orders, key=lambda o: o["customer_id"])
    }
    known = dict(
        session.execute(
            sa.select(Customer.external_id, Customer.id).where(Customer.external_id.in_(wanted))
        ).all()
    )
    for external_id, order in wanted.items():
        if external_id not in known:
            customer = Customer(
                external_id=external_id,
                email=order.get("customer_email"),
                created_at=order["placed_at"],
                acquisition_channel=order["channel"],
            )
            session.add(customer)
            session.flush()
            known[external_id] = customer.id
    return known


def _row(order: dict, customer_id: int, campaigns: dict[str, int]) -> dict:
    total = order["subtotal"] - order["discount"] + order["shipping"] + order["tax"]
    counted = order["status"] in COUNTED_STATUSES
    return {
        "external_id": order["external_id"],
        "customer_id": customer_id,
        "placed_at": order["placed_at"],
        "completed_at": order.get("completed_at") or (order["placed_at"] if counted else None),
        "status": order["status"],
        "channel": order["channel"],
        "subtotal": order["subtotal"],
        "discount": order["discount"],
        "shipping": order["shipping"],
        "tax": order["tax"],
        "total": total,
        "coupon_code": order.get("coupon_code"),
        "campaign_id": campaigns.get((order.get("coupon_code") or "").upper()),
    }


def _differences(existing: Order, row: dict) -> list[str]:
    return [name for name in COMPARED if getattr(existing, name) != row[name]]


def ingest_orders(session: Session, orders: list[dict]) -> IngestResult:
    """Create the new orders; identical resubmissions change nothing; conflicts raise."""
    result = IngestResult()
    existing = {
        order.external_id: order
        for order in session.scalars(
            sa.select(Order).where(Order.external_id.in_([o["external_id"] for o in orders]))
        )
    }
    customers = _customers(session, orders)
    codes = {(o.get("coupon_code") or "").upper() for o in orders} - {""}
    campaigns = (
        dict(
            session.execute(
                sa.select(Campaign.code, Campaign.id).where(Campaign.code.in_(codes))
            ).all()
        )
        if codes
        else {}
    )
    conflicts: dict[str, str] = {}
    for order in sorted(orders, key=lambda o: o["external_id"]):
        row = _row(order, customers[order["customer_id"]], campaigns)
        if order["external_id"] in existing:
            changed = _differences(existing[order["external_id"]], row)
            if changed:
                conflicts[order["external_id"]] = "already exists with different " + ", ".join(
                    changed
                )
            else:
                result.unchanged.append(order["external_id"])
            continue
        created = Order(**row)
        created.payments.append(
            Payment(
                method=order["payment_method"],
                amount=row["total"],
                status="captured" if row["completed_at"] else "authorized",
                created_at=order["placed_at"],
            )
        )
        session.add(created)
        existing[order["external_id"]] = created
        result.created.append(order["external_id"])
    if conflicts:
        raise IngestConflict(conflicts)
    session.flush()
    return result


class TransitionError(Exception):
    """The order cannot move to the requested status."""


ALLOWED = {
    "pending": {"completed", "cancelled"},
    "completed": {"cancelled", "completed"},
    "cancelled": {"cancelled"},
    "refunded": {"refunded"},
}


def change_status(session: Session, order: Order, status: str, at: datetime) -> bool:
    """Complete or cancel an order; returns False when it already had that status."""
    if status not in ALLOWED.get(order.status, set()):
        raise TransitionError(f"an order that is {order.status} cannot become {status}")
    if order.status == status:
        return False
    order.status = status
    if status == "completed":
        order.completed_at = at
    session.flush()
    return True


def add_refund(session: Session, order: Order, refund: dict) -> tuple[Refund, bool]:
    """Book a merchandise refund once per refund id; a full refund marks the order refunded."""
    existing = session.scalar(sa.select(Refund).where(Refund.external_id == refund["refund_id"]))
    if existing is not None:
        if existing.order_id != order.id or existing.amount != refund["amount"]:
            raise IngestConflict({refund["refund_id"]: "already exists with different content"})
        return existing, False
    if order.status not in COUNTED_STATUSES:
        raise TransitionError(f"an order that is {order.status} cannot be refunded")
    refunded = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0)).where(
            Refund.order_id == order.id
        )
    )
    remaining = order.subtotal - order.discount - int(refunded)
    if refund["amount"] > remaining:
        raise TransitionError(
            f"refund of {refund['amount']} exceeds the {remaining} left to refund"
        )
    created = Refund(
        external_id=refund["refund_id"],
        order_id=order.id,
        amount=refund["amount"],
        refunded_at=refund["refunded_at"],
        reason=refund.get("reason"),
    )
    session.add(created)
    if refund["amount"] == remaining:
        order.status = "refunded"
    session.flush()
    return created, True
