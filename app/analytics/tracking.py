"""Real-time tracking: a flush that changes sales recomputes the affected figures in-transaction.

Whatever path writes an order or refund (API, import, admin screen, a script), the same
transaction updates the purchase event, that day's snapshot and channel rows, and the
customer's order figures. The day is recomputed from the commerce tables rather than
incremented, so saving twice never counts twice and a rollback leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.analytics.customers import refresh_order_figures
from app.analytics.daily import rebuild_daily
from app.analytics.periods import DateRange
from app.models import ConversionEvent, CustomerMetrics, Order, Refund
from app.models.enums import COUNTED_STATUSES
from app.timeutil import business_date

SALES_FIELDS = (
    "status",
    "subtotal",
    "discount",
    "tax",
    "shipping",
    "channel",
    "business_date",
    "customer_id",
    "placed_at",
)
EVENTS = ConversionEvent.__table__

_zone_provider: Callable[[], ZoneInfo] = lambda: ZoneInfo("UTC")  # noqa: E731


@dataclass
class Affected:
    days: set[date] = field(default_factory=set)
    customers: set[int] = field(default_factory=set)
    # Orders that became counted: ORM Orders, or rows with id, external_id, customer_id,
    # completed_at and channel.
    completed: list = field(default_factory=list)
    uncompleted: list[int] = field(default_factory=list)
    event_sessions: set[str] = field(default_factory=set)
    refunded_orders: set[int] = field(default_factory=set)
    # Only orders just inserted (no events can name them yet): no visit or session changes.
    fresh_orders_only: bool = False


def install(zone_provider: Callable[[], ZoneInfo]) -> None:
    """Listen on every Session; `zone_provider` names the shop's time zone at flush time."""
    global _zone_provider
    _zone_provider = zone_provider
    if not event.contains(Session, "before_flush", stamp_business_dates):
        event.listen(Session, "before_flush", stamp_business_dates)
        event.listen(Session, "after_flush", track_sales)


def stamp_business_dates(session: Session, _context, _instances) -> None:
    """Derive the shop-local business_date from each instant, so SQL can group by it."""
    zone = _zone_provider()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Order) and (obj.business_date is None or _changed(obj, "placed_at")):
            obj.business_date = business_date(obj.placed_at, zone)
        elif isinstance(obj, Refund) and (
            obj.business_date is None or _changed(obj, "refunded_at")
        ):
            obj.business_date = business_date(obj.refunded_at, zone)
        elif isinstance(obj, ConversionEvent) and (
            obj.business_date is None or _changed(obj, "occurred_at")
        ):
            obj.business_date = business_date(obj.occurred_at, zone)


def _changed(obj, name: str) -> bool:
    return sa.inspect(obj).attrs[name].history.has_changes()


def _before_and_after(obj, name: str) -> tuple[set, set]:
    history = sa.inspect(obj).attrs[name].history
    before = set(history.deleted or ()) | set(history.unchanged or ())
    after = set(history.added or ()) | set(history.unchanged or ())
    return before, after


def _collect(session: Session) -> Affected:
    affected = Affected()
    for obj in session.new | session.dirty | session.deleted:
        if isinstance(obj, Order):
            _collect_order(obj, affected, deleted=obj in session.deleted)
        elif isinstance(obj, Refund):
            affected.days.update(_before_and_after(obj, "business_date")[0] | {obj.business_date})
            affected.refunded_orders.add(obj.order_id)
        elif isinstance(obj, ConversionEvent) and obj in session.new:
            affected.days.add(obj.business_date)
            affected.event_sessions.add(obj.session_id)
    affected.days.discard(None)
    affected.customers.discard(None)
    return affected


def _collect_order(order: Order, affected: Affected, deleted: bool) -> None:
    if not any(_changed(order, name) for name in SALES_FIELDS) and not deleted:
        return
    statuses_before, _statuses_after = _before_and_after(order, "status")
    was_counted = bool(statuses_before & set(COUNTED_STATUSES))
    is_counted = order.status in COUNTED_STATUSES and not deleted
    if not (was_counted or is_counted):
        return
    for name, bucket in (("business_date", affected.days), ("customer_id", affected.customers)):
        before, after = _before_and_after(order, name)
        bucket.update(before | after)
    if is_counted and not was_counted:
        affected.completed.append(order)
    elif was_counted and not is_counted:
        affected.uncompleted.append(order.id)


def track_sales(session: Session, _context) -> None:
    affected = _collect(session)
    if affected.days or affected.customers or affected.refunded_orders:
        _update_figures(session, affected)


def shop_zone() -> ZoneInfo:
    """The shop's time zone, as the flush hooks see it (for writers that bypass the ORM)."""
    return _zone_provider()


def track_inserted_orders(session: Session, orders: list[dict]) -> None:
    """What a flush of these new orders would have done, for rows inserted with Core.

    Each dict holds the inserted row with its `id` (and `business_date` already derived).
    """
    counted = [order for order in orders if order["status"] in COUNTED_STATUSES]
    if not counted:
        return
    affected = Affected(
        days={order["business_date"] for order in counted},
        customers={order["customer_id"] for order in counted} - {None},
        completed=[SimpleNamespace(**order) for order in counted],
        fresh_orders_only=True,
    )
    _update_figures(session, affected)


