"""Orders and events pushed in from outside (API, CSV import): validated, idempotent, all or
nothing.

The caller owns the transaction (begun with app.database.begin_write): on any error it rolls
back, so a batch never lands in part. Writers store commerce rows and mark what they made
stale; the refresher computes the figures. Concurrent batches naming the same new customers
or orders never fail on a unique key: inserts skip rows another batch committed meanwhile,
and those are then compared like any resend.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.sql import dialect_insert
from app.models import Campaign, ConversionEvent, Customer, Order, Payment
from app.models.enums import COUNTED_STATUSES
from app.pipeline.errors import IngestConflict, UnknownReference
from app.pipeline.lines import attach_lines, order_totals
from app.pipeline.stale import Keys, id_ranges, mark, mark_orders, shop_zone
from app.timeutil import business_date

ORDERS, PAYMENTS, CUSTOMERS = Order.__table__, Payment.__table__, Customer.__table__
EVENTS = ConversionEvent.__table__

# Fields that make two submissions of the same external id "the same order".
COMPARED = (
    "customer_id",
    "placed_at",
    "channel",
    "subtotal",
    "discount",
    "shipping",
    "tax",
    "total",
)
# Where an order can go after each status: a resend in an earlier state is still the same order.
LATER_STATUSES = {
    "pending": {"pending", "completed", "cancelled", "refunded"},
    "completed": {"completed", "cancelled", "refunded"},
    "cancelled": {"cancelled"},
    "refunded": {"refunded"},
}


@dataclass
class IngestResult:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _ids_by(session: Session, key, id_column, keys: set[str]) -> dict[str, int]:
    """Our ids of the rows whose `key` is one of `keys` (unknown keys are left out)."""
    if not keys:
        return {}
    return dict(session.execute(sa.select(key, id_column).where(key.in_(keys))).all())


def ensure_customers(session: Session, records: list[dict]) -> dict[str, int]:
    """Customer ids by external id, creating the customers not seen before.

    Each record names its customer in `customer_id` (None: no customer) and may carry
    `customer_email`, `placed_at`/`occurred_at` and `channel` for a customer it creates.
    """
    wanted: dict[str, dict] = {}
    for record in records:
        if record.get("customer_id"):
            wanted.setdefault(record["customer_id"], record)
    known = _ids_by(session, CUSTOMERS.c.external_id, CUSTOMERS.c.id, set(wanted))
    # Sorted, so concurrent batches insert (and lock) in the same order: no deadlocks.
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
        insert = dialect_insert(session, CUSTOMERS).on_conflict_do_nothing(
            index_elements=["external_id"]
        )
        session.execute(insert, new)
        names = {row["external_id"] for row in new}
        known.update(_ids_by(session, CUSTOMERS.c.external_id, CUSTOMERS.c.id, names))
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


def _stored_orders(session: Session, external_ids: list[str]) -> dict[str, sa.Row]:
    if not external_ids:
        return {}
    columns = (ORDERS.c.external_id, ORDERS.c.status, *(ORDERS.c[name] for name in COMPARED))
    return {
        row.external_id: row
        for row in session.execute(
            sa.select(*columns).where(ORDERS.c.external_id.in_(external_ids))
        )
    }


def _order_differences(stored: sa.Row, row: dict) -> list[str]:
    """What differs between a resend and the stored order (a later status is no difference)."""
    changed = [name for name in COMPARED if getattr(stored, name) != row[name]]
    if stored.status not in LATER_STATUSES[row["status"]]:
        changed.append("status")
    return changed


def _sort_resends(
    stored: dict[str, sa.Row], rows: dict[str, dict], result: IngestResult
) -> dict[str, str]:
    """List identical resends as unchanged; returns the conflicting ones."""
    conflicts = {}
    for external_id, existing in stored.items():
        changed = _order_differences(existing, rows[external_id])
        if changed:
            conflicts[external_id] = "already exists with different " + ", ".join(changed)
        else:
            result.unchanged.append(external_id)
    return conflicts


def ingest_orders(session: Session, orders: list[dict]) -> IngestResult:
    """Create the new orders; identical resubmissions change nothing; conflicts raise.

    One stale key per run of consecutive new order ids tells the refresher what to recompute.
    """
    result = IngestResult()
    customers = ensure_customers(session, orders)
    codes = {(o.get("coupon_code") or "").upper() for o in orders} - {""}
    campaigns = _ids_by(session, Campaign.code, Campaign.id, codes)
    rows = {o["external_id"]: _row(o, customers[o["customer_id"]], campaigns) for o in orders}
    methods = {o["external_id"]: o["payment_method"] for o in orders}
    stored = _stored_orders(session, list(rows))
    conflicts = _sort_resends(stored, rows, result)
    if conflicts:
        raise IngestConflict(conflicts)
    zone = shop_zone()
    new_rows = [rows[key] for key in sorted(rows) if key not in stored]
    for row in new_rows:
        row["business_date"] = business_date(row["placed_at"], zone)
    ids = _insert_new(session, ORDERS, new_rows)
    # Rows another batch committed between our read and our insert: compare them as resends.
    raced = _stored_orders(
        session, [row["external_id"] for row in new_rows if row["external_id"] not in ids]
    )
    conflicts = _sort_resends(raced, rows, result)
    if conflicts:
        raise IngestConflict(conflicts)
    if ids:
        session.execute(
            sa.insert(PAYMENTS),
            [
                {
                    "order_id": ids[row["external_id"]],
                    "method": methods[row["external_id"]],
                    "amount": row["total"],
                    "status": "captured" if row["completed_at"] else "authorized",
                    "created_at": row["placed_at"],
                }
                for row in new_rows
                if row["external_id"] in ids
            ],
        )
        mark_orders(session, ids.values())
    result.created = [row["external_id"] for row in new_rows if row["external_id"] in ids]
    result.unchanged.sort()
    _attach_sent_lines(session, orders)
    return result


def _attach_sent_lines(session: Session, orders: list[dict]) -> None:
    """The lines of the orders that came with them: stored for orders without lines yet,
    compared for the others (app/pipeline/lines.py)."""
    lines = {o["external_id"]: o["lines"] for o in orders if o.get("lines")}
    if not lines:
        return
    attach_lines(session, list(order_totals(session, lines).values()), lines)


def _insert_new(session: Session, table: sa.Table, rows: list[dict]) -> dict[str, int]:
    """Insert rows whose external id is new; returns the ids of those actually inserted."""
    if not rows:
        return {}
    insert = (
        dialect_insert(session, table)
        .on_conflict_do_nothing(index_elements=["external_id"])
        .returning(table.c.external_id, table.c.id)
    )
    return dict(session.execute(insert, rows).all())


# Fields that make two submissions of the same event id "the same event".
EVENT_COMPARED = ("event_type", "session_id", "occurred_at", "customer_id", "order_id", "page")


def ingest_events(session: Session, events: list[dict]) -> IngestResult:
    """Store page views and funnel steps once per event id, all or nothing.

    `customer_id` and `order_id` are the shop's own ids: unknown customers are created, an
    unknown order is refused (the order must arrive first).
    """
    result = IngestResult()
    order_ids = {e["order_id"] for e in events if e.get("order_id")}
    orders = _ids_by(session, ORDERS.c.external_id, ORDERS.c.id, order_ids)
    unknown = {
        e["event_id"]: f"unknown order {e['order_id']}; send the order first"
        for e in events
        if e.get("order_id") and e["order_id"] not in orders
    }
    if unknown:
        raise UnknownReference(unknown)
    customers = ensure_customers(session, events)
    zone = shop_zone()
    rows = {
        event["event_id"]: {
            "external_id": event["event_id"],
            "event_type": event["type"],
            "session_id": event["session_id"],
            "occurred_at": event["occurred_at"],
            "business_date": business_date(event["occurred_at"], zone),
            "customer_id": customers.get(event.get("customer_id")),
            "order_id": orders.get(event.get("order_id")),
            "page": event.get("page"),
            "channel": event.get("channel"),
        }
        for event in events
    }
    new_rows = [rows[key] for key in sorted(rows)]
    inserted = _insert_new(session, EVENTS, new_rows)
    stored = _stored_events(session, [key for key in rows if key not in inserted])
    conflicts = {}
    for external_id, existing in stored.items():
        changed = [n for n in EVENT_COMPARED if getattr(existing, n) != rows[external_id][n]]
        if changed:
            conflicts[external_id] = "already exists with different " + ", ".join(changed)
        else:
            result.unchanged.append(external_id)
    if conflicts:
        raise IngestConflict(conflicts)
    result.created = sorted(inserted)
    result.unchanged.sort()
    # A visit that names an order may take over that order's purchase (purchases.py).
    named = {rows[key]["order_id"] for key in inserted} - {None}
    sessions = {rows[key]["session_id"] for key in inserted}
    mark(session, Keys(sessions=sessions, order_ranges=id_ranges(named)))
    return result


def _stored_events(session: Session, external_ids: list[str]) -> dict[str, sa.Row]:
    if not external_ids:
        return {}
    columns = (EVENTS.c.external_id, *(EVENTS.c[name] for name in EVENT_COMPARED))
    return {
        row.external_id: row
        for row in session.execute(
            sa.select(*columns).where(EVENTS.c.external_id.in_(external_ids))
        )
    }
