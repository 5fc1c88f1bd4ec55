"""Purchase events follow their orders: one for every counted order, none for any other.

The refresher reconciles the orders a write made stale, so whatever the order of concurrent
status changes, the event matches the status that won. A purchase joins the visit that the
storefront tied to the order (events carrying its order id); an order with no tracked visit
gets a session of its own, which has no page view and so never counts as a visit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.sql import counted
from app.models import ConversionEvent, Order
from app.timeutil import business_date

EVENTS = ConversionEvent.__table__
ORDERS = Order.__table__
# Reserved prefixes: clients cannot send events with these ids or sessions (the API says so).
PURCHASE_EVENT_PREFIX = "purchase:"
ORDER_SESSION_PREFIX = "order:"
CHUNK = 5_000


def purchase_event_id(order_id: int) -> str:
    return f"{PURCHASE_EVENT_PREFIX}{order_id}"


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def reconcile_purchases(session: Session, order_ids: Collection[int], zone: ZoneInfo) -> set[str]:
    """Add and remove purchase events of these orders; returns the visits whose purchase moved."""
    touched: set[str] = set()
    for chunk in _chunks(sorted(order_ids)):
        touched |= _remove_uncounted(session, chunk)
        touched |= _add_missing(session, chunk, zone)
    return {sid for sid in touched if not sid.startswith(ORDER_SESSION_PREFIX)}


def _remove_uncounted(session: Session, order_ids: list[int]) -> set[str]:
    uncounted = sa.select(ORDERS.c.id).where(
        ORDERS.c.id.in_(order_ids), sa.not_(counted(ORDERS.c.status))
    )
    where = (EVENTS.c.event_type == "purchase", EVENTS.c.order_id.in_(uncounted))
    sessions = set(session.scalars(sa.select(EVENTS.c.session_id).where(*where)))
    if sessions:
        session.execute(EVENTS.delete().where(*where))
    return sessions


def _add_missing(session: Session, order_ids: list[int], zone: ZoneInfo) -> set[str]:
    has_purchase = (
        sa.select(EVENTS.c.id)
        .where(EVENTS.c.order_id == ORDERS.c.id, EVENTS.c.event_type == "purchase")
        .exists()
    )
    missing = session.execute(
        sa.select(
            ORDERS.c.id,
            ORDERS.c.customer_id,
            sa.func.coalesce(ORDERS.c.completed_at, ORDERS.c.placed_at),
            ORDERS.c.channel,
        ).where(ORDERS.c.id.in_(order_ids), counted(ORDERS.c.status), sa.not_(has_purchase))
    ).all()
    if not missing:
        return set()
    journeys = dict(
        session.execute(
            sa.select(EVENTS.c.order_id, sa.func.min(EVENTS.c.session_id))
            .where(EVENTS.c.order_id.in_([row[0] for row in missing]))
            .group_by(EVENTS.c.order_id)
        ).all()
    )
    rows = []
    for order_id, customer_id, occurred, channel in missing:
        rows.append(
            {
                "external_id": purchase_event_id(order_id),
                "event_type": "purchase",
                "customer_id": customer_id,
                "session_id": journeys.get(order_id, f"{ORDER_SESSION_PREFIX}{order_id}"),
                "occurred_at": occurred,
                "business_date": business_date(occurred, zone),
                "order_id": order_id,
                "page": None,
                "channel": channel,
            }
        )
    session.execute(EVENTS.insert(), rows)
    return set(journeys.values())
