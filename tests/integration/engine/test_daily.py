"""Daily snapshots and channel revenue: kept by the refresher from every write, and recomputed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.analytics.daily import rebuild_daily, round_half_up
from app.analytics.periods import DateRange
from app.extensions import db
from app.models import ConversionEvent, DailyAnalyticsSnapshot, Order, RevenueStream, StaleKey
from tests.factories import CustomerFactory, EventFactory, OrderFactory, RefundFactory
from tests.refresh import refresh

DAY = date(2026, 3, 10)


def snapshot(day: date = DAY) -> DailyAnalyticsSnapshot:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(DailyAnalyticsSnapshot).where(DailyAnalyticsSnapshot.business_date == day)
    )


def channel_amounts(day: date = DAY) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(RevenueStream.channel, RevenueStream.amount).where(
            RevenueStream.business_date == day
        )
    )
    return dict(rows.all())


def test_completed_order_moves_the_days_figures_once_refreshed(app):
    OrderFactory(subtotal=10_000, discount=1_000, tax=720, shipping=599, channel="web")
    assert snapshot() is None  # the write only marked its day stale
    assert refresh() > 0
    day = snapshot()
    assert (day.orders, day.gross, day.discounts, day.net_revenue) == (1, 10_000, 1_000, 9_000)
    assert (day.tax, day.shipping, day.aov) == (720, 599, 9_000)
    assert channel_amounts()["web"] == 9_000


def test_pending_and_cancelled_orders_never_count(app):
    OrderFactory(subtotal=5_000, status="pending")
    OrderFactory(subtotal=7_000, status="cancelled")
    refresh()
    day = snapshot()
    assert day is None or (day.orders, day.net_revenue) == (0, 0)


def test_refund_reduces_net_revenue_on_the_refund_date_not_the_order_date(app):
    order = OrderFactory(subtotal=10_000)
    RefundFactory(order=order, amount=2_500, refunded_at=datetime(2026, 3, 15, 12, tzinfo=UTC))
    refresh()
    assert snapshot(DAY).net_revenue == 10_000
    refund_day = snapshot(date(2026, 3, 15))
    assert (refund_day.refunds, refund_day.net_revenue, refund_day.orders) == (2_500, -2_500, 0)
    assert channel_amounts(date(2026, 3, 15))["web"] == -2_500


def test_the_seven_channels_add_up_to_the_days_net_revenue(app):
    for channel, subtotal in [("web", 1_000), ("pos", 2_000), ("social", 3_300)]:
        OrderFactory(subtotal=subtotal, channel=channel)
    refunded = OrderFactory(subtotal=4_000, channel="marketplace")
    RefundFactory(order=refunded, amount=1_500, refunded_at=datetime(2026, 3, 10, 18, tzinfo=UTC))
    refresh()
    amounts = channel_amounts()
    assert len(amounts) == 7
    assert sum(amounts.values()) == snapshot().net_revenue == 1_000 + 2_000 + 3_300 + 4_000 - 1_500


def test_saving_a_completed_order_again_counts_nothing_twice(app):
    order = OrderFactory(subtotal=8_000, status="pending", completed_at=None)
    order.status, order.completed_at = "completed", datetime(2026, 3, 10, 13, tzinfo=UTC)
    db.session.commit()
    order.status = "completed"
    order.tax = 0
    db.session.commit()
    db.session.add(order)
    db.session.commit()
    refresh()
    refresh()  # nothing pending: the same figures
    assert (snapshot().orders, snapshot().net_revenue) == (1, 8_000)
    purchases = db.session.scalar(
        sa.select(sa.func.count()).where(ConversionEvent.order_id == order.id)
    )
    assert purchases == 1


def test_a_rolled_back_completion_leaves_nothing(app):
    order = OrderFactory(subtotal=8_000, status="pending", completed_at=None)
    order.status = "completed"
    db.session.flush()
    # Inside the transaction the day is marked stale, in the same transaction as the change.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaleKey)) > 0
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaleKey)) == 0
    assert db.session.get(Order, order.id).status == "pending"
    refresh()
    day = snapshot()
    assert day is None or day.orders == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConversionEvent)) == 0


def test_cancelling_a_completed_order_reverses_its_figures_and_purchase(app):
    order = OrderFactory(subtotal=6_000)
    refresh()
    assert snapshot().orders == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConversionEvent)) == 1
    order.status = "cancelled"
    db.session.commit()
    refresh()
    assert (snapshot().orders, snapshot().net_revenue) == (0, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConversionEvent)) == 0


def test_new_and_returning_customers(app):
    loyal = CustomerFactory()
    OrderFactory(customer=loyal, placed_at=datetime(2026, 3, 1, 10, tzinfo=UTC))
    OrderFactory(customer=loyal)
    OrderFactory(customer=loyal)  # two orders the same day: one customer
    OrderFactory()  # a first-time buyer
    refresh()
    day = snapshot()
    assert (day.customers, day.new_customers, day.returning_customers) == (2, 1, 1)


def test_sessions_are_counted_on_entry_and_conversion_is_their_share_that_bought(app):
    buyer = OrderFactory(subtotal=1_000)  # counted: its purchase stands
    EventFactory(
        session_id="s1", event_type="page_view", occurred_at=datetime(2026, 3, 10, 11, tzinfo=UTC)
    )
    EventFactory(
        session_id="s2", event_type="page_view", occurred_at=datetime(2026, 3, 10, 11, tzinfo=UTC)
    )
    EventFactory(
        session_id="s3", event_type="page_view", occurred_at=datetime(2026, 3, 10, 23, tzinfo=UTC)
    )
    EventFactory(
        session_id="s3",
        event_type="product_view",
        occurred_at=datetime(2026, 3, 11, 0, 5, tzinfo=UTC),
    )
    EventFactory(
        session_id="s1",
        event_type="purchase",
        order_id=buyer.id,
        occurred_at=datetime(2026, 3, 10, 12, tzinfo=UTC),
    )
    refresh()
    day = snapshot()
    assert (day.sessions, day.converted_sessions) == (3, 1)
    assert day.conversion_rate == pytest.approx(1 / 3)
    assert snapshot(date(2026, 3, 11)) is None or snapshot(date(2026, 3, 11)).sessions == 0


def test_nightly_rebuild_corrects_drift_and_rerunning_changes_nothing(app):
    OrderFactory(subtotal=3_000)
    refresh()
    db.session.execute(sa.update(DailyAnalyticsSnapshot).values(net_revenue=1, orders=99))
    db.session.commit()
    rebuild_daily(db.session, DateRange(DAY, DAY))
    db.session.commit()
    first = snapshot()
    assert (first.orders, first.net_revenue) == (1, 3_000)
    rebuild_daily(db.session, DateRange(DAY, DAY))
    db.session.commit()
    assert (snapshot().orders, snapshot().net_revenue, snapshot().aov) == (1, 3_000, 3_000)


@pytest.mark.parametrize(
    ("total", "count", "expected"),
    [(1000, 3, 333), (1001, 2, 501), (5, 2, 3), (0, 0, 0), (-5, 2, -3)],
)
def test_money_averages_round_half_up(total, count, expected):
    assert round_half_up(total, count) == expected


def test_a_customers_first_order_moving_moves_the_new_customer_between_days(app):
    """Days far enough apart that no refresh recomputes both unless it is told to."""
    customer = CustomerFactory()
    march = OrderFactory(customer=customer)  # 10 March: a new customer that day
    refresh()
    assert snapshot().new_customers == 1
    january = OrderFactory(customer=customer, placed_at=datetime(2026, 1, 2, 12, tzinfo=UTC))
    refresh()  # the customer's first order is now in January
    assert (snapshot(date(2026, 1, 2)).new_customers, snapshot().new_customers) == (1, 0)
    assert snapshot().returning_customers == 1
    january.status = "cancelled"
    refresh()  # and back in March
    assert (snapshot(date(2026, 1, 2)).new_customers, snapshot().new_customers) == (0, 1)
    assert march.status == "completed"
