"""Erasing a customer's personal data leaves every figure exactly as it was."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.analytics.periods import DateRange
from app.extensions import db
from app.models import (
    AuditLog,
    CohortRetention,
    Customer,
    CustomerMetrics,
    DailyAnalyticsSnapshot,
    RevenueStream,
)
from tests.factories import CustomerFactory, OrderFactory, RefundFactory
from tests.refresh import backfill

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))
FIGURE_TABLES = (DailyAnalyticsSnapshot, RevenueStream, CustomerMetrics, CohortRetention)


def figures() -> dict:
    db.session.expire_all()
    snapshot = {}
    for model in FIGURE_TABLES:
        columns = [c for c in model.__table__.columns if c.name not in ("id", "updated_at")]
        snapshot[model.__tablename__] = sorted(
            map(tuple, db.session.execute(sa.select(*columns)).all()), key=repr
        )
    return snapshot


def test_erase_removes_the_person_and_keeps_every_figure(app, runner):
    target = CustomerFactory(external_id="C-42", email="jane@example.com", name="Jane Doe")
    first = OrderFactory(customer=target, subtotal=12_000)
    OrderFactory(customer=target, subtotal=3_000)
    OrderFactory(subtotal=7_000)
    RefundFactory(order=first, amount=2_000)
    backfill(MARCH, date(2026, 4, 1))
    db.session.commit()
    before = figures()

    result = runner.invoke(args=["customers", "erase", "C-42", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    erased = db.session.get(Customer, target.id)
    assert (erased.email, erased.name, erased.external_id) == (None, None, f"erased-{target.id}")
    assert figures() == before
    backfill(MARCH, date(2026, 4, 1))  # and after the nightly recompute
    db.session.commit()
    assert figures() == before
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "customer.erase"))
    assert entry.target == f"customer:{target.id}" and "jane" not in repr(entry.details).lower()


def test_erasing_an_unknown_customer_says_so(app, runner):
    result = runner.invoke(args=["customers", "erase", "NOPE", "--yes"])
    assert result.exit_code == 1 and "no customer NOPE" in result.output


def test_no_order_can_name_or_reach_an_erased_customer(app, runner, server, writer):
    from tests.integration.http import post

    target = CustomerFactory(external_id="C-7")
    runner.invoke(args=["customers", "erase", "C-7", "--yes"])
    placeholder = f"erased-{target.id}"
    order = {
        "external_id": "W-1",
        "customer_id": placeholder,
        "placed_at": "2026-03-10T10:00:00Z",
        "subtotal": 100,
    }
    status, body = post(f"{server}/api/v1/orders", order, writer)
    assert status == 422 and "reserved" in " ".join(
        body["errors"]["json"]["orders"]["0"]["customer_id"]
    )
    # The person's old id is someone new now; the erased row gets no orders.
    status, _ = post(f"{server}/api/v1/orders", {**order, "customer_id": "C-7"}, writer)
    assert status == 201
    db.session.expire_all()
    assert db.session.get(Customer, target.id).orders == []
    # A customer whose id only looks like a placeholder cannot exist, so erasing never collides.
    other = CustomerFactory(external_id="C-8")
    assert runner.invoke(args=["customers", "erase", "C-8", "--yes"]).exit_code == 0
    assert db.session.get(Customer, other.id).external_id == f"erased-{other.id}"
