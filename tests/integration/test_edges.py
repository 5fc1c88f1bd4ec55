"""Input the happy path never sends: refused with a 4xx naming the field, the same on both
databases, and nothing written."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import ConversionEvent, Customer, Order, Refund
from tests.integration.http import post
from tests.refresh import refresh


def order(external_id: str = "WEB-1", **changes) -> dict:
    return {
        "external_id": external_id,
        "customer_id": "CUST-1",
        "placed_at": "2026-03-10T14:00:00+00:00",
        "subtotal": 1_000,
        **changes,
    }


def rows() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Order, Customer, Refund, ConversionEvent)
    )


def field_errors(body: dict, index: int = 0) -> dict:
    return body["errors"]["json"]["orders"][str(index)]


def test_the_longest_ids_the_api_allows_are_stored_and_counted(app, server, writer):
    longest = "O" * 64
    status, body = post(f"{server}/api/v1/orders", order(longest, customer_id="C" * 64), writer)
    assert (status, body["created"]) == (201, [longest])
    refresh()
    purchase = db.session.scalar(sa.select(ConversionEvent).where(ConversionEvent.order_id > 0))
    assert purchase.event_type == "purchase"  # its derived ids fit their columns too


def test_values_that_do_not_fit_a_column_are_refused_naming_the_field(app, server, writer):
    cases = {
        "customer_id": "C" * 65,
        "customer_email": "a" * 300 + "@example.com",
        "coupon_code": "X" * 41,
    }
    batch = {
        "orders": [
            order(f"W-{n}", **{name: value}) for n, (name, value) in enumerate(cases.items())
        ]
    }
    status, body = post(f"{server}/api/v1/orders", batch, writer)
    assert status == 422
    for index, name in enumerate(cases):
        assert name in field_errors(body, index), (name, body)
    assert rows() == (0, 0, 0, 0)


def test_nul_and_control_characters_are_refused_everywhere(app, server, writer):
    batch = {
        "orders": [
            order("W-1", customer_id="CUST\x00-1"),
            order("W-2\x00"),
            order("W-3", coupon_code="SPR\nING"),
        ]
    }
    status, body = post(f"{server}/api/v1/orders", batch, writer)
    assert status == 422
    assert "U+0000" in field_errors(body, 0)["customer_id"][0]
    assert "external_id" in field_errors(body, 1) and "coupon_code" in field_errors(body, 2)
    events = {
        "events": [
            {
                "event_id": "E-1",
                "type": "page_view",
                "session_id": "S-1",
                "occurred_at": "2026-03-10T10:00:00+00:00",
                "page": "/home\x00",
            }
        ]
    }
    status, body = post(f"{server}/api/v1/events", events, writer)
    assert status == 422 and "page" in body["errors"]["json"]["events"]["0"]
    assert rows() == (0, 0, 0, 0)


def test_one_customer_id_is_one_customer_and_look_alikes_are_refused(app, server, writer):
    assert post(f"{server}/api/v1/orders", order("W-1", customer_id=" CUST-1 "), writer)[0] == 201
    assert post(f"{server}/api/v1/orders", order("W-2", customer_id="CUST-1"), writer)[0] == 201
    # é composed and decomposed are the same letter: the same customer.
    post(f"{server}/api/v1/orders", order("W-3", customer_id="CAF\u00c9"), writer)
    post(f"{server}/api/v1/orders", order("W-4", customer_id="CAFE\u0301"), writer)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 2
    for look_alike in ("CUST-1\u200b", "CUST\u00a01", "\u202eCUST-1"):
        status, body = post(f"{server}/api/v1/orders", order("W-9", customer_id=look_alike), writer)
        assert status == 422 and "customer_id" in field_errors(body), look_alike


def test_ids_the_shop_keeps_for_itself_are_refused(app, server, writer):
    status, body = post(f"{server}/api/v1/orders", order(customer_id="erased-5"), writer)
    assert status == 422 and "reserved" in field_errors_of(body, "customer_id")


def field_errors_of(body: dict, name: str) -> str:
    return " ".join(field_errors(body)[name])


def test_moments_that_cannot_be_true_are_refused(app, server, writer):
    early = order(completed_at="2026-03-01T00:00:00+00:00")
    status, body = post(f"{server}/api/v1/orders", early, writer)
    assert status == 422 and "completed_at" in field_errors(body)
    status, body = post(
        f"{server}/api/v1/orders", order(placed_at="2999-01-01T00:00:00+00:00"), writer
    )
    assert status == 422 and "future" in field_errors_of(body, "placed_at")
    status, body = post(
        f"{server}/api/v1/orders", order(placed_at="1850-01-01T00:00:00+00:00"), writer
    )
    assert status == 422 and "placed_at" in field_errors(body)
    assert post(f"{server}/api/v1/orders", order(), writer)[0] == 201
    future = {"refund_id": "R-1", "amount": 100, "refunded_at": "2999-01-01T00:00:00Z"}
    status, body = post(f"{server}/api/v1/orders/WEB-1/refunds", future, writer)
    assert status == 422 and "refunded_at" in body["errors"]["json"]
    assert rows()[2] == 0
