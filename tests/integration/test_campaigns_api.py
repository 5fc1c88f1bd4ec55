"""/api/v1/campaigns over real HTTP: ROI from the orders, the staff form's rules, audited writes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog, Campaign
from tests.factories import CampaignFactory, OrderFactory
from tests.integration.http import call, send
from tests.refresh import refresh

SPRING = {
    "name": "Spring sale",
    "code": "spring26",
    "status": "active",
    "discount_percent": 15,
    "budget": 50_000,
    "spend": 10_000,
    "starts_on": "2026-03-01",
    "ends_on": "2026-03-31",
}


def test_list_and_detail_carry_the_campaigns_orders_and_roi(app, server, reader):
    campaign = CampaignFactory(code="MARCH", spend=3_000, budget=5_000)
    for day in (3, 4):
        OrderFactory(
            campaign_id=campaign.id,
            coupon_code="MARCH",
            subtotal=10_000,
            discount=1_000,
            placed_at=datetime(2026, 3, day, 12, tzinfo=UTC),
        )
    OrderFactory(subtotal=99_999)  # no campaign: must not count
    refresh()

    status, listing = call(f"{server}/api/v1/campaigns", reader)
    assert status == 200 and [c["code"] for c in listing] == ["MARCH"]
    row = listing[0]
    assert row["orders"] == 2 and row["revenue"]["minor"] == 18_000
    assert row["discount_cost"]["minor"] == 2_000 and row["spend"]["amount"] == "30.00"
    # ROI = (net revenue − spend) / spend: the net revenue is already after the discount.
    assert row["roi"] == (18_000 - 3_000) / 3_000 and row["roas"] == 18_000 / 3_000

    status, detail = call(f"{server}/api/v1/campaigns/{campaign.id}", reader)
    days = detail["days"]
    assert status == 200 and [d["date"] for d in days] == [
        date(2026, 3, n).isoformat() for n in range(1, 32)
    ]
    assert [d["date"] for d in days if d["orders"]] == ["2026-03-03", "2026-03-04"]
    assert sum(d["revenue"]["minor"] for d in days) == row["revenue"]["minor"]
    assert sum(d["spend"]["minor"] for d in days) == 3_000
    assert call(f"{server}/api/v1/campaigns?status=draft", reader) == (200, [])
    assert call(f"{server}/api/v1/campaigns/999999", reader)[0] == 404


def test_a_write_token_creates_and_updates_and_each_change_is_audited(app, server, writer):
    status, created = send("POST", f"{server}/api/v1/campaigns", SPRING, writer)
    assert status == 201 and created["code"] == "SPRING26" and created["budget"]["minor"] == 50_000
    url = f"{server}/api/v1/campaigns/{created['id']}"
    status, updated = send("PATCH", url, {"status": "paused", "spend": 12_500}, writer)
    assert status == 200 and updated["status"] == "paused" and updated["spend"]["minor"] == 12_500
    db.session.expire_all()
    stored = db.session.get(Campaign, created["id"])
    assert (stored.status, stored.spend, stored.name) == ("paused", 12_500, "Spring sale")
    entries = db.session.execute(sa.select(AuditLog.action, AuditLog.actor)).all()
    assert [action for action, _ in entries] == [
        "token.create",
        "campaign.create",
        "campaign.update",
    ]
    assert entries[1].actor.startswith("token:")


def test_bad_campaigns_name_each_field_and_change_nothing(app, server, writer, reader):
    CampaignFactory(code="TAKEN")
    bad = {**SPRING, "code": "taken", "ends_on": "2026-02-01", "discount_percent": 101}
    status, body = send("POST", f"{server}/api/v1/campaigns", bad, writer)
    assert status == 422 and set(body["errors"]["json"]) == {"discount_percent"}
    status, body = send(
        "POST", f"{server}/api/v1/campaigns", {**bad, "discount_percent": 5}, writer
    )
    assert status == 422 and set(body["errors"]["json"]) == {"code", "ends_on"}
    assert "TAKEN" in body["errors"]["json"]["code"][0]
    assert send("POST", f"{server}/api/v1/campaigns", SPRING, reader)[0] == 403
    assert send("POST", f"{server}/api/v1/campaigns", SPRING, None)[0] == 401
    assert send("PATCH", f"{server}/api/v1/campaigns/424242", {"name": "x"}, writer)[0] == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign)) == 1
