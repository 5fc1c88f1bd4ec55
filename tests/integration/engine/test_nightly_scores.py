"""The nightly job rescores customers from one summary row each, never from all orders.

What it writes must equal a recompute from the orders (the summary is exact, at any cut-off,
with refunds, cancellations and several orders a day), and a row whose figures did not move
is not written again.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from app.analytics.clv import customer_summary, fit_shop, refresh_predictions
from app.analytics.customers import refresh_customer_metrics, rescore_customers
from app.extensions import db
from app.models import CustomerMetrics, CustomerPrediction, Order, StaleKey
from app.models.enums import COUNTED_STATUSES
from app.pipeline.jobs import nightly_keys, run_nightly
from tests.factories import CustomerFactory, OrderFactory, RefundFactory
from tests.refresh import refresh, settings

FIRST = date(2025, 1, 1)
DAYS = 420
METRICS = CustomerMetrics.__table__
PREDICTIONS = CustomerPrediction.__table__


def _moment(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def shop(app):
    """120 customers buying at their own pace: repeat days, two orders on one day, a few
    cancelled orders and refunds; some customers never buy."""
    rng = random.Random(7)
    for _ in range(120):
        customer = CustomerFactory()
        if rng.random() < 0.1:
            continue
        gap, basket = rng.choice((6, 15, 40, 90)), rng.randrange(1_500, 15_000)
        day = FIRST + timedelta(days=rng.randrange(150))
        leaves = day + timedelta(days=rng.randrange(20, DAYS))
        while day < min(leaves, FIRST + timedelta(days=DAYS)):
            status = "cancelled" if rng.random() < 0.08 else "completed"
            order = OrderFactory(
                customer=customer,
                placed_at=_moment(day, rng.randrange(8, 20)),
                subtotal=int(basket * rng.uniform(0.5, 1.5)),
                discount=rng.choice((0, 0, 500)),
                status=status,
            )
            if rng.random() < 0.15:  # a second order the same day
                OrderFactory(customer=customer, placed_at=_moment(day, 21), subtotal=2_500)
            if status == "completed" and rng.random() < 0.1:
                RefundFactory(order=order, amount=order.subtotal // 4, refunded_at=_moment(day, 22))
            day += timedelta(days=1 + int(rng.expovariate(1 / gap)))
    refresh()


def _summary_from_orders(as_of: date) -> dict[int, tuple]:
    """The oracle: (x, t_x, T, m) of each customer straight from the counted orders."""
    sales: dict[tuple[int, date], int] = {}
    for customer_id, day, subtotal, discount in db.session.execute(
        sa.select(Order.customer_id, Order.business_date, Order.subtotal, Order.discount).where(
            Order.status.in_(COUNTED_STATUSES), Order.business_date <= as_of
        )
    ):
        sales[(customer_id, day)] = sales.get((customer_id, day), 0) + subtotal - discount
    by_customer: dict[int, list[tuple[date, int]]] = {}
    for (customer_id, day), amount in sorted(sales.items()):
        by_customer.setdefault(customer_id, []).append((day, amount))
    result = {}
    for customer_id, days in by_customer.items():
        x = len(days) - 1
        first, last = days[0][0], days[-1][0]
        repeat = sum(amount for _, amount in days[1:])
        result[customer_id] = (
            x,
            (last - first).days / 7,
            (as_of - first).days / 7,
            repeat / 100 / x if x else 0.0,
        )
    return result


@pytest.mark.parametrize("cut", [30, 200, DAYS - 40, DAYS + 10])
def test_the_summary_equals_the_orders_at_any_cut_off(shop, cut):
    as_of = FIRST + timedelta(days=cut)
    summary = customer_summary(db.session, as_of, scale=0.01)
    expected = _summary_from_orders(as_of)
    assert summary.size == len(expected) > 0
    got = np.column_stack((summary.x, summary.t_x, summary.T, summary.monetary))
    want = np.array([expected[int(c)] for c in summary.customer_ids])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def _figures() -> dict[int, tuple]:
    """Each customer's metrics and predictions (None where the customer has none)."""
    columns = [c for c in METRICS.c if c.name != "updated_at"]
    predicted = [c for c in PREDICTIONS.c if c.name != "customer_id"]
    rows = db.session.execute(
        sa.select(*columns, *predicted)
        .select_from(
            METRICS.outerjoin(PREDICTIONS, PREDICTIONS.c.customer_id == METRICS.c.customer_id)
        )
        .order_by(METRICS.c.customer_id)
    ).all()
    return {row[0]: tuple(row) for row in rows}


