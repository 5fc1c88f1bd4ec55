"""Ingestion over real HTTP: idempotent, all or nothing, errors naming each bad field."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from app.analytics.overview import shop_totals
from app.extensions import db
from app.models import ConversionEvent, Customer, DailyAnalyticsSnapshot, Order, Refund
from tests.integration.http import create_token, post
from tests.refresh import refresh


def order(number: int, **changes) -> dict:
    return {
        "external_id": f"WEB-{number}",
        "customer_id": f"C-{number % 3}",
        "placed_at": "2026-03-10T14:00:00+01:00",
        "subtotal": 1_000 * number,
        "discount": 100,
        "tax": 50,
        "channel": "mobile_app",
        **changes,
    }


def counts() -> tuple[int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Order, Customer, ConversionEvent)
    )


def test_the_same_batch_three_times_leaves_one_set_of_orders_and_the_same_figures(
    app, server, writer
):
    batch = {"orders": [order(n) for n in range(1, 6)]}
    status, body = post(f"{server}/api/v1/orders", batch, writer)
    assert status == 201 and len(body["created"]) == 5
    refresh()
    first = (counts(), shop_totals(db.session))
    for _ in range(2):
        status, body = post(f"{server}/api/v1/orders", batch, writer)
        assert status == 201 and body == {
            "created": [],
            "unchanged": [f"WEB-{n}" for n in range(1, 6)],
        }
    refresh()
    assert (counts(), shop_totals(db.session)) == first
    assert first[0] == (5, 3, 5)  # five orders, three customers, one purchase event each
    assert first[1].net_revenue == sum(1_000 * n - 100 for n in range(1, 6))
    day = db.session.scalar(
        sa.select(DailyAnalyticsSnapshot).where(DailyAnalyticsSnapshot.orders > 0)
    )
    assert str(day.business_date) == "2026-03-10"


def test_one_bad_order_rejects_the_whole_batch_and_names_the_field(app, server, writer):
    batch = {"orders": [order(1), order(2, subtotal=-5), order(3, channel="fax", total=1)]}
    status, body = post(f"{server}/api/v1/orders", batch, writer)
    assert status == 422
    errors = body["errors"]["json"]["orders"]
    assert "subtotal" in errors["1"] and "channel" in errors["2"]
    assert counts() == (0, 0, 0)


def test_a_conflicting_resend_answers_409_and_writes_nothing(app, server, writer):
    assert post(f"{server}/api/v1/orders", order(1), writer)[0] == 201
    status, body = post(
        f"{server}/api/v1/orders", {"orders": [order(2), order(1, subtotal=9_999)]}, writer
    )
    assert status == 409 and "subtotal" in body["errors"]["WEB-1"]
    assert counts()[0] == 1


def test_reading_tokens_and_staff_sessions_cannot_write(app, runner, server, client, auth, viewer):
    reader = create_token(runner, "read")
    assert post(f"{server}/api/v1/orders", order(1), reader)[0] == 403
    assert post(f"{server}/api/v1/orders", order(1), None)[0] == 401
    auth.login(viewer.email)
    assert client.post("/api/v1/orders", json=order(1)).status_code == 401
    assert counts()[0] == 0


def test_completing_cancelling_and_refunding_move_the_figures(app, server, writer):
    post(f"{server}/api/v1/orders", order(4, status="pending"), writer)
    refresh()
    assert shop_totals(db.session).orders == 0
    status, body = post(f"{server}/api/v1/orders/WEB-4/status", {"status": "completed"}, writer)
    assert status == 200 and body["status"] == "completed"
    refresh()
    assert shop_totals(db.session).net_revenue == 3_900
    refund = {"refund_id": "R-1", "amount": 900, "refunded_at": "2026-03-12T10:00:00Z"}
    assert post(f"{server}/api/v1/orders/WEB-4/refunds", refund, writer)[0] == 201
    status, body = post(f"{server}/api/v1/orders/WEB-4/refunds", refund, writer)
    assert (status, body["amount"]) == (200, 900)  # the same refund again: unchanged
    too_much = {**refund, "refund_id": "R-2", "amount": 3_001}
    assert post(f"{server}/api/v1/orders/WEB-4/refunds", too_much, writer)[0] == 409
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.sum(Refund.amount))) == 900
    refresh()
    assert shop_totals(db.session).net_revenue == 3_000
    # An order with refunds is refunded, not cancelled: its sale stays on its day.
    status, body = post(f"{server}/api/v1/orders/WEB-4/status", {"status": "cancelled"}, writer)
    assert status == 409 and "refund the rest" in body["error"]
    rest = {**refund, "refund_id": "R-3", "amount": 3_000}
    assert post(f"{server}/api/v1/orders/WEB-4/refunds", rest, writer)[0] == 201
    assert post(f"{server}/api/v1/orders/WEB-4/status", {"status": "completed"}, writer)[0] == 409
    refresh()
    totals = shop_totals(db.session)
    assert (totals.orders, totals.net_revenue) == (1, 0)
    # A completed order without refunds can be cancelled: it leaves its day's figures.
    post(f"{server}/api/v1/orders", order(5), writer)
    status, body = post(f"{server}/api/v1/orders/WEB-5/status", {"status": "cancelled"}, writer)
    assert (status, body["status"]) == (200, "cancelled")
    refresh()
    assert shop_totals(db.session).orders == 1
    assert post(f"{server}/api/v1/orders/NOPE/status", {"status": "completed"}, writer)[0] == 404


def test_a_resend_after_the_order_moved_on_is_unchanged(app, server, writer):
    first = order(6, status="pending")
    post(f"{server}/api/v1/orders", first, writer)
    post(f"{server}/api/v1/orders/WEB-6/status", {"status": "completed"}, writer)
    status, body = post(f"{server}/api/v1/orders", {"orders": [first, order(7)]}, writer)
    assert (status, body) == (201, {"created": ["WEB-7"], "unchanged": ["WEB-6"]})
    status, body = post(f"{server}/api/v1/orders", order(7, status="cancelled"), writer)
    assert status == 409 and "status" in body["errors"]["WEB-7"]


def test_dates_that_cannot_be_true_are_refused(app, server, writer):
    post(f"{server}/api/v1/orders", order(8), writer)  # placed 10 March
    early = {"refund_id": "R-9", "amount": 100, "refunded_at": "2026-03-01T10:00:00Z"}
    status, body = post(f"{server}/api/v1/orders/WEB-8/refunds", early, writer)
    assert status == 422 and "refunded_at" in body["errors"]["json"]
    post(f"{server}/api/v1/orders", order(9, status="pending"), writer)
    back = {"status": "completed", "at": "1950-01-01T00:00:00Z"}
    status, body = post(f"{server}/api/v1/orders/WEB-9/status", back, writer)
    assert status == 422 and "at" in body["errors"]["json"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Refund)) == 0


def test_eight_clients_sending_overlapping_batches_lose_and_duplicate_nothing(app, server, writer):
    batches = [
        {"orders": [order(n) for n in range(start, start + 20)]} for start in range(1, 81, 10)
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(
            pool.map(lambda batch: post(f"{server}/api/v1/orders", batch, writer), batches)
        )
    assert [status for status, _ in results] == [201] * 8
    created = [external_id for _, body in results for external_id in body["created"]]
    assert sorted(created) == sorted({f"WEB-{n}" for n in range(1, 91)})
    assert counts()[0] == 90
    refresh()
    expected = sum(1_000 * n - 100 for n in range(1, 91))
    assert shop_totals(db.session).net_revenue == expected


def test_the_openapi_document_describes_the_write_endpoints(app, runner, server):
    request = urllib.request.Request(
        f"{server}/api/v1/openapi.json", headers={"Authorization": f"Bearer {create_token(runner)}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        document = json.loads(response.read())
    assert document["openapi"].startswith("3.")
    assert {
        "/api/v1/orders",
        "/api/v1/orders/{external_id}/status",
        "/api/v1/orders/{external_id}/refunds",
    } <= set(document["paths"])


def test_refreshed_figures_equal_a_full_recompute_after_ingestion(app, server, writer):
    """What the refresher wrote for a batch (with visits already counted that day) is exactly
    what a backfill writes from the orders and events."""
    from datetime import date

    from app.analytics.periods import DateRange
    from tests.refresh import backfill

    views = {
        "events": [
            {
                "event_id": f"V-{n}",
                "type": "page_view",
                "session_id": f"S-{n}",
                "occurred_at": "2026-03-10T09:00:00+00:00",
            }
            for n in range(4)
        ]
    }
    assert post(f"{server}/api/v1/events", views, writer)[0] == 201
    batch = {"orders": [order(n) for n in range(1, 30)]}
    assert post(f"{server}/api/v1/orders", batch, writer)[0] == 201

    def snapshot_rows():
        db.session.expire_all()
        columns = [
            c
            for c in DailyAnalyticsSnapshot.__table__.columns
            if c.name not in ("id", "updated_at")
        ]
        return db.session.execute(sa.select(*columns).order_by(columns[1])).all()

    refresh()
    tracked = snapshot_rows()
    assert any(row.sessions == 4 for row in tracked)
    backfill(DateRange(date(2026, 3, 1), date(2026, 3, 31)), date(2026, 4, 1))
    db.session.commit()
    recomputed = snapshot_rows()
    tracked_days = {row.business_date for row in tracked}
    assert [row for row in recomputed if row.business_date in tracked_days] == tracked
    assert all(row.orders == row.sessions == 0 for row in recomputed if row not in tracked)
