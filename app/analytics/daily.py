"""Daily snapshots and revenue by channel, rebuilt set-based from the commerce tables."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from app.analytics.buyers import ID, encode
from app.analytics.periods import DateRange
from app.analytics.sql import counted, upsert_rows
from app.models import (
    ConversionEvent,
    DailyAnalyticsSnapshot,
    DailyBuyers,
    Order,
    Payment,
    PaymentMethodDaily,
    Refund,
    RevenueStream,
)
from app.models.enums import CHANNELS, PAYMENT_METHODS
from app.timeutil import utc_now

SNAPSHOTS = DailyAnalyticsSnapshot.__table__
# Up to this many days, per-customer and per-session figures look only at who was active in
# the range; beyond it one pass over the whole table is cheaper. Both give the same rows.
NARROW_RANGE_DAYS = 45
STREAMS = RevenueStream.__table__
BUYERS = DailyBuyers.__table__
METHODS = PaymentMethodDaily.__table__


def rebuild_daily(
    session: Session, days: DateRange, *, session_days: Collection[date] | None = None
) -> int:
    """Recompute the snapshot, channel and payment rows of the range; re-running writes the
    same rows.

    Rows are written for the days with anything on them, and for the days that have rows
    already (they may have fallen to zero): a range of decades with a few orders costs a few
    rows, and a day without a row reads as zero everywhere.

    `session_days`: the days whose visits changed; the others keep the session figures their
    snapshot holds (None: recount the visits of every day of the range).
    """
    by_channel = _sales_by_day_and_channel(session, days)
    refunds = _refunds_by_day_and_channel(session, days)
    buyers = _buyers_by_day(session, days)
    customers = {day: len(blob) // ID.itemsize for day, blob in buyers.items()}
    new_customers = _new_customers_by_day(session, days)
    sessions = _sessions(session, days, session_days)
    payments = _payments_by_day_and_method(session, days)
    written = {day for day, _ in (*by_channel, *refunds, *payments)}
    written |= set(customers) | set(new_customers) | {d for d, v in sessions.items() if any(v)}
    written |= _days_with_rows(session, days)
    now = utc_now()
    snapshots, streams = [], []
    for day in sorted(written):
        totals = defaultdict(int)
        for channel in CHANNELS:
            sales = by_channel.get((day, channel), _NO_SALES)
            refunded = refunds.get((day, channel), 0)
            streams.append(_stream_row(day, channel, sales, refunded))
            for name, value in zip(_SALES_FIELDS, sales, strict=True):
                totals[name] += value
            totals["refunds"] += refunded
        entered, converted = sessions.get(day, (0, 0))
        snapshots.append(
            _snapshot_row(
                day,
                totals,
                customers.get(day, 0),
                new_customers.get(day, 0),
                entered,
                converted,
                now,
            )
        )
    methods = [
        {"business_date": day, "method": method, **payments.get((day, method), _NO_PAYMENTS)}
        for day in sorted(written)
        for method in PAYMENT_METHODS
    ]
    buyer_rows = [
        {
            "business_date": day,
            "customer_ids": buyers.get(day, b""),
            "buyers": customers.get(day, 0),
            "updated_at": now,
        }
        for day in sorted(written)
    ]
    upsert_rows(session, SNAPSHOTS, snapshots, ["business_date"])
    upsert_rows(session, BUYERS, buyer_rows, ["business_date"])
    upsert_rows(session, STREAMS, streams, ["business_date", "channel"])
    upsert_rows(session, METHODS, methods, ["business_date", "method"])
    return len(snapshots) + len(streams) + len(methods)


_NO_PAYMENTS = {"orders": 0, "amount": 0}


def _days_with_rows(session: Session, days: DateRange) -> set[date]:
    return set(
        session.scalars(
            sa.select(SNAPSHOTS.c.business_date).where(_in_range(SNAPSHOTS.c.business_date, days))
        )
    )


_SALES_FIELDS = ("orders", "gross", "discounts", "tax", "shipping")
_NO_SALES = (0, 0, 0, 0, 0)


def _stream_row(day: date, channel: str, sales: tuple, refunded: int) -> dict:
    orders, gross, discounts, _tax, _shipping = sales
    return {
        "business_date": day,
        "channel": channel,
        "gross": gross,
        "discounts": discounts,
        "refunds": refunded,
        "amount": gross - discounts - refunded,
        "transaction_count": orders,
    }


def _snapshot_row(day, totals, customers, new_customers, sessions, converted, now) -> dict:
    sales = totals["gross"] - totals["discounts"]
    return {
        "business_date": day,
        "orders": totals["orders"],
        "gross": totals["gross"],
        "discounts": totals["discounts"],
        "refunds": totals["refunds"],
        "net_revenue": sales - totals["refunds"],
        "tax": totals["tax"],
        "shipping": totals["shipping"],
        "customers": customers,
        "new_customers": new_customers,
        "returning_customers": customers - new_customers,
        "aov": round_half_up(sales, totals["orders"]),
        "sessions": sessions,
        "converted_sessions": converted,
        "conversion_rate": converted / sessions if sessions else 0.0,
        "updated_at": now,
    }


def round_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded half away from zero, for money averages in minor units."""
    if denominator == 0:
        return 0
    quotient, remainder = divmod(abs(numerator), denominator)
    rounded = quotient + (1 if 2 * remainder >= denominator else 0)
    return rounded if numerator >= 0 else -rounded


