"""Marking figures stale: every writer appends the keys it touched, in its own transaction.

Writers never compute figures; they only say which ones their write may have changed. The
refresher recomputes those keys from the commerce tables. Writers that go through the ORM
(the admin screen, scripts, test factories) are marked by the flush hooks below; the bulk
ingestion paths call `mark` themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.models import ConversionEvent, Order, Refund, StaleKey
from app.models.enums import COUNTED_STATUSES
from app.timeutil import business_date, utc_now

STALE = StaleKey.__table__
# Fields of an order that reports read: changing any of them makes its figures stale.
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
    "completed_at",
    "campaign_id",
)

_zone_provider: Callable[[], ZoneInfo] = lambda: ZoneInfo("UTC")  # noqa: E731


@dataclass
class Keys:
    """What one write made stale (see StaleKey for what each kind means)."""

    days: set[date] = field(default_factory=set)
    visit_days: set[date] = field(default_factory=set)
    customers: set[int] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)
    all_sessions: bool = False  # every session's funnel row, from the events (a bulk load)
    order_ranges: list[tuple[int, int]] = field(default_factory=list)
    scores: bool = False
    everything: bool = False

    def rows(self) -> list[dict]:
        now = utc_now()
        rows = [{"kind": "day", "business_date": day} for day in sorted(self.days)]
        rows += [{"kind": "visit_day", "business_date": day} for day in sorted(self.visit_days)]
        rows += [{"kind": "customer", "customer_id": cid} for cid in sorted(self.customers)]
        rows += [{"kind": "session", "session_id": sid} for sid in sorted(self.sessions)]
        if self.all_sessions:
            rows.append({"kind": "session", "session_id": None})
        rows += [
            {"kind": "orders", "first_order_id": first, "last_order_id": last}
            for first, last in self.order_ranges
        ]
        if self.scores:
            rows.append({"kind": "scores"})
        if self.everything:
            rows.append({"kind": "everything"})
        full = dict.fromkeys(
            ("business_date", "customer_id", "session_id", "first_order_id", "last_order_id")
        )
        return [{**full, **row, "created_at": now} for row in rows]


def mark(session: Session, keys: Keys) -> int:
    """Append the keys in the caller's transaction; returns how many rows that took."""
    rows = keys.rows()
    if rows:
        session.execute(STALE.insert(), rows)
    return len(rows)


def mark_orders(session: Session, order_ids: Iterable[int]) -> int:
    """The orders' days, customers and purchase events, as contiguous id ranges."""
    return mark(session, Keys(order_ranges=id_ranges(order_ids)))


def id_ranges(ids: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted ids as (first, last) runs of consecutive numbers: one key per batch, usually."""
    runs: list[tuple[int, int]] = []
    for number in sorted(set(ids)):
        if runs and number == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


# --- ORM writers -----------------------------------------------------------------------


def install(zone_provider: Callable[[], ZoneInfo]) -> None:
    """Listen on every Session; `zone_provider` names the shop's time zone at flush time."""
    global _zone_provider
    _zone_provider = zone_provider
    if not event.contains(Session, "before_flush", stamp_business_dates):
        event.listen(Session, "before_flush", stamp_business_dates)
        event.listen(Session, "after_flush", mark_flushed_changes)


def shop_zone() -> ZoneInfo:
    """The shop's time zone as the flush hooks see it (for writers that bypass the ORM)."""
    return _zone_provider()


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


def _values(obj, name: str) -> set:
    """Every value the attribute had in this flush: before and after."""
    history = sa.inspect(obj).attrs[name].history
    return set(history.deleted or ()) | set(history.added or ()) | set(history.unchanged or ())


def mark_flushed_changes(session: Session, _context) -> None:
    keys = Keys()
    refunded_orders: set[int] = set()
    changed_orders: set[int] = set()
    for obj in session.new | session.dirty | session.deleted:
        deleted = obj in session.deleted
        if isinstance(obj, Order):
            _order_keys(obj, keys, changed_orders, deleted, is_new=obj in session.new)
        elif isinstance(obj, Refund):
            keys.days.update(_values(obj, "business_date"))
            refunded_orders.update(_values(obj, "order_id"))
        elif isinstance(obj, ConversionEvent):
            keys.sessions.update(_values(obj, "session_id"))
            changed_orders.update(_values(obj, "order_id") - {None})
    if refunded_orders - {None}:
        keys.customers.update(
            session.scalars(
                sa.select(Order.customer_id).where(Order.id.in_(refunded_orders - {None}))
            )
        )
    keys.order_ranges = id_ranges(changed_orders)
    for bucket in (keys.days, keys.customers, keys.sessions):
        bucket.discard(None)
    mark(session, keys)


def _order_keys(order: Order, keys: Keys, changed: set[int], deleted: bool, is_new: bool) -> None:
    if not deleted and not is_new and not any(_changed(order, name) for name in SALES_FIELDS):
        return
    counted = set(COUNTED_STATUSES)
    if not deleted and not (_values(order, "status") & counted):
        return  # neither before nor after a counted order: no figure moves
    # The refresher reads the order's current day and customer; old ones are marked here.
    keys.days.update(_values(order, "business_date"))
    keys.customers.update(_values(order, "customer_id"))
    if not deleted:
        changed.add(order.id)
