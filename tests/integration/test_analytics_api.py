"""/api/v1 read endpoints over real HTTP: the same figures as the engine, emails masked."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.analytics.customers import refresh_customer_metrics
from app.analytics.dashboard import dashboard_kpis
from app.analytics.periods import DateRange
from app.extensions import db
from tests.factories import CustomerFactory, OrderFactory, UserFactory
from tests.integration.http import call, create_token, send
from tests.refresh import backfill

MARCH = "start=2026-03-01&end=2026-03-31"


@pytest.fixture
def shop(app):
    for number in range(1, 6):
        customer = CustomerFactory(email=f"buyer{number}@example.com")
        OrderFactory(
            customer=customer,
            subtotal=1_000 * number,
            placed_at=datetime(2026, 3, 2 * number, 12, tzinfo=UTC),
        )
    backfill(DateRange(date(2026, 3, 1), date(2026, 3, 31)), date(2026, 4, 1))
    refresh_customer_metrics(db.session, as_of=date(2026, 3, 31))
    db.session.commit()


def test_kpis_match_the_engine_and_compare_with_the_previous_period(shop, runner, server):
    status, body = call(f"{server}/api/v1/kpis?{MARCH}", create_token(runner))
    expected = dashboard_kpis(db.session, DateRange(date(2026, 3, 1), date(2026, 3, 31)))
    assert status == 200
    assert body["current"]["net_revenue"] == expected.current.net_revenue == 15_000
    assert body["current"]["orders"] == 5 and body["previous"]["orders"] == 0
    assert body["change"]["net_revenue"] is None and body["currency"] == "USD"


def test_series_channels_and_segments_add_up(shop, runner, server):
    token = create_token(runner)
    _, days = call(f"{server}/api/v1/daily?{MARCH}", token)
    _, channels = call(f"{server}/api/v1/channels?{MARCH}", token)
    _, segments = call(f"{server}/api/v1/segments", token)
    assert (
        sum(d["net_revenue"]["minor"] for d in days)
        == sum(c["net_revenue"]["minor"] for c in channels)
        == 15_000
    )
    assert len(channels) == 7 and len(segments) == 10
    assert sum(s["customers"] for s in segments) == 5


def test_customers_are_paged_sorted_and_masked_unless_a_manager_owns_the_token(
    shop, runner, server
):
    _, page = call(f"{server}/api/v1/customers?per_page=2&page=1", create_token(runner))
    assert page["total"] == 5 and [c["lifetime_value"]["minor"] for c in page["items"]] == [
        5_000,
        4_000,
    ]
    assert page["items"][0]["email"] == "b*****@example.com"
    assert page["items"][0]["name"] == "A. L."  # names are personal data too
    boss = UserFactory(email="boss@shop.test", role="manager")
    result = runner.invoke(args=["tokens", "create", "--name", "CRM", "--owner", "boss@shop.test"])
    manager_token = result.output.strip().splitlines()[-1]
    _, page = call(
        f"{server}/api/v1/customers?per_page=1&sort=orders_count&descending=false", manager_token
    )
    assert page["items"][0]["email"].startswith("buyer")
    assert page["items"][0]["name"] == "Ada Lovelace"
    boss.active = False  # the manager has left: so has the token
    db.session.commit()
    status, body = call(f"{server}/api/v1/customers?per_page=1", manager_token)
    assert (status, body["error"]) == (401, "invalid or revoked token")


def test_funnel_cohorts_and_job_runs_answer(shop, runner, server):
    token = create_token(runner)
    status, funnel = call(f"{server}/api/v1/funnel?{MARCH}", token)
    assert status == 200 and funnel["steps"][0]["event_type"] == "page_view"
    status, cohorts = call(f"{server}/api/v1/cohorts?months=1&as_of=2026-03-31", token)
    assert status == 200 and cohorts[0]["size"] == 5
    assert call(f"{server}/api/v1/job-runs", token) == (200, [])


def test_bad_queries_answer_422_naming_the_field(app, runner, server):
    status, body = call(f"{server}/api/v1/kpis?days=0", create_token(runner))
    assert status == 422 and "days" in body["errors"]["query"]
    status, body = call(f"{server}/api/v1/customers?segment=Whales", create_token(runner))
    assert status == 422 and "segment" in body["errors"]["query"]


def test_unknown_paths_and_methods_under_api_answer_json(server, reader):
    status, body = send("GET", f"{server}/api/v1/no-such-thing", token=reader)
    assert status == 404 and body["status"] == 404
    status, body = send("DELETE", f"{server}/api/v1/kpis", token=reader)
    assert status == 405 and body["status"] == 405 and body["error"]