def _in_range(column, days: DateRange):
    return column.between(days.start, days.end)


def _sales_by_day_and_channel(session: Session, days: DateRange) -> dict:
    rows = session.execute(
        sa.select(
            Order.business_date,
            Order.channel,
            sa.func.count(),
            sa.func.sum(Order.subtotal),
            sa.func.sum(Order.discount),
            sa.func.sum(Order.tax),
            sa.func.sum(Order.shipping),
        )
        .where(_in_range(Order.business_date, days), counted(Order.status))
        .group_by(Order.business_date, Order.channel)
    )
    return {(day, channel): tuple(int(v) for v in values) for day, channel, *values in rows}


def _refunds_by_day_and_channel(session: Session, days: DateRange) -> dict:
    rows = session.execute(
        sa.select(Refund.business_date, Order.channel, sa.func.sum(Refund.amount))
        .join(Order, Order.id == Refund.order_id)
        .where(_in_range(Refund.business_date, days))
        .group_by(Refund.business_date, Order.channel)
    )
    return {(day, channel): int(amount) for day, channel, amount in rows}


def _buyers_by_day(session: Session, days: DateRange) -> dict[date, bytes]:
    """Each day's distinct buyers, encoded as DailyBuyers keeps them (their count is the
    snapshot's `customers`)."""
    buyers = (
        sa.select(Order.business_date, Order.customer_id)
        .where(
            _in_range(Order.business_date, days),
            counted(Order.status),
            Order.customer_id.is_not(None),
        )
        .distinct()
    )
    if session.get_bind().dialect.name == "postgresql":
        return _buyers_as_bytes(session, buyers.subquery("buyers"))
    rows = session.execute(buyers.execution_options(yield_per=50_000))
    found: dict[date, list[int]] = defaultdict(list)
    for day, customer_id in rows:
        found[day].append(customer_id)
    return {day: encode(ids) for day, ids in found.items()}


def _buyers_as_bytes(session: Session, buyers: sa.Subquery) -> dict[date, bytes]:
    """PostgreSQL joins each day's ids into one bytea (4 big-endian bytes each): one row a
    day instead of a Python object a buyer (0.9 s against 3.2 s for two years at 1M)."""
    joined = sa.func.string_agg(sa.func.int4send(buyers.c.customer_id), sa.literal(b""))
    rows = session.execute(
        sa.select(buyers.c.business_date, joined).group_by(buyers.c.business_date)
    )
    return {
        day: np.sort(np.frombuffer(blob, dtype=">i4")).astype(ID).tobytes() for day, blob in rows
    }


def first_purchase(buyer) -> sa.ColumnElement[bool]:
    """True for a counted order whose customer has no counted order on an earlier business day
    (an index probe per buyer; grouping every order of each buyer would read their history)."""
    earlier = aliased(Order)
    return ~(
        sa.select(sa.literal(1))
        .where(
            earlier.customer_id == buyer.customer_id,
            counted(earlier.status),
            earlier.business_date < buyer.business_date,
        )
        .exists()
    )


