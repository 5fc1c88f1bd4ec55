"""Purchase events follow their orders: one for every counted order, none for any other.

The refresher reconciles the orders a write made stale, so whatever the order of concurrent
status changes, the event matches the status that won. A purchase belongs to the visit the
storefront tied to the order (the lowest-named session of the events carrying its order id),
wherever and whenever those events arrive: a visit reported after its order was counted
takes its purchase over. An order with no tracked visit has a session of its own, which has
no page view and so never counts as a visit.
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


def own_session(order_id: int) -> str:
    """The session of an order with no tracked visit."""
    return f"{ORDER_SESSION_PREFIX}{order_id}"


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def reconcile_purchases(session: Session, order_ids: Collection[int], zone: ZoneInfo) -> set[str]:
    """Add, move and remove purchase events of these orders; returns the visits they left or
    joined (sessions of their own never count, so they are left out)."""
    touched: set[str] = set()
    for chunk in _chunks(sorted(order_ids)):
        touched |= _remove_uncounted(session, chunk)
        touched |= _place_counted(session, chunk, zone)
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


def _visits(session: Session, order_ids: list[int]) -> dict[int, str]:
    """Each order's tracked visit: the lowest-named session of the events carrying its id."""
    return dict(
        session.execute(
            sa.select(EVENTS.c.order_id, sa.func.min(EVENTS.c.session_id))
            .where(
                EVENTS.c.order_id.in_(order_ids),
                sa.not_(EVENTS.c.session_id.startswith(ORDER_SESSION_PREFIX)),
            )
            .group_by(EVENTS.c.order_id)
        ).all()
    )


def _place_counted(session: Session, order_ids: list[int], zone: ZoneInfo) -> set[str]:
    orders = session.execute(
        sa.select(
            ORDERS.c.id,
            ORDERS.c.customer_id,
            sa.func.coalesce(ORDERS.c.completed_at, ORDERS.c.placed_at),
            ORDERS.c.channel,
        ).where(ORDERS.c.id.in_(order_ids), counted(ORDERS.c.status))
    ).all()
    if not orders:
        return set()
    ids = [row[0] for row in orders]
    visits = _visits(session, ids)
    placed = dict(
        session.execute(
            sa.select(EVENTS.c.order_id, EVENTS.c.session_id).where(
                EVENTS.c.order_id.in_(ids), EVENTS.c.event_type == "purchase"
            )
        ).all()
    )
    touched: set[str] = set()
    new_rows, moves = [], []
    for order_id, customer_id, occurred, channel in orders:
        wanted = visits.get(order_id, own_session(order_id))
        if order_id not in placed:
            new_rows.append(_purchase_row(order_id, customer_id, occurred, channel, wanted, zone))
            touched.add(wanted)
        elif placed[order_id] != wanted:
            moves.append({"purchase_of": order_id, "visit": wanted})
            touched |= {placed[order_id], wanted}
    if new_rows:
        session.execute(EVENTS.insert(), new_rows)
    if moves:
        session.execute(
            EVENTS.update()
            .where(
                EVENTS.c.order_id == sa.bindparam("purchase_of"), EVENTS.c.event_type == "purchase"
            )
            .values(session_id=sa.bindparam("visit")),
            moves,
        )
    return touched


def _purchase_row(order_id, customer_id, occurred, channel, visit: str, zone: ZoneInfo) -> dict:
    return {
        "external_id": purchase_event_id(order_id),
        "event_type": "purchase",
        "customer_id": customer_id,
        "session_id": visit,
        "occurred_at": occurred,
        "business_date": business_date(occurred, zone),
        "order_id": order_id,
        "page": None,
        "channel": channel,
    }
