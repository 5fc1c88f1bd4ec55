"""/api/v1/alerts, /targets and /forecast over real HTTP: the engine's figures, token scopes,
and bad input refused whole."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.analytics.dashboard import kpis
from app.analytics.periods import DateRange
from app.extensions import db
from app.models import MonthForecast, MonthlyTarget
from app.pipeline.insights import InsightSettings, run_insights
from tests.integration.http import call, send
from tests.integration.shop_history import TODAY, half_a_year, steady_shop_with_a_spike

SPIKE = "start=2026-03-15&end=2026-03-15"


@pytest.fixture
def spiked(app):
    steady_shop_with_a_spike()
    run_insights(db.session, TODAY, InsightSettings.from_config(app.config))


def test_alerts_list_the_flagged_days_with_their_expected_range(spiked, server, reader):
    status, body = call(f"{server}/api/v1/alerts?{SPIKE}&channel=all", reader)
    assert status == 200
    by_metric = {row["metric"]: row for row in body}
    assert set(by_metric) == {"net_revenue", "orders"}
    revenue = by_metric["net_revenue"]
    assert revenue["value"] == {"amount": "360.00", "minor": 36_000}
    assert revenue["direction"] == "up" and revenue["score"] > 5
    low, high = revenue["expected_range"]
    assert low["minor"] < 8_000 < high["minor"] < 36_000
    status, body = call(f"{server}/api/v1/alerts?{SPIKE}&channel=phone&metric=orders", reader)
    assert [(row["channel"], row["value"]) for row in body] == [("phone", 4.0)]


@pytest.mark.parametrize(
    ("query", "field"),
    [("metric=profit", "metric"), ("channel=fax", "channel"), ("days=0", "days")],
)
def test_bad_alert_queries_name_the_field(server, reader, query, field):
    status, body = call(f"{server}/api/v1/alerts?{query}", reader)
    assert status == 422 and field in body["errors"]["query"]


def test_every_new_endpoint_needs_a_token(server):
    for path in ("alerts", "targets", "forecast"):
        assert call(f"{server}/api/v1/{path}")[0] == 401
    assert send("PUT", f"{server}/api/v1/targets", {"month": "2026-03"})[0] == 401


def test_targets_need_a_write_token_and_are_set_and_removed(app, server, reader, writer):
    body = {"month": "2026-03", "net_revenue": 5_000_000, "orders": 900}
    assert send("PUT", f"{server}/api/v1/targets", body, reader)[0] == 403
    status, answer = send("PUT", f"{server}/api/v1/targets", body, writer)
    assert status == 200 and answer["month"] == "2026-03"
    targets = {row["metric"]: row["target"] for row in answer["figures"]}
    assert targets == {
        "net_revenue": {"amount": "50000.00", "minor": 5_000_000},
        "orders": 900,
        "new_customers": None,
    }
    status, answer = send(
        "PUT", f"{server}/api/v1/targets", {"month": "2026-03", "orders": None}, writer
    )
    status, answer = call(f"{server}/api/v1/targets?month=2026-03", reader)
    assert [row["target"] for row in answer["figures"]][1:] == [None, None]
    stored = db.session.execute(sa.select(MonthlyTarget.metric, MonthlyTarget.target)).all()
    assert stored == [("net_revenue", 5_000_000)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"month": "2026-13", "orders": 5}, "month"),
        ({"month": "2026-03", "orders": -5}, "orders"),
        ({"month": "2026-03", "orders": 5, "net_revenue": "lots"}, "net_revenue"),
        ({"month": "2026-03", "net_revenue": 1.5}, "net_revenue"),
        ({"orders": 5}, "month"),
        ({"month": "2026-03", "orders": 5, "profit": 1}, "profit"),
    ],
)
def test_bad_targets_are_refused_whole(server, writer, body, field):
    status, answer = send("PUT", f"{server}/api/v1/targets", body, writer)
    assert status == 422 and field in answer["errors"]["json"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyTarget)) == 0


def test_forecast_gives_the_month_end_with_its_interval_and_chance(app, server, reader, writer):
    today = date(2026, 3, 16)
    half_a_year(today)
    send("PUT", f"{server}/api/v1/targets", {"month": "2026-03", "orders": 40}, writer)
    assert run_insights(db.session, today, InsightSettings.from_config(app.config)) == "succeeded"
    status, body = call(f"{server}/api/v1/forecast?month=2026-03", reader)
    assert status == 200
    orders = {row["metric"]: row for row in body["figures"]}["orders"]
    stored = db.session.scalar(sa.select(MonthForecast).where(MonthForecast.metric == "orders"))
    forecast = orders["forecast"]
    shown = kpis(db.session, DateRange(date(2026, 3, 1), date(2026, 3, 15)))
    assert forecast["month_to_date"] == stored.month_to_date == shown.orders == 32  # 2 Saturdays
    assert forecast["interval_80"][0] <= forecast["month_end"] <= forecast["interval_80"][1]
    assert 60 < forecast["month_end"] < 75  # about 2.3 orders a day for 31 days
    assert forecast["chance_of_target"] > 0.99
    assert forecast["backtest_mase"] == round(stored.mase, 3)
    assert forecast["method"] in ("seasonal_naive", "ets", "theta", "ets_theta")