def _new_customers_by_day(session: Session, days: DateRange) -> dict:
    """Customers whose first counted order fell on the day."""
    if days.days <= NARROW_RANGE_DAYS:  # the range's buyers with no earlier counted order
        rows = session.execute(
            sa.select(Order.business_date, sa.func.count(sa.distinct(Order.customer_id)))
            .where(
                _in_range(Order.business_date, days),
                counted(Order.status),
                Order.customer_id.is_not(None),
                first_purchase(Order),
            )
            .group_by(Order.business_date)
        )
        return dict(rows.all())
    first_orders = (
        sa.select(sa.func.min(Order.business_date).label("first_day"))
        .where(counted(Order.status))
        .group_by(Order.customer_id)
    ).subquery()
    rows = session.execute(
        sa.select(first_orders.c.first_day, sa.func.count())
        .where(_in_range(first_orders.c.first_day, days))
        .group_by(first_orders.c.first_day)
    )
    return dict(rows.all())


def _sessions(session: Session, days: DateRange, recount: Collection[date] | None) -> dict:
    """Visits per entry day: recounted where they changed, else as the snapshots hold them.

    Days of the range without a snapshot yet are counted afresh.
    """
    if recount is None:
        return sessions_by_entry_day(session, days)
    stored = {
        day: (int(entered), int(converted))
        for day, entered, converted in session.execute(
            sa.select(
                SNAPSHOTS.c.business_date, SNAPSHOTS.c.sessions, SNAPSHOTS.c.converted_sessions
            ).where(_in_range(SNAPSHOTS.c.business_date, days))
        )
    }
    wanted = {day for day in days if day not in stored} | {day for day in recount if day in days}
    if wanted:
        counted_again = sessions_by_entry_day(session, DateRange(min(wanted), max(wanted)))
        for day in wanted:
            stored[day] = counted_again.get(day, (0, 0))
    return stored


def sessions_by_entry_day(session: Session, days: DateRange, until: datetime | None = None) -> dict:
    """Visitor sessions counted on the day of their first page view, and how many bought.

    Orders with no tracked visit get a purchase event but no page view: they are not sessions,
    so a shop that tracks nothing shows no conversion rate rather than 100%. `until` (UTC)
    counts only the events before that instant ("today so far").
    """
    is_view = ConversionEvent.event_type == "page_view"
    per_session = sa.select(
        sa.func.min(sa.case((is_view, ConversionEvent.business_date))).label("entered"),
        sa.func.max(sa.case((ConversionEvent.event_type == "purchase", 1), else_=0)).label(
            "bought"
        ),
    ).group_by(ConversionEvent.session_id)
    before = [] if until is None else [ConversionEvent.occurred_at < until]
    per_session = per_session.where(*before)
    if days.days <= NARROW_RANGE_DAYS:  # only the sessions with an event in the range
        touched = sa.select(ConversionEvent.session_id).where(
            _in_range(ConversionEvent.business_date, days), *before
        )
        per_session = per_session.where(ConversionEvent.session_id.in_(touched.scalar_subquery()))
    per_session = per_session.subquery()
    rows = session.execute(
        sa.select(per_session.c.entered, sa.func.count(), sa.func.sum(per_session.c.bought))
        .where(_in_range(per_session.c.entered, days))
        .group_by(per_session.c.entered)
    )
    return {day: (int(entered), int(bought)) for day, entered, bought in rows}


def _payments_by_day_and_method(session: Session, days: DateRange) -> dict:
    """(day, method) → counted orders and amount paid, where anything was paid."""
    paid = session.execute(
        sa.select(
            Order.business_date,
            Payment.method,
            sa.func.count(sa.distinct(Order.id)),
            sa.func.sum(Payment.amount),
        )
        .join(Order, Order.id == Payment.order_id)
        .where(_in_range(Order.business_date, days), counted(Order.status))
        .group_by(Order.business_date, Payment.method)
    )
    return {
        (day, method): {"orders": orders, "amount": int(amount)}
        for day, method, orders, amount in paid
    }
