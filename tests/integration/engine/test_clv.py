"""BG/NBD + Gamma-Gamma on the CDNOW sample, loaded through `flask import orders`.

The published estimates (Fader, Hardie & Lee 2005; tests/data/cdnow/README.md) must come
back within 1%, on both databases, from the orders as our importer stores them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.analytics.clv import fit_shop, latest_model, refresh_predictions, score_customers
from app.analytics.customer_reports import alive_matrix
from app.analytics.customers import refresh_customer_metrics, rescore_customers
from app.extensions import db
from app.models import ClvModel, CustomerMetrics, CustomerPrediction
from tests.cdnow import write_cdnow_csv
from tests.factories import OrderFactory

CALIBRATION_END = date(1997, 9, 30)  # 39 weeks from 1997-01-01
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture
def cdnow(app, runner, tmp_path):
    result = runner.invoke(args=["import", "orders", str(write_cdnow_csv(tmp_path / "cdnow.csv"))])
    assert result.exit_code == 0, result.output
    refresh_customer_metrics(db.session, as_of=date(1998, 7, 1))
    db.session.commit()


def test_cdnow_reproduces_the_published_parameters(cdnow):
    model = fit_shop(db.session, CALIBRATION_END, currency_exponent=2)
    assert model.status == "fitted", model.message
    assert (model.customers, model.repeat_customers) == (2_357, 946)
    for name, published in {**PUBLISHED_BGNBD, **PUBLISHED_GAMMA_GAMMA}.items():
        assert getattr(model, name) == pytest.approx(published, rel=0.01), name
    assert model.bgnbd_log_likelihood == pytest.approx(-9582.4, abs=0.5)


def test_the_calibration_check_compares_the_39_weeks_after(cdnow):
    model = fit_shop(db.session, CALIBRATION_END, currency_exponent=2)
    check = model.calibration
    assert check["weeks"] == list(range(1, 40))
    # Actual repeat purchase days in the holdout, counted straight from the orders.
    actual = db.session.execute(
        sa.text(
            "SELECT count(*) FROM (SELECT DISTINCT customer_id, business_date FROM orders "
            "WHERE business_date > :end AND business_date <= :last) AS days"
        ),
        {"end": CALIBRATION_END, "last": date(1998, 6, 30)},
    ).scalar()
    assert check["actual_cumulative"][-1] == actual
    predicted = check["predicted_cumulative"][-1]
    assert check["actual_cumulative"] == sorted(check["actual_cumulative"])
    assert abs(predicted - actual) / actual < 0.15  # BG/NBD tracks the holdout within 15%


def test_scoring_writes_p_alive_clv_and_value_at_risk(cdnow):
    model = fit_shop(db.session, CALIBRATION_END, currency_exponent=2)
    scored = score_customers(db.session, model, date(1998, 6, 30), 2, monthly_rate=0.01)
    db.session.commit()
    assert scored == 2_357
    rows = db.session.execute(
        sa.select(CustomerPrediction, CustomerMetrics.orders_count).join(
            CustomerMetrics, CustomerMetrics.customer_id == CustomerPrediction.customer_id
        )
    ).all()
    assert len(rows) == 2_357
    orders = {row.CustomerPrediction.customer_id: row.orders_count for row in rows}
    rows = [row.CustomerPrediction for row in rows]
    assert all(0 < row.p_alive <= 1 for row in rows)
    assert all(row.churn_risk == pytest.approx(1 - row.p_alive) for row in rows)
    assert all(row.clv_12m >= 0 and 0 <= row.value_at_risk <= row.clv_12m for row in rows)
    assert all(
        row.value_at_risk == pytest.approx(row.clv_12m * (1 - row.p_alive), abs=1) for row in rows
    )
    # A one-time buyer is alive for sure in BG/NBD (no repeat to drop out after).
    single = next(row for row in rows if orders[row.customer_id] == 1)
    assert single.p_alive == 1.0
    lively = max(rows, key=lambda row: row.expected_orders_90d)
    assert orders[lively.customer_id] > 5


def test_the_at_risk_list_follows_the_models_churn_risk(cdnow):
    from app.analytics.customer_reports import customer_list

    model = fit_shop(db.session, CALIBRATION_END, currency_exponent=2)
    score_customers(db.session, model, date(1998, 6, 30), 2, monthly_rate=0.01)
    db.session.commit()
    rows, total = customer_list(db.session, "at_risk", 0, 5_000, today=date(1998, 7, 1))
    lapsing = {
        customer_id
        for customer_id, p_alive, orders in db.session.execute(
            sa.select(
                CustomerPrediction.customer_id,
                CustomerPrediction.p_alive,
                CustomerMetrics.orders_count,
            ).join(CustomerMetrics, CustomerMetrics.customer_id == CustomerPrediction.customer_id)
        )
        if 1 - p_alive >= 0.5 and orders > 1
    }
    assert 0 < total == len(rows) == len(lapsing)
    assert {row["profile_id"] for row in rows} == lapsing
    assert all(row["churn_risk"] == pytest.approx(1 - row["p_alive"]) for row in rows)
    values = [row["lifetime_value"] for row in rows]
    assert values == sorted(values, reverse=True)


def test_too_few_repeat_customers_keep_the_rule_based_churn(app):
    for _ in range(3):
        OrderFactory()
    refresh_customer_metrics(db.session, as_of=date(2026, 4, 1))
    before = db.session.execute(sa.select(CustomerPrediction.__table__)).all()
    assert len(before) == 3 and all(row.p_alive is None for row in before)
    assert refresh_predictions(db.session, date(2026, 4, 1), 2, 0.01) == 0
    db.session.commit()
    attempt = latest_model(db.session, fitted_only=False)
    assert attempt.status == "failed" and "at least 20" in attempt.message
    assert db.session.execute(sa.select(CustomerPrediction.__table__)).all() == before
    assert db.session.scalar(sa.select(sa.func.count(ClvModel.id))) == 1
    refresh_predictions(db.session, date(2026, 4, 1), 2, 0.01)  # not refitted within a week
    assert db.session.scalar(sa.select(sa.func.count(ClvModel.id))) == 1


def test_fit_clv_command_fits_scores_and_reports_the_check(cdnow, runner):
    result = runner.invoke(args=["analytics", "fit-clv", "--calibration-end", "1997-09-30"])
    assert result.exit_code == 0, result.output
    assert "r=0.243 alpha=4.414 a=0.793 b=2.426" in result.output
    assert "Check, 39 weeks after 1997-09-30" in result.output
    assert "Scored 2,357 customers." in result.output
    assert db.session.scalar(sa.select(sa.func.count(CustomerPrediction.p_alive))) == 2_357


def test_fit_clv_command_explains_a_failed_fit(app, runner):
    result = runner.invoke(args=["analytics", "fit-clv"])
    assert result.exit_code == 1 and "Churn risk stays rule-based" in result.output


def test_customers_page_shows_the_matrix_ranking_and_check(cdnow, app):
    from app.dash_apps.pages import customers
    from tests.integration.test_pages import as_user, find

    model = fit_shop(db.session, CALIBRATION_END, currency_exponent=2)
    score_customers(db.session, model, date(1998, 6, 30), 2, monthly_rate=0.01)
    # As the nightly job does: the rescoring after the scoring writes segments and the matrix.
    rescore_customers(db.session, date(1998, 7, 1), scored_until=date(1998, 6, 30))
    db.session.commit()
    context = as_user(app, "manager")
    try:
        status, matrix, calibration = customers.prediction_outputs("USD")
        total = db.session.scalar(
            sa.select(sa.func.sum(CustomerPrediction.value_at_risk))
            .join(CustomerMetrics, CustomerMetrics.customer_id == CustomerPrediction.customer_id)
            .where(CustomerMetrics.segment.is_not(None))
        )
        assert find(status, "customers-value-at-risk-total").children == f"${total / 100:,.2f}"
        cells = matrix["data"][0]["z"]
        scored_in_segments = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CustomerPrediction)
            .join(CustomerMetrics, CustomerMetrics.customer_id == CustomerPrediction.customer_id)
            .where(CustomerPrediction.p_alive.is_not(None), CustomerMetrics.segment.is_not(None))
        )
        assert sum(map(sum, cells)) == scored_in_segments > 0
        # Each stored cell is its customers' count and value at risk, banded by hand.
        by_hand: dict = {}
        for segment, alive, at_risk in db.session.execute(
            sa.select(
                CustomerMetrics.segment,
                CustomerPrediction.p_alive,
                CustomerPrediction.value_at_risk,
            )
            .join(CustomerMetrics, CustomerMetrics.customer_id == CustomerPrediction.customer_id)
            .where(CustomerPrediction.p_alive.is_not(None), CustomerMetrics.segment.is_not(None))
        ):
            band = ("< 25%", "25–50%", "50–75%", "≥ 75%")[min(int(alive * 4), 3)]
            count, value = by_hand.get((segment, band), (0, 0))
            by_hand[(segment, band)] = (count + 1, value + (at_risk or 0))
        assert alive_matrix(db.session) == by_hand
        assert calibration["data"][0]["y"] == model.calibration["actual_cumulative"]
        page = customers.serve_rows({"startRow": 0, "endRow": 50}, "value-at-risk")
        stored = db.session.scalars(
            sa.select(CustomerPrediction.value_at_risk)
            .where(CustomerPrediction.value_at_risk > 0)
            .order_by(CustomerPrediction.value_at_risk.desc())
            .limit(50)
        ).all()
        assert [row["value_at_risk"] for row in page["rowData"]] == [
            f"${v / 100:,.2f}" for v in stored
        ]
        export = customers.export_list("value-at-risk", "csv")
        assert "value_at_risk_USD" in export["content"].splitlines()[0]
    finally:
        context.pop()


def test_the_api_serves_predictions_and_the_fitted_model(cdnow, server, reader):
    from tests.integration.http import call

    assert call(f"{server}/api/v1/models/clv", reader)[0] == 404
    model = fit_shop(db.session, CALIBRATION_END, currency_exponent=2)
    score_customers(db.session, model, date(1998, 6, 30), 2, monthly_rate=0.01)
    db.session.commit()
    status, body = call(f"{server}/api/v1/models/clv", reader)
    assert status == 200 and body["bgnbd"]["r"] == pytest.approx(0.243, rel=0.01)
    assert body["gamma_gamma"]["gamma"] == pytest.approx(15.44, rel=0.01)
    status, page = call(f"{server}/api/v1/customers?sort=value_at_risk&per_page=5", reader)
    assert status == 200
    top = db.session.scalar(
        sa.select(CustomerPrediction).order_by(CustomerPrediction.value_at_risk.desc()).limit(1)
    )
    first = page["items"][0]
    assert first["value_at_risk"]["minor"] == top.value_at_risk
    assert first["p_alive"] == pytest.approx(top.p_alive)
    assert first["clv_12m"]["minor"] == top.clv_12m
    assert first["expected_orders_90d"] == pytest.approx(top.expected_orders_90d)


def test_a_degenerate_fit_is_stored_as_failed_with_its_reason(app):
    """Every customer spending exactly the same leaves Gamma-Gamma nothing to fit: the optimiser
    runs off to p → ∞, γ → 0. Such a fit is refused, not used for predictions."""
    import random

    from app.analytics.clv import Fit, FitError, fit_shop, require_sane
    from tests.factories import CustomerFactory, OrderFactory

    with pytest.raises(FitError, match=r"degenerate \(p=1\.6e\+08, gamma=1e-09\)"):
        require_sane("Gamma-Gamma", ("p", "q", "gamma"), Fit((1.6e8, 3.0, 1e-9), -1.0, 10))
    chance = random.Random(7)
    for _ in range(120):
        customer = CustomerFactory()
        for _ in range(chance.randint(1, 5)):
            day = datetime(2025, 1, 1, 12, tzinfo=UTC) + timedelta(days=chance.randint(0, 360))
            OrderFactory(customer=customer, placed_at=day, subtotal=5_000)
    db.session.flush()
    model = fit_shop(db.session, date(2025, 10, 31), 2)
    assert model.status == "failed"
    assert "degenerate" in model.message or "q=" in model.message
