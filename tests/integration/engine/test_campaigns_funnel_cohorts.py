"""Campaign ROI, the funnel and cohort retention, each against hand-computed values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.analytics.campaigns import (
    campaign_days,
    campaign_summaries,
    roi,
    spend_within,
)
from app.analytics.cohorts import cohort_retention, rebuild_cohorts
from app.analytics.funnel import (
    conversion_funnel,
    funnel_summary,
    rebuild_funnel,
    refresh_session_funnels,
)
from app.analytics.periods import DateRange
from app.extensions import db
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    EventFactory,
    OrderFactory,
    RefundFactory,
)
from tests.refresh import refresh

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))


APRIL_1 = date(2026, 4, 1)


def test_roi_is_net_revenue_less_spend_over_spend():
    # Net revenue is already after the discount: the discount is not a cost a second time.
    assert roi(net_revenue=30_000, spend=10_000) == pytest.approx(2.0)
    assert roi(net_revenue=0, spend=0) is None


def test_campaign_performance_attributes_orders_refunds_and_spend(app):
    campaign = CampaignFactory(spend=31_000, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    first = OrderFactory(
        subtotal=20_000, discount=2_000, campaign_id=campaign.id, coupon_code=campaign.code
    )
    OrderFactory(subtotal=10_000, discount=1_000, campaign_id=campaign.id, customer=first.customer)
    OrderFactory(subtotal=50_000, discount=5_000, campaign_id=campaign.id, status="cancelled")
    RefundFactory(order=first, amount=3_000, refunded_at=datetime(2026, 3, 12, 9, tzinfo=UTC))
    OrderFactory(subtotal=99_000)  # no campaign
    refresh(APRIL_1)
    (summary,) = campaign_summaries(db.session, today=APRIL_1)
    assert (summary.orders, summary.conversions, summary.discount_cost) == (2, 1, 3_000)
    assert summary.revenue == 18_000 + 9_000 - 3_000
    assert summary.roi == pytest.approx((24_000 - 31_000) / 31_000)
    assert summary.roas == pytest.approx(24_000 / 31_000)
    assert spend_within(campaign, DateRange(date(2026, 3, 10), date(2026, 3, 10)), APRIL_1) == 1_000
    assert campaign_summaries(db.session, status="draft", today=APRIL_1) == []


def test_buyers_are_distinct_over_the_period_not_summed_per_day(app):
    campaign = CampaignFactory(starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    regular = CustomerFactory()
    for day in (3, 4, 5):
        OrderFactory(
            customer=regular,
            campaign_id=campaign.id,
            placed_at=datetime(2026, 3, day, 12, tzinfo=UTC),
        )
    OrderFactory(campaign_id=campaign.id, placed_at=datetime(2026, 3, 5, 13, tzinfo=UTC))
    refresh(APRIL_1)
    (summary,) = campaign_summaries(db.session, today=APRIL_1)
    assert (summary.orders, summary.conversions) == (4, 2)
    per_day = [day.conversions for day in campaign_days(db.session, campaign.id, APRIL_1)]
    assert sum(per_day) == 4  # one buyer on the 3rd and 4th, two on the 5th
    (early,) = campaign_summaries(
        db.session, days=DateRange(date(2026, 3, 3), date(2026, 3, 4)), today=APRIL_1
    )
    assert (early.orders, early.conversions) == (2, 1)


@pytest.mark.parametrize("spend", [1_000, 1_003, 7, 0])
def test_the_days_spend_shares_add_up_to_the_spend_open_ended_or_not(app, spend):
    fixed = CampaignFactory(spend=spend, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 3))
    open_ended = CampaignFactory(spend=spend, starts_on=date(2026, 3, 28), ends_on=None)
    for campaign, days in ((fixed, 3), (open_ended, 5)):  # open-ended: the 28th to April 1
        shares = [day.spend for day in campaign_days(db.session, campaign.id, APRIL_1)]
        assert len(shares) == days and sum(shares) == spend
        assert max(shares) - min(shares) <= 1
        assert spend_within(campaign, None, APRIL_1) == spend


def test_roi_is_blank_before_a_campaign_starts(app):
    CampaignFactory(spend=5_000, starts_on=date(2026, 4, 10), ends_on=date(2026, 4, 20))
    (summary,) = campaign_summaries(db.session, today=APRIL_1)
    assert summary.started is False and summary.roi is None and summary.roas is None


def test_a_late_order_and_a_backdated_refund_reach_the_campaign_figures(app):
    campaign = CampaignFactory(starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    order = OrderFactory(subtotal=10_000, campaign_id=campaign.id)
    refresh(APRIL_1)
    # Weeks later: an order placed in March arrives, and a refund dated March 20.
    OrderFactory(
        subtotal=4_000, campaign_id=campaign.id, placed_at=datetime(2026, 3, 2, 9, tzinfo=UTC)
    )
    RefundFactory(order=order, amount=2_500, refunded_at=datetime(2026, 3, 20, 9, tzinfo=UTC))
    refresh(date(2026, 5, 1))
    (summary,) = campaign_summaries(db.session, today=date(2026, 5, 1))
    assert (summary.orders, summary.revenue) == (2, 10_000 + 4_000 - 2_500)
    rows = {d.business_date: d.revenue for d in campaign_days(db.session, campaign.id, APRIL_1)}
    assert rows[date(2026, 3, 2)] == 4_000 and rows[date(2026, 3, 20)] == -2_500


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
    refresh_session_funnels(db.session, None)
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