def _update_figures(session: Session, affected: Affected) -> None:
    zone = _zone_provider()
    if affected.refunded_orders:
        # A new refund knows its order_id, not yet its loaded order: ask the database.
        affected.customers.update(
            session.scalars(
                sa.select(Order.customer_id).where(Order.id.in_(affected.refunded_orders))
            )
        )
        affected.customers.discard(None)
    if affected.completed:
        affected.days.update(
            _record_purchases(session, affected.completed, zone, affected.fresh_orders_only)
        )
    if affected.event_sessions:
        affected.days.update(_entry_days(session, affected.event_sessions))
    if affected.customers:
        affected.days.update(_first_order_days(session, affected.customers, zone))
    if affected.uncompleted:
        session.execute(
            EVENTS.delete().where(
                EVENTS.c.order_id.in_(affected.uncompleted), EVENTS.c.event_type == "purchase"
            )
        )
    for days in rebuild_ranges(affected.days):
        rebuild_daily(session, days, lock=True, sessions_changed=not affected.fresh_orders_only)
    refresh_order_figures(session, affected.customers)


# Recomputing a day nothing changed on is harmless (the same rows come out), and one
# set-based rebuild of a range costs far less than one per day: bridge gaps up to this long.
BRIDGED_GAP_DAYS = 31


def rebuild_ranges(days: set[date]) -> list[DateRange]:
    """The days as a few ranges to rebuild, bridging short gaps between affected days."""
    runs: list[DateRange] = []
    for day in sorted(days):
        if runs and (day - runs[-1].end).days <= BRIDGED_GAP_DAYS:
            runs[-1] = DateRange(runs[-1].start, day)
        else:
            runs.append(DateRange(day, day))
    return runs


def _first_order_days(session: Session, customer_ids: set[int], zone: ZoneInfo) -> set[date]:
    """Days whose "new customers" change: where a customer's first counted day moved."""
    recorded = {
        customer_id: business_date(moment, zone)
        for customer_id, moment in session.execute(
            sa.select(CustomerMetrics.customer_id, CustomerMetrics.first_order_at).where(
                CustomerMetrics.customer_id.in_(customer_ids),
                CustomerMetrics.first_order_at.is_not(None),
            )
        )
    }
    current = dict(
        session.execute(
            sa.select(Order.customer_id, sa.func.min(Order.business_date))
            .where(Order.customer_id.in_(customer_ids), Order.status.in_(COUNTED_STATUSES))
            .group_by(Order.customer_id)
        ).all()
    )
    moved = {
        cid for cid in recorded.keys() | current.keys() if recorded.get(cid) != current.get(cid)
    }
    return {
        day for cid in moved for day in (recorded.get(cid), current.get(cid)) if day is not None
    }


def _entry_days(session: Session, session_ids: set[str]) -> set[date]:
    """Sessions are counted on the day of their first page view, which a late event changes."""
    return set(
        session.scalars(
            sa.select(sa.func.min(EVENTS.c.business_date))
            .where(EVENTS.c.session_id.in_(sorted(session_ids)), EVENTS.c.event_type == "page_view")
            .group_by(EVENTS.c.session_id)
        )
    )


def _record_purchases(
    session: Session, orders: list, zone: ZoneInfo, fresh: bool = False
) -> set[date]:
    """Insert each order's purchase event once (set-based); returns the days they touch.

    `fresh`: the orders were inserted in this transaction, so no event can name them yet.
    """
    ids = [order.id for order in orders]
    recorded: set[int] = set()
    journeys: dict[int, str] = {}
    if not fresh:
        recorded = set(
            session.scalars(
                sa.select(EVENTS.c.order_id).where(
                    EVENTS.c.order_id.in_(ids), EVENTS.c.event_type == "purchase"
                )
            )
        )
        # An order's tracked visit (events already linked to it) keeps the purchase in its
        # session.
        journeys = dict(
            session.execute(
                sa.select(EVENTS.c.order_id, sa.func.min(EVENTS.c.session_id))
                .where(EVENTS.c.order_id.in_(ids))
                .group_by(EVENTS.c.order_id)
            ).all()
        )
    rows = []
    for order in orders:
        if order.id in recorded:
            continue
        occurred = order.completed_at or datetime.now(UTC)
        rows.append(
            {
                "external_id": f"purchase-{order.external_id}",
                "event_type": "purchase",
                "customer_id": order.customer_id,
                "session_id": journeys.get(order.id, f"order-{order.external_id}"),
                "occurred_at": occurred,
                "business_date": business_date(occurred, zone),
                "order_id": order.id,
                "page": None,
                "channel": order.channel,
            }
        )
    if rows:
        session.execute(EVENTS.insert(), rows)
    days = {row["business_date"] for row in rows}
    journey_sessions = {row["session_id"] for row in rows if row["order_id"] in journeys}
    return days | (_entry_days(session, journey_sessions) if journey_sessions else set())
