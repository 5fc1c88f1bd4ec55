"""Property: over random order histories the refreshed figures equal a full recompute.

Histories put orders around local midnight on both daylight-saving changes of a New York shop,
complete, cancel and refund them in separate transactions, with refresher passes at random
points between them, and then compare three things: the refreshed figures, a full recompute
from the commerce tables, and a plain Python sum.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.analytics.customers import REAL_TIME_COLUMNS, refresh_customer_metrics
from app.analytics.daily import rebuild_daily
from app.analytics.periods import DateRange
from app.extensions import db
from app.models import (
    Customer,
    CustomerMetrics,
    DailyAnalyticsSnapshot,
    Order,
    Refund,
    RevenueStream,
)
from app.models.enums import CHANNELS
from tests.conftest import wipe
from tests.refresh import refresh

ZONE = ZoneInfo("America/New_York")
DST_DAYS = [
    date(2026, 3, 7),
    date(2026, 3, 8),
    date(2026, 3, 9),
    date(2026, 10, 31),
    date(2026, 11, 1),
]
FATES = [
    "pending",
    "completed",
    "cancelled",
    "completed_then_cancelled",
    "pending_then_completed",
    "refund_partial",
    "refund_full",
    "refund_twice",
]

order_spec = st.fixed_dictionaries(
    {
        "day": st.sampled_from(DST_DAYS),
        "minutes_from_midnight": st.integers(-150, 150),
        "subtotal": st.integers(0, 40_000),
        "discount_percent": st.integers(0, 100),
        "channel": st.sampled_from(CHANNELS),
        "customer": st.integers(0, 3),
        "fate": st.sampled_from(FATES),
        "refund_after_minutes": st.integers(1, 3 * 24 * 60),
        "refresh_before_fate": st.booleans(),
    }
)


def local_instant(day: date, minutes: int) -> datetime:
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=ZONE)
    return (midnight + timedelta(minutes=minutes)).astimezone(UTC)


def apply_history(specs: list[dict]) -> None:
    customers = [
        Customer(external_id=f"C{n}", created_at=datetime(2026, 1, 1, tzinfo=UTC)) for n in range(4)
    ]
    db.session.add_all(customers)
    db.session.commit()
    for number, spec in enumerate(specs):
        placed = local_instant(spec["day"], spec["minutes_from_midnight"])
        discount = spec["subtotal"] * spec["discount_percent"] // 100
        starts_completed = spec["fate"] not in ("pending", "pending_then_completed", "cancelled")
        order = Order(
            external_id=f"O{number}",
            customer_id=customers[spec["customer"]].id,
            placed_at=placed,
            completed_at=placed if starts_completed else None,
            status="completed" if starts_completed else "pending",
            channel=spec["channel"],
            subtotal=spec["subtotal"],
            discount=discount,
            total=spec["subtotal"] - discount,
        )
        db.session.add(order)
        db.session.commit()
        if spec["refresh_before_fate"]:
            refresh()
        apply_fate(order, spec, placed)


def apply_fate(order: Order, spec: dict, placed: datetime) -> None:
    fate, merchandise = spec["fate"], order.subtotal - order.discount
    refund_at = placed + timedelta(minutes=spec["refund_after_minutes"])
    if fate == "cancelled" or fate == "completed_then_cancelled":
        order.status = "cancelled"
    elif fate == "pending_then_completed":
        order.status, order.completed_at = "completed", placed + timedelta(minutes=5)
    elif fate.startswith("refund") and merchandise > 0:
        first = merchandise if fate == "refund_full" else max(1, merchandise // 3)
        db.session.add(Refund(order_id=order.id, amount=first, refunded_at=refund_at))
        if fate == "refund_full":
            order.status = "refunded"
        if fate == "refund_twice" and merchandise - first > 0:
            db.session.commit()
            db.session.add(
                Refund(
                    order_id=order.id,
                    amount=merchandise - first,
                    refunded_at=refund_at + timedelta(hours=20),
                )
            )
    db.session.commit()


def expected_net_by_day(specs: list[dict]) -> Counter:
    """Independent arithmetic: what each shop-local day's net revenue must be."""
    net: Counter = Counter()
    orders = db.session.scalars(sa.select(Order)).all()
    for order in orders:
        if order.status in ("completed", "refunded"):
            net[order.placed_at.astimezone(ZONE).date()] += order.subtotal - order.discount
    for refund in db.session.scalars(sa.select(Refund)):
        net[refund.refunded_at.astimezone(ZONE).date()] -= refund.amount
    return net


def figures() -> dict:
    db.session.expire_all()
    snapshot_columns = [
        c for c in DailyAnalyticsSnapshot.__table__.c if c.name not in ("id", "updated_at")
    ]
    stream_columns = [c for c in RevenueStream.__table__.c if c.name != "id"]
    metric_columns = [CustomerMetrics.__table__.c[name] for name in REAL_TIME_COLUMNS]
    # Days with nothing left on them may be absent or all zero: compare only days with activity.
    return {
        "snapshots": {
            tuple(row) for row in db.session.execute(sa.select(*snapshot_columns)) if any(row[1:])
        },
        "streams": {
            tuple(row) for row in db.session.execute(sa.select(*stream_columns)) if any(row[2:])
        },
        # The nightly refresh gives every customer a row; real time only those who bought.
        "customers": {
            tuple(row) for row in db.session.execute(sa.select(*metric_columns)) if any(row[1:4])
        },
    }


SPRING = DateRange(date(2026, 3, 5), date(2026, 3, 13))
AUTUMN = DateRange(date(2026, 10, 29), date(2026, 11, 6))


def recompute() -> None:
    for days in (SPRING, AUTUMN):
        rebuild_daily(db.session, days)
    refresh_customer_metrics(db.session, as_of=AUTUMN.end)
    db.session.commit()


@pytest.fixture
def new_york_app(app, make_app):  # `app` wipes the tables afterwards
    return make_app(SHOP_TIMEZONE="America/New_York")


# The app is shared by the examples on purpose: each example wipes the tables first.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=st.lists(order_spec, min_size=1, max_size=10))
def test_refreshed_figures_equal_a_full_recompute_and_the_orders(new_york_app, specs):
    with new_york_app.app_context():
        with db.engine.begin() as connection:
            wipe(connection)
        apply_history(specs)
        refresh()
        live = figures()

        recompute()
        recomputed = figures()
        assert recomputed == live

        snapshots = db.session.execute(
            sa.select(DailyAnalyticsSnapshot.business_date, DailyAnalyticsSnapshot.net_revenue)
        )
        reported = Counter({day: net for day, net in snapshots if net})
        assert reported == Counter(
            {day: net for day, net in expected_net_by_day(specs).items() if net}
        )

        recompute()
        assert figures() == recomputed
        db.session.remove()
