"""The dashboard bundle: KPIs beside the previous period, channels and segments."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.analytics.customers import refresh_customer_metrics
from app.analytics.dashboard import (
    daily_series,
    dashboard_kpis,
    revenue_by_channel,
    segment_summary,
)
from app.analytics.periods import DateRange
from app.extensions import db
from app.models.enums import CHANNELS, SEGMENTS
from tests.factories import CustomerFactory, OrderFactory, RefundFactory
from tests.refresh import refresh

WEEK = DateRange(date(2026, 3, 8), date(2026, 3, 14))


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_previous_period_is_the_same_length_just_before():
    assert WEEK.previous() == DateRange(date(2026, 3, 1), date(2026, 3, 7))
    assert WEEK.days == 7
    with pytest.raises(ValueError):
        DateRange(date(2026, 3, 2), date(2026, 3, 1))


def test_kpis_and_their_change_against_the_previous_week(app):
    regular = CustomerFactory()
    OrderFactory(customer=regular, subtotal=10_000, placed_at=at(3))
    OrderFactory(customer=regular, subtotal=12_000, discount=2_000, placed_at=at(9))
    big = OrderFactory(subtotal=20_000, placed_at=at(10))
    OrderFactory(customer=big.customer, subtotal=4_000, placed_at=at(11))
    RefundFactory(order=big, amount=5_000, refunded_at=at(12))
    refresh()
    comparison = dashboard_kpis(db.session, WEEK)
    now, before = comparison.current, comparison.previous
    assert (now.orders, now.gross, now.discounts, now.refunds) == (3, 36_000, 2_000, 5_000)
    assert now.net_revenue == 29_000
    assert now.aov == 11_333  # (36,000 − 2,000) / 3, rounded
    assert (now.customers, now.new_customers, now.returning_customers) == (2, 1, 1)
    assert (before.orders, before.net_revenue) == (1, 10_000)
    assert comparison.change("net_revenue") == pytest.approx(1.9)
    assert comparison.changes()["sessions"] is None  # nothing to compare with


def test_channel_revenue_lists_all_seven_and_adds_up(app):
    OrderFactory(subtotal=3_000, channel="pos", placed_at=at(9))
    OrderFactory(subtotal=1_000, channel="web", placed_at=at(10))
    refresh()
    channels = revenue_by_channel(db.session, WEEK)
    assert [c.channel for c in channels] == list(CHANNELS)
    assert {c.channel: c.net_revenue for c in channels if c.net_revenue} == {
        "pos": 3_000,
        "web": 1_000,
    }
    assert sum(c.share for c in channels) == pytest.approx(1.0)
    assert (
        sum(c.net_revenue for c in channels) == dashboard_kpis(db.session, WEEK).current.net_revenue
    )


def test_daily_series_has_every_day_of_the_range(app):
    OrderFactory(subtotal=2_500, placed_at=at(10))
    refresh()
    series = daily_series(db.session, WEEK)
    assert [row.business_date for row in series] == list(WEEK)
    assert [row.net_revenue for row in series] == [0, 0, 2_500, 0, 0, 0, 0]


def test_segment_summary_covers_the_ten_segments(app):
    for subtotal in (1_000, 2_000, 3_000):
        OrderFactory(subtotal=subtotal)
    refresh_customer_metrics(db.session, as_of=date(2026, 3, 31))
    db.session.commit()
    summary = segment_summary(db.session)
    assert [row.segment for row in summary] == list(SEGMENTS)
    assert sum(row.customers for row in summary) == 3
    assert sum(row.revenue for row in summary) == 6_000


def test_the_distinct_customer_count_follows_every_change(app):
    """The days' kept buyers follow new, moved and cancelled orders once refreshed."""
    first = OrderFactory(placed_at=at(9))
    refresh()
    assert dashboard_kpis(db.session, WEEK).current.customers == 1
    second = OrderFactory(placed_at=at(10))
    refresh()
    assert dashboard_kpis(db.session, WEEK).current.customers == 2
    second.status = "cancelled"
    refresh()
    assert dashboard_kpis(db.session, WEEK).current.customers == 1
    first.placed_at = at(20)  # moves out of the week
    refresh()
    assert dashboard_kpis(db.session, WEEK).current.customers == 0


