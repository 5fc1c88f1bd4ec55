"""The specification's JSON endpoints over real HTTP, with tokens from `flask tokens`."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, AuditLog
from tests.factories import OrderFactory, RefundFactory
from tests.integration.http import call, create_token, exchange
from tests.refresh import refresh

MARCH = "start=2026-03-01&end=2026-03-31"


def test_token_secret_is_shown_once_and_only_its_hash_is_kept(runner):
    secret = create_token(runner)
    token = db.session.scalar(sa.select(ApiToken))
    assert secret.startswith("sfa_") and len(secret) > 40
    assert token.token_hash != secret and secret not in token.token_hash
    assert token.prefix == secret[:12]
    listing = runner.invoke(args=["tokens", "list"]).output
    assert "BI tool" in listing and "active" in listing and "never" in listing
    assert db.session.scalar(sa.select(AuditLog.action)) == "token.create"


def test_daily_revenue_over_http_reconciles_with_the_orders(app, runner, server):
    first = OrderFactory(subtotal=10_000, discount=1_000)
    OrderFactory(subtotal=2_550, placed_at=datetime(2026, 3, 11, 9, tzinfo=UTC))
    RefundFactory(order=first, amount=500, refunded_at=datetime(2026, 3, 11, 10, tzinfo=UTC))
    refresh()
    status, days = call(f"{server}/analytics/api/daily-revenue/?{MARCH}", create_token(runner))
    assert status == 200 and len(days) == 31
    by_date = {day["date"]: day for day in days}
    assert by_date["2026-03-10"]["revenue"] == {"amount": "90.00", "minor": 9_000}
    assert by_date["2026-03-11"]["revenue"] == {"amount": "20.50", "minor": 2_050}
    assert by_date["2026-03-11"]["orders"] == 1 and by_date["2026-03-11"]["aov"]["minor"] == 2_550
    assert sum(day["revenue"]["minor"] for day in days) == 10_000 - 1_000 + 2_550 - 500
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken.last_used_at)) is not None


def test_customer_segments_lists_the_ten_segments(app, runner, server):
    status, segments = call(f"{server}/analytics/api/customer-segments/", create_token(runner))
    assert status == 200
    assert [row["segment"] for row in segments][:2] == ["Champions", "Loyal"] and len(
        segments
    ) == 10


def test_every_answer_says_how_fresh_its_figures_are(app, runner, server):
    token = create_token(runner)
    url = f"{server}/analytics/api/daily-revenue/?{MARCH}"
    OrderFactory(subtotal=10_000)  # 10 March; the refresher has not run yet
    written = datetime.now(UTC)
    status, headers, days = exchange("GET", url, token=token)
    as_of = datetime.fromisoformat(headers["X-Figures-As-Of"])
    assert status == 200 and as_of <= written
    assert sum(day["revenue"]["minor"] for day in days) == 0
    refresh()
    for path in ("/analytics/api/daily-revenue/?" + MARCH, "/api/v1/kpis?" + MARCH):
        status, headers, body = exchange("GET", server + path, token=token)
        assert status == 200 and datetime.fromisoformat(headers["X-Figures-As-Of"]) >= written
    assert body["current"]["net_revenue"] == 10_000


def test_calls_without_a_valid_token_get_401_json(app, runner, server):
    url = f"{server}/analytics/api/daily-revenue/"
    for secret, message in (
        (None, "authentication required"),
        ("sfa_x", "invalid or revoked token"),
    ):
        status, body = call(url, secret)
        assert (status, body["status"], body["error"], body["title"]) == (
            401,
            401,
            message,
            message,
        )
    secret = create_token(runner)
    assert call(url, secret)[0] == 200
    token_id = db.session.scalar(sa.select(ApiToken.id))
    assert runner.invoke(args=["tokens", "revoke", str(token_id)]).exit_code == 0
    assert call(url, secret)[0] == 401


def test_bad_parameters_name_each_field(app, runner, server):
    token = create_token(runner)
    status, body = call(f"{server}/analytics/api/daily-revenue/?days=0", token)
    assert status == 400 and body["fields"] == {"days": "a whole number from 1 to 731"}
    status, body = call(
        f"{server}/analytics/api/daily-revenue/?start=2026-03-10&end=2026-03-01", token
    )
    assert status == 400 and body["fields"] == {"end": "must not be before start"}
    status, body = call(
        f"{server}/analytics/api/daily-revenue/?start=yesterday&end=2026-03-01", token
    )
    assert status == 400 and set(body["fields"]) == {"start"}


def test_unknown_api_paths_answer_json_404(app, runner, server):
    status, body = call(f"{server}/api/v1/no-such-thing", create_token(runner))
    assert status == 404 and body["status"] == 404


def test_a_staff_session_may_call_them_too(client, auth, viewer):
    auth.login(viewer.email)
    response = client.get(f"/analytics/api/daily-revenue/?{MARCH}")
    assert response.status_code == 200 and len(response.json) == 31


def test_each_token_is_rate_limited(make_app, runner):
    secret = create_token(runner)
    client = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="2 per minute").test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    codes = [
        client.get("/analytics/api/customer-segments/", headers=headers).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
