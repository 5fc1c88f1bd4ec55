"""Campaign ROI, the funnel and cohort retention, each against hand-computed values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.analytics.campaigns import (
    campaign_summaries,
    daily_spend,
    rebuild_campaign_performance,
    roi,
)
from app.analytics.cohorts import cohort_retention, rebuild_cohorts
from app.analytics.funnel import conversion_funnel, funnel_summary, rebuild_funnel
from app.analytics.periods import DateRange
from app.extensions import db
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    EventFactory,
    OrderFactory,
    RefundFactory,
)

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))


def test_roi_is_net_revenue_over_spend_plus_discount_cost():
    assert roi(net_revenue=30_000, spend=10_000, discount_cost=5_000) == pytest.approx(1.0)
    assert roi(net_revenue=0, spend=0, discount_cost=0) is None


def test_campaign_performance_attributes_orders_refunds_and_spend(app):
    campaign = CampaignFactory(spend=31_000, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    first = OrderFactory(
        subtotal=20_000, discount=2_000, campaign_id=campaign.id, coupon_code=campaign.code
    )
    OrderFactory(subtotal=10_000, discount=1_000, campaign_id=campaign.id, customer=first.customer)
    OrderFactory(subtotal=50_000, discount=5_000, campaign_id=campaign.id, status="cancelled")
    RefundFactory(order=first, amount=3_000, refunded_at=datetime(2026, 3, 12, 9, tzinfo=UTC))
    OrderFactory(subtotal=99_000)  # no campaign
    rebuild_campaign_performance(db.session, MARCH)
    db.session.commit()
    (summary,) = campaign_summaries(db.session)
    assert (summary.orders, summary.conversions, summary.discount_cost) == (2, 1, 3_000)
    assert summary.revenue == 18_000 + 9_000 - 3_000
    assert summary.roi == pytest.approx((24_000 - (31_000 + 3_000)) / (31_000 + 3_000))
    assert daily_spend(campaign, date(2026, 3, 10)) == 1_000
    assert campaign_summaries(db.session, status="draft") == []


def session_path(session_id: str, steps: list[str], start: datetime, gap: timedelta) -> None:
    for index, step in enumerate(steps):
        EventFactory(session_id=session_id, event_type=step, occurred_at=start + gap * index)


def test_funnel_counts_steps_in_order_within_the_window(app):
    start = datetime(2026, 3, 10, 10, tzinfo=UTC)
    full = ["page_view", "product_view", "add_to_cart", "checkout", "purchase"]
    session_path("bought-fast", full, start, timedelta(minutes=5))
    session_path("bought-slow", full, start, timedelta(minutes=15))
    session_path("cart-only", full[:3], start, timedelta(minutes=1))
    session_path("bounced", full[:1], start, timedelta(minutes=1))
    # Cart on day 10 is inside the 14-day window; checkout on day 15 is not.
    session_path("too-late", full, start, timedelta(days=5))
    # Checkout came before the cart: that checkout is out of order, so the session stops at cart.
    session_path(
        "out-of-order",
        ["page_view", "product_view", "checkout", "add_to_cart"],
        start,
        timedelta(minutes=1),
    )
    session_path("entered-in-april", full, datetime(2026, 4, 2, tzinfo=UTC), timedelta(minutes=1))
    funnel = conversion_funnel(db.session, MARCH, window_days=14)
    assert [step.sessions for step in funnel.steps] == [6, 5, 5, 2, 2]
    assert [step.drop_off for step in funnel.steps] == [0, 1, 0, 3, 0]
    assert funnel.steps[-1].overall_conversion == pytest.approx(2 / 6)
    assert funnel.steps[3].step_conversion == pytest.approx(2 / 5)
    assert funnel.median_seconds_to_convert == pytest.approx((20 + 60) / 2 * 60)


def test_cohort_cells_are_shares_of_the_first_month_and_the_running_month_is_marked(app):
    january, february = CustomerFactory(), CustomerFactory()
    for customer, months in [(january, [1, 2, 3]), (february, [2])]:
        for month in months:
            OrderFactory(customer=customer, placed_at=datetime(2026, month, 5, 12, tzinfo=UTC))
    OrderFactory(placed_at=datetime(2026, 1, 20, 12, tzinfo=UTC))  # a January one-off buyer
    rebuild_cohorts(db.session)
    db.session.commit()
    cohorts = {c.month: c for c in cohort_retention(db.session, as_of=date(2026, 3, 15), months=3)}
    jan = cohorts[date(2026, 1, 1)]
    assert jan.size == 2
    assert [cell.retention for cell in jan.cells] == [1.0, 0.5, 0.5]
    assert [cell.incomplete for cell in jan.cells] == [False, False, True]
    feb = cohorts[date(2026, 2, 1)]
    assert [(cell.customers, cell.incomplete) for cell in feb.cells] == [(1, False), (0, True)]


def test_nightly_funnel_tables_agree_with_the_live_funnel(app):
    start = datetime(2026, 3, 10, 10, tzinfo=UTC)
    full = ["page_view", "product_view", "add_to_cart", "checkout", "purchase"]
    session_path("fast", full, start, timedelta(minutes=5))
    session_path("slow", full, start + timedelta(days=1), timedelta(minutes=15))
    session_path("cart", full[:3], start, timedelta(minutes=1))
    session_path("bounce", full[:1], start + timedelta(days=2), timedelta(minutes=1))
    rebuild_funnel(db.session, MARCH)
    db.session.commit()
    live = conversion_funnel(db.session, MARCH)
    stored = funnel_summary(db.session, MARCH)
    assert [s.sessions for s in stored.steps] == [s.sessions for s in live.steps] == [4, 3, 3, 2, 2]
    assert stored.median_seconds_to_convert == live.median_seconds_to_convert == 40 * 60
    web_only = funnel_summary(db.session, MARCH, channel="web")
    assert web_only.steps[0].sessions == 4
    assert funnel_summary(db.session, MARCH, channel="pos").steps[0].sessions == 0


def test_a_month_ending_on_its_last_day_is_complete(app):
    OrderFactory(placed_at=datetime(2026, 3, 5, 12, tzinfo=UTC))
    rebuild_cohorts(db.session)
    db.session.commit()
    (march,) = cohort_retention(db.session, as_of=date(2026, 3, 31), months=1)
    assert [cell.incomplete for cell in march.cells] == [False]