def test_a_campaign_runs_only_in_the_periods_its_schedule_overlaps(app):
    from app.analytics.dashboard import campaigns_running
    from tests.factories import CampaignFactory

    CampaignFactory(status="active", starts_on=date(2026, 3, 16), ends_on=None)  # next week
    CampaignFactory(status="completed", starts_on=date(2026, 2, 1), ends_on=date(2026, 3, 9))
    CampaignFactory(status="draft", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    assert campaigns_running(db.session, WEEK) == 1  # the one that ended on the 9th
    assert campaigns_running(db.session, DateRange(date(2026, 3, 16), date(2026, 3, 22))) == 1


def test_today_so_far_counts_only_what_happened_before_the_hour(app):
    """The partial day's KPIs cut orders, refunds and visits at the hour; with the cut at the
    day's end they equal the day's snapshot."""
    from app.analytics.dashboard import kpis, kpis_so_far
    from tests.factories import EventFactory

    regular = CustomerFactory()
    OrderFactory(customer=regular, subtotal=3_000, placed_at=at(2, 9))  # bought before
    early = OrderFactory(customer=regular, subtotal=10_000, discount=1_000, placed_at=at(9, 8))
    newcomer = OrderFactory(subtotal=4_000, placed_at=at(9, 10))
    OrderFactory(subtotal=7_000, placed_at=at(9, 15))  # after the cut
    OrderFactory(subtotal=9_000, placed_at=at(9, 9), status="cancelled")  # not counted
    RefundFactory(order=early, amount=2_000, refunded_at=at(9, 11))
    RefundFactory(order=early, amount=500, refunded_at=at(9, 16))  # after the cut
    EventFactory(session_id="s1", occurred_at=at(9, 7))
    EventFactory(session_id="s1", event_type="purchase", occurred_at=at(9, 8))
    EventFactory(session_id="s2", occurred_at=at(9, 9))
    EventFactory(session_id="s2", event_type="purchase", occurred_at=at(9, 14))  # bought later
    EventFactory(session_id="s3", occurred_at=at(9, 13))  # came later
    db.session.flush()
    so_far = kpis_so_far(db.session, date(2026, 3, 9), at(9, 12))
    assert (so_far.orders, so_far.gross, so_far.discounts) == (2, 14_000, 1_000)
    assert so_far.refunds == 2_000 and so_far.net_revenue == 11_000
    assert so_far.aov == 6_500
    assert (so_far.customers, so_far.new_customers) == (2, 1)  # newcomer's first order
    assert newcomer.customer_id != regular.id
    assert (so_far.sessions, so_far.conversion_rate) == (2, 0.5)
    refresh()
    whole_day = kpis_so_far(db.session, date(2026, 3, 9), datetime(2026, 3, 10, tzinfo=UTC))
    assert whole_day == kpis(db.session, DateRange(date(2026, 3, 9), date(2026, 3, 9)))


def test_distinct_buyers_of_any_range_equal_a_distinct_count_over_the_orders(app):
    """Customers buying on several days count once; guests and cancelled orders not at all."""
    from app.analytics.buyers import distinct_buyers

    customers = [CustomerFactory() for _ in range(12)]
    for n in range(60):
        customer = customers[(n * 7) % 12] if n % 9 else None  # every ninth order a guest
        status = "cancelled" if n % 11 == 0 else "completed"
        OrderFactory(customer=customer, placed_at=at(1 + n % 28), status=status)
    refresh()
    count = sa.text(
        "SELECT count(DISTINCT customer_id) FROM orders WHERE business_date BETWEEN :s AND :e"
        " AND status IN ('completed', 'refunded')"
    )
    for first in range(1, 29, 3):
        for last in range(first, 29, 4):
            days = DateRange(date(2026, 3, first), date(2026, 3, last))
            expected = db.session.scalar(count, {"s": days.start, "e": days.end})
            assert distinct_buyers(db.session, days) == expected, days
