"""Orders pushed in from outside (API, CSV import): validated, idempotent, all or nothing.

The caller owns the transaction: on any error it rolls back, so a batch never lands in part.
Real-time tracking (app/analytics/tracking.py) updates the figures in the same flush.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics import tracking
from app.models import Campaign, ConversionEvent, Customer, Order, Payment, Refund
from app.models.enums import COUNTED_STATUSES
from app.timeutil import business_date

ORDERS, PAYMENTS, CUSTOMERS = Order.__table__, Payment.__table__, Customer.__table__

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


class UnknownReference(Exception):
    """A record names something we have not received (by the record's id)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("unknown reference")
        self.errors = errors


@dataclass
class IngestResult:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _customers(session: Session, records: list[dict]) -> dict[str, int]:
    """Customer ids by external id, creating the customers not seen before.

    Each record names its customer in `customer_id` (None: no customer) and may carry
    `customer_email`, `placed_at`/`occurred_at` and `channel` for a customer it creates.
    """
    wanted: dict[str, dict] = {}
    for record in records:
        if record.get("customer_id"):
            wanted.setdefault(record["customer_id"], record)
    if not wanted:
        return {}
    known = _ids_by(session, CUSTOMERS.c.external_id, CUSTOMERS.c.id, set(wanted))
    # Sorted, so concurrent batches insert (and lock) in the same order: no deadlocks; a
    # unique-key race with another batch fails this one, which the caller runs again.
    new = [
        {
            "external_id": external_id,
            "email": record.get("customer_email"),
            "name": None,
            "created_at": record.get("placed_at") or record["occurred_at"],
            "acquisition_channel": record.get("channel") or "web",
            "referred_by_id": None,
        }
        for external_id, record in sorted(wanted.items())
        if external_id not in known
    ]
    if new:
        inserted = session.execute(
            sa.insert(CUSTOMERS).returning(CUSTOMERS.c.external_id, CUSTOMERS.c.id), new
        )
        known.update(inserted.all())
    return known


def _ids_by(session: Session, key, id_column, keys: set[str]) -> dict[str, int]:
    """Our ids of the rows whose `key` is one of `keys` (unknown keys are left out)."""
    if not keys:
        return {}
    return dict(session.execute(sa.select(key, id_column).where(key.in_(keys))).all())


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


def _is_new(
    external_id: str,
    row: dict,
    existing: dict,
    compared: tuple[str, ...],
    result: IngestResult,
    conflicts: dict[str, str],
) -> bool:
    """True for a record not received before; a resend is listed unchanged or as a conflict."""
    if external_id not in existing:
        return True
    changed = [name for name in compared if getattr(existing[external_id], name) != row[name]]
    if changed:
        conflicts[external_id] = "already exists with different " + ", ".join(changed)
    else:
        result.unchanged.append(external_id)
    return False


def ingest_orders(session: Session, orders: list[dict]) -> IngestResult:
    """Create the new orders; identical resubmissions change nothing; conflicts raise.

    Inserted with Core (the unit of work costs more than the rest of a batch), then the
    same real-time tracking a flush would run updates the figures in this transaction.
    """
    result = IngestResult()
    existing = {
        row.external_id: row
        for row in session.execute(
            sa.select(ORDERS.c.external_id, *(ORDERS.c[name] for name in COMPARED)).where(
                ORDERS.c.external_id.in_([o["external_id"] for o in orders])
            )
        )
    }
    customers = _customers(session, orders)
    codes = {(o.get("coupon_code") or "").upper() for o in orders} - {""}
    campaigns = _ids_by(session, Campaign.code, Campaign.id, codes)
    zone = tracking.shop_zone()
    conflicts: dict[str, str] = {}
    new_rows, methods = [], {}
    for order in sorted(orders, key=lambda o: o["external_id"]):
        row = _row(order, customers[order["customer_id"]], campaigns)
        if not _is_new(order["external_id"], row, existing, COMPARED, result, conflicts):
            continue
        row["business_date"] = business_date(row["placed_at"], zone)
        new_rows.append(row)
        methods[order["external_id"]] = order["payment_method"]
        result.created.append(order["external_id"])
    if conflicts:
        raise IngestConflict(conflicts)
    if new_rows:
        inserted = session.execute(
            sa.insert(ORDERS).returning(ORDERS.c.external_id, ORDERS.c.id), new_rows
        )
        ids = dict(inserted.all())
        for row in new_rows:
            row["id"] = ids[row["external_id"]]
        session.execute(
            sa.insert(PAYMENTS),
            [
                {
                    "order_id": row["id"],
                    "method": methods[row["external_id"]],
                    "amount": row["total"],
                    "status": "captured" if row["completed_at"] else "authorized",
                    "created_at": row["placed_at"],
                }
                for row in new_rows
            ],
        )
        tracking.track_inserted_orders(session, new_rows)
    return result


# Fields that make two submissions of the same event id "the same event".
EVENT_COMPARED = ("event_type", "session_id", "occurred_at", "customer_id", "order_id", "page")


def ingest_events(session: Session, events: list[dict]) -> IngestResult:
    """Store page views and funnel steps once per event id, all or nothing.

    `customer_id` and `order_id` are the shop's own ids: unknown customers are created, an
    unknown order is refused (the order must arrive first). Tracking recounts the days.
    """
    result = IngestResult()
    existing = {
        event.external_id: event
        for event in session.scalars(
            sa.select(ConversionEvent).where(
                ConversionEvent.external_id.in_([e["event_id"] for e in events])
            )
        )
    }
    customers = _customers(session, events)
    order_ids = {e["order_id"] for e in events if e.get("order_id")}
    orders = _ids_by(session, Order.external_id, Order.id, order_ids)
    unknown = {
        e["event_id"]: f"unknown order {e['order_id']}; send the order first"
        for e in events
        if e.get("order_id") and e["order_id"] not in orders
    }
    if unknown:
        raise UnknownReference(unknown)
    conflicts: dict[str, str] = {}
    for event in sorted(events, key=lambda e: e["event_id"]):
        row = {
            "external_id": event["event_id"],
            "event_type": event["type"],
            "session_id": event["session_id"],
            "occurred_at": event["occurred_at"],
            "customer_id": customers.get(event.get("customer_id")),
            "order_id": orders.get(event.get("order_id")),
            "page": event.get("page"),
            "channel": event.get("channel"),
        }
        if not _is_new(event["event_id"], row, existing, EVENT_COMPARED, result, conflicts):
            continue
        session.add(ConversionEvent(**row))
        result.created.append(event["event_id"])
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
