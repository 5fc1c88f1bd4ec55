"""POST /api/v1/events over real HTTP: kept once per event id, counted in the day's sessions."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.models import ConversionEvent, DailyAnalyticsSnapshot
from tests.integration.http import post
from tests.refresh import refresh


def visit(session: str, steps: list[str], **extra) -> list[dict]:
    return [
        {
            "event_id": f"{session}-{n}",
            "type": step,
            "session_id": session,
            "occurred_at": f"2026-03-10T10:{n:02d}:00+00:00",
            "page": f"/{step}",
            **extra,
        }
        for n, step in enumerate(steps)
    ]


def day(on: date) -> DailyAnalyticsSnapshot | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(DailyAnalyticsSnapshot).where(DailyAnalyticsSnapshot.business_date == on)
    )


def stored() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(ConversionEvent))


def test_events_are_stored_once_and_the_days_sessions_follow(app, server, writer):
    batch = {
        "events": visit("S1", ["page_view", "product_view", "add_to_cart"], customer_id="C-1")
        + visit("S2", ["page_view"])
    }
    for attempt in range(3):
        status, body = post(f"{server}/api/v1/events", batch, writer)
        assert status == 201
        assert len(body["created"]) == (4 if attempt == 0 else 0)
        assert len(body["unchanged"]) == (0 if attempt == 0 else 4)
    assert stored() == 4
    refresh()
    assert day(date(2026, 3, 10)).sessions == 2


def test_a_late_page_view_moves_a_visit_to_its_earlier_entry_day(app, server, writer):
    later = [
        {**event, "occurred_at": "2026-03-12T10:00:00+00:00"}
        for event in visit("S1", ["page_view"])
    ]
    assert post(f"{server}/api/v1/events", {"events": later}, writer)[0] == 201
    refresh()
    assert day(date(2026, 3, 12)).sessions == 1
    earlier = [{**visit("S1", ["page_view"])[0], "event_id": "S1-early"}]  # 10 March
    assert post(f"{server}/api/v1/events", {"events": earlier}, writer)[0] == 201
    refresh()
    assert (day(date(2026, 3, 10)).sessions, day(date(2026, 3, 12)).sessions) == (1, 0)


def test_ids_the_shop_derives_itself_are_refused(app, server, writer):
    reserved = [
        {**visit("S1", ["page_view"])[0], "event_id": "purchase:17"},
        {**visit("S1", ["page_view"])[0], "event_id": "purchase-WEB-1"},
        {**visit("order:5", ["page_view"])[0], "event_id": "E-3"},
    ]
    status, body = post(f"{server}/api/v1/events", {"events": reserved}, writer)
    errors = body["errors"]["json"]["events"]
    assert status == 422 and set(errors) == {"0", "1", "2"}
    assert "event_id" in errors["0"] and "session_id" in errors["2"]
    assert stored() == 0


def test_a_bad_or_conflicting_event_writes_nothing(app, server, writer):
    post(f"{server}/api/v1/events", {"events": visit("S1", ["page_view"])}, writer)
    events = visit("S2", ["page_view", "checkout"])
    bad = [*events, {**events[0], "event_id": "X", "type": "purchase", "occurred_at": "yesterday"}]
    status, body = post(f"{server}/api/v1/events", {"events": bad}, writer)
    assert status == 422
    assert set(body["errors"]["json"]["events"]["2"]) == {"type", "occurred_at"}
    changed = [*events, {**visit("S1", ["page_view"])[0], "page": "/elsewhere"}]
    status, body = post(f"{server}/api/v1/events", {"events": changed}, writer)
    assert status == 409 and "page" in body["errors"]["S1-0"]
    unknown_order = [{**events[0], "order_id": "NO-SUCH-ORDER"}]
    status, body = post(f"{server}/api/v1/events", {"events": unknown_order}, writer)
    assert status == 422 and "NO-SUCH-ORDER" in body["errors"]["S2-0"]
    assert stored() == 1


def test_a_visit_takes_its_order_s_purchase_whenever_it_arrives(app, server, writer):
    """The same order and visit, reported in either order, give the same conversion."""
    order = {"customer_id": "C-1", "placed_at": "2026-03-10T10:30:00+00:00", "subtotal": 1_000}
    cases = ((10, "W-1", True), (11, "W-2", False))
    for on, external_id, visit_first in cases:
        session = f"S-{external_id}"
        events = [
            {**event, "occurred_at": f"2026-03-{on}T10:{n:02d}:00+00:00"}
            for n, event in enumerate(visit(session, ["page_view", "product_view", "checkout"]))
        ]
        events[-1]["order_id"] = external_id
        placed = {**order, "external_id": external_id, "placed_at": f"2026-03-{on}T10:30:00+00:00"}
        assert post(f"{server}/api/v1/orders", placed, writer)[0] == 201
        if visit_first:
            refresh()  # the purchase is placed before its visit is reported
        assert post(f"{server}/api/v1/events", {"events": events}, writer)[0] == 201
        refresh()
    first, second = day(date(2026, 3, 10)), day(date(2026, 3, 11))
    assert (
        (first.sessions, first.converted_sessions)
        == (second.sessions, second.converted_sessions)
        == (1, 1)
    )
