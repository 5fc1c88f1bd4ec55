"""Customer metrics: lifetime value, RFM quintiles and segments, churn risk, loyalty, referrals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.analytics.customer_reports import customer_list
from app.analytics.customers import SEGMENT_RULES, refresh_customer_metrics, segment_for
from app.extensions import db
from app.models import CustomerMetrics, CustomerPrediction, LoyaltyAccount, Referral
from app.models.enums import SEGMENTS
from tests.factories import CustomerFactory, OrderFactory, RefundFactory
from tests.refresh import refresh

AS_OF = date(2026, 3, 31)


def metrics(customer) -> CustomerMetrics:
    db.session.expire_all()
    return db.session.get(CustomerMetrics, customer.id)


def churn_risk(customer) -> float | None:
    return db.session.scalar(
        sa.select(CustomerPrediction.churn_risk).where(
            CustomerPrediction.customer_id == customer.id
        )
    )


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 12, tzinfo=UTC)


def test_every_rf_cell_maps_to_exactly_one_of_the_ten_segments():
    cells = {(r, f): segment_for(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert set(cells.values()) == set(SEGMENTS)
    for r, f in cells:
        assert sum(r in rs and f in fs for rs, fs, _ in SEGMENT_RULES) == 1, (r, f)
    assert cells[(5, 5)] == "Champions" and cells[(1, 1)] == "Hibernating"
    assert cells[(5, 1)] == "New" and cells[(1, 5)] == "Can't lose"


def test_lifetime_value_is_net_revenue_to_date_within_seconds(app):
    customer = CustomerFactory()
    first = OrderFactory(customer=customer, subtotal=10_000, discount=1_000, placed_at=at(2))
    OrderFactory(customer=customer, subtotal=4_000, placed_at=at(9))
    OrderFactory(customer=customer, subtotal=9_999, status="cancelled", placed_at=at(10))
    RefundFactory(order=first, amount=500, refunded_at=at(12))
    refresh()
    row = metrics(customer)
    assert (row.orders_count, row.lifetime_value, row.aov) == (2, 12_500, 6_500)
    assert (row.first_order_at, row.last_order_at) == (at(2), at(9))
    assert (row.first_order_date, row.last_order_date) == (date(2026, 3, 2), date(2026, 3, 9))


def test_quintiles_rank_recency_frequency_and_money(app):
    customers = []
    for n in range(1, 11):  # customer n: n orders, last one n days before the end of March
        customer = CustomerFactory()
        for k in range(n):
            OrderFactory(
                customer=customer, subtotal=1_000 * n, placed_at=at(31 - n) - timedelta(days=k)
            )
        customers.append(customer)
    refresh_customer_metrics(db.session, as_of=AS_OF)
    db.session.commit()
    rows = [metrics(c) for c in customers]
    listed, _ = customer_list(db.session, "top", 0, 10, "recency_days", False, today=AS_OF)
    by_id = {row["profile_id"]: row["recency_days"] for row in listed}
    assert [by_id[c.id] for c in customers] == list(range(1, 11))  # counted at read time
    assert [row["profile_id"] for row in listed] == [c.id for c in customers]  # fewest days first
    assert [r.f_score for r in rows] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [r.r_score for r in rows] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert [r.m_score for r in rows] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [r.segment for r in rows] == [segment_for(r.r_score, r.f_score) for r in rows]
    assert rows[0].segment == "New" and rows[-1].segment == "Can't lose"


def test_equal_frequencies_are_split_by_rank_not_lumped(app):
    for _ in range(10):
        OrderFactory(subtotal=1_000)
    refresh_customer_metrics(db.session, as_of=AS_OF)
    db.session.commit()
    scores = db.session.scalars(
        sa.select(CustomerMetrics.f_score).order_by(CustomerMetrics.customer_id)
    ).all()
    assert sorted(scores) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_churn_risk_grows_with_time_overdue_against_the_customers_own_rhythm(app):
    regular = CustomerFactory()  # orders every 5 days, last on the 21st: 10 days = 2 intervals
    for day in (1, 6, 11, 16, 21):
        OrderFactory(customer=regular, placed_at=at(day))
    recent = CustomerFactory()
    for day in (20, 25, 30):
        OrderFactory(customer=recent, placed_at=at(day))
    lapsed = CustomerFactory()
    for day in (1, 2):
        OrderFactory(customer=lapsed, placed_at=at(day))
    refresh_customer_metrics(db.session, as_of=AS_OF)
    db.session.commit()
    assert churn_risk(regular) == pytest.approx(0.5)  # (10/5 − 1) / 2
    assert churn_risk(recent) == 0.0
    assert churn_risk(lapsed) == 1.0


def test_the_at_risk_list_holds_repeat_buyers_at_half_their_churn_risk_or_more(app):
    regular = CustomerFactory()  # churn risk 0.5, as above
    for day in (1, 6, 11, 16, 21):
        OrderFactory(customer=regular, placed_at=at(day), subtotal=2_000)
    lapsed = CustomerFactory()  # 1.0
    for day in (1, 2):
        OrderFactory(customer=lapsed, placed_at=at(day), subtotal=9_000)
    recent = CustomerFactory()  # 0.0
    for day in (20, 25, 30):
        OrderFactory(customer=recent, placed_at=at(day))
    once = CustomerFactory()  # one order long ago: at risk, but not a repeat buyer
    OrderFactory(customer=once, placed_at=at(1) - timedelta(days=300))
    refresh_customer_metrics(db.session, as_of=AS_OF)
    db.session.commit()
    assert churn_risk(once) == 1.0
    rows, total = customer_list(db.session, "at_risk", 0, 10, today=AS_OF)
    assert total == 2
    assert [(row["profile_id"], row["churn_risk"]) for row in rows] == [
        (lapsed.id, 1.0),  # by lifetime value, the largest first
        (regular.id, pytest.approx(0.5)),
    ]


@pytest.mark.parametrize("descending", [True, False])
def test_a_list_sorted_by_churn_risk_pages_the_unscored_buyers_last(app, descending):
    regular, lapsed, recent = CustomerFactory(), CustomerFactory(), CustomerFactory()
    for day in (1, 6, 11, 16, 21):
        OrderFactory(customer=regular, placed_at=at(day))
    for day in (1, 2):
        OrderFactory(customer=lapsed, placed_at=at(day))
    for day in (20, 25, 30):
        OrderFactory(customer=recent, placed_at=at(day))
    refresh_customer_metrics(db.session, as_of=AS_OF)
    db.session.commit()
    # Two buyers since the last scoring: their figures are in, their churn risk is not yet.
    newcomers = [CustomerFactory(), CustomerFactory()]
    for customer in newcomers:
        OrderFactory(customer=customer, placed_at=at(31))
    refresh(AS_OF)
    scored = [lapsed, regular, recent] if descending else [recent, regular, lapsed]
    expected = [c.id for c in scored] + sorted(c.id for c in newcomers)
    pages = [
        customer_list(db.session, "top", start, 2, "churn_risk", descending, today=AS_OF)
        for start in (0, 2, 4, 6)
    ]
    assert [total for _, total in pages] == [5] * 4
    assert [[row["profile_id"] for row in rows] for rows, _ in pages] == [
        expected[0:2],
        expected[2:4],
        expected[4:5],
        [],
    ]
    assert pages[2][0][0]["churn_risk"] is None


def test_customers_without_orders_have_figures_but_no_scores(app):
    quiet = CustomerFactory()
    OrderFactory()
    refresh_customer_metrics(db.session, as_of=AS_OF)
    db.session.commit()
    row = metrics(quiet)
    assert (row.orders_count, row.lifetime_value, row.segment) == (0, 0, None)
    assert churn_risk(quiet) is None


def test_loyalty_tier_and_referral_figures(app):
    referrer = CustomerFactory()
    friend = CustomerFactory(referred_by_id=referrer.id)
    db.session.add(
        LoyaltyAccount(
            customer_id=referrer.id,
            points_earned=900,
            points_redeemed=100,
            points_balance=800,
            tier="silver",
        )
    )
    db.session.add(Referral(referrer_id=referrer.id, referred_id=friend.id, referred_at=at(1)))
    db.session.commit()
    OrderFactory(customer=friend, subtotal=7_500)
    OrderFactory(customer=referrer, subtotal=1_000)
    refresh_customer_metrics(db.session, as_of=AS_OF)
    db.session.commit()
    row = metrics(referrer)
    assert (row.vip_tier, row.loyalty_points) == ("silver", 800)
    assert (row.referrals_count, row.referral_revenue) == (1, 7_500)