def test_the_nightly_job_equals_a_recompute_from_the_orders(shop):
    last_day = FIRST + timedelta(days=DAYS)
    model = fit_shop(db.session, last_day - timedelta(days=60), currency_exponent=2)
    db.session.commit()
    assert model.status == "fitted", model.message
    today = last_day + timedelta(days=20)  # three weeks on: churn risks and scores move
    assert run_nightly(db.session, today - timedelta(days=1), today, settings()) == "succeeded"
    nightly = _figures()
    with db.session.begin_nested() as savepoint:
        refresh_customer_metrics(db.session, as_of=today)
        scored = refresh_predictions(db.session, today, 2, 0.01)
        rescore_customers(db.session, today, scored_until=today - timedelta(days=1))
        recomputed = _figures()
        savepoint.rollback()
    assert scored > 0
    assert nightly == recomputed
    # Every buyer has the model's predictions, and their churn risk is the model's.
    predictions = dict(
        db.session.execute(
            sa.select(METRICS.c.customer_id, PREDICTIONS.c.churn_risk + PREDICTIONS.c.p_alive)
            .join(PREDICTIONS, PREDICTIONS.c.customer_id == METRICS.c.customer_id)
            .where(METRICS.c.orders_count > 0)
        ).all()
    )
    buyers = db.session.scalar(
        sa.select(sa.func.count()).select_from(METRICS).where(METRICS.c.orders_count > 0)
    )
    assert len(predictions) == buyers
    assert all(total == pytest.approx(1.0) for total in predictions.values())


def test_the_nightly_job_marks_the_day_and_the_scores_not_everything(shop):
    day = FIRST + timedelta(days=DAYS)
    keys = nightly_keys(day)
    assert (keys.days, keys.visit_days, keys.scores, keys.everything) == ({day}, {day}, True, False)
    kinds = {row["kind"] for row in keys.rows()}
    assert "everything" not in kinds and "scores" in kinds
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaleKey)) == 0


def _stamps() -> dict:
    return dict(db.session.execute(sa.select(METRICS.c.customer_id, METRICS.c.updated_at)).all())


def _churn_risks() -> dict[int, float]:
    rows = db.session.execute(sa.select(PREDICTIONS.c.customer_id, PREDICTIONS.c.churn_risk))
    return dict(rows.all())


def test_a_customer_row_is_written_only_when_its_figures_change(shop):
    today = FIRST + timedelta(days=DAYS + 5)
    rescore_customers(db.session, today)
    db.session.commit()
    stamps, figures, risks = _stamps(), _figures(), _churn_risks()
    rescore_customers(db.session, today)  # the same day again: nothing moved
    db.session.commit()
    assert (_stamps(), _churn_risks()) == (stamps, risks)
    # A day on: the rule-based churn risk of overdue customers rises; nothing else moves, so
    # no metrics row is written (the churn risk lives with the predictions).
    rescore_customers(db.session, today + timedelta(days=1))
    db.session.commit()
    assert (_stamps(), {cid: f[:-5] for cid, f in _figures().items()}) == (
        stamps,
        {cid: f[:-5] for cid, f in figures.items()},
    )
    moved = _churn_risks()
    changed = {cid for cid in moved if moved[cid] != risks[cid]}
    buyers = set(
        db.session.scalars(sa.select(METRICS.c.customer_id).where(METRICS.c.orders_count > 0))
    )
    assert set(moved) == set(risks) == buyers
    assert all(moved[cid] > risks[cid] for cid in changed)
    assert 0 < len(changed) < len(buyers)


def test_the_summary_follows_refunds_and_cancellations(shop):
    customer = CustomerFactory()
    day = FIRST + timedelta(days=100)
    OrderFactory(customer=customer, placed_at=_moment(day, 10), subtotal=5_000)
    second = OrderFactory(
        customer=customer, placed_at=_moment(day + timedelta(days=9), 10), subtotal=3_000
    )
    third = OrderFactory(
        customer=customer, placed_at=_moment(day + timedelta(days=20), 10), subtotal=2_000
    )
    refresh()
    row = db.session.get(CustomerMetrics, customer.id)
    assert (row.purchase_days, row.repeat_day_sales, row.lifetime_value) == (3, 5_000, 10_000)
    # The model reads what was bought: a refund lowers the lifetime value only.
    RefundFactory(order=second, amount=1_000, refunded_at=_moment(day + timedelta(days=10), 10))
    third.status = "cancelled"
    refresh()
    row = db.session.get(CustomerMetrics, customer.id)
    assert (row.purchase_days, row.repeat_day_sales, row.lifetime_value) == (2, 3_000, 7_000)
