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


def test_a_body_too_large_is_refused_before_it_is_read(make_app, writer):
    small = make_app(MAX_CONTENT_LENGTH=2_000).test_client()
    batch = {"orders": [order(f"W-{n}") for n in range(40)]}
    response = small.post(
        "/api/v1/orders", json=batch, headers={"Authorization": f"Bearer {writer}"}
    )
    assert response.status_code == 413 and response.is_json
    assert rows() == (0, 0, 0, 0)


def test_json_nested_too_deep_is_refused_before_it_is_parsed(app, client, writer):
    for body in ("[" * 100_000 + "]" * 100_000, '{"orders": ' + "[" * 40 + "]" * 40 + "}"):
        response = client.post(
            "/api/v1/orders",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {writer}"},
        )
        assert response.status_code == 400 and "nests deeper than 32" in response.json["error"]
    assert rows() == (0, 0, 0, 0)


def test_a_callback_that_does_not_exist_is_a_400(client, auth, viewer):
    auth.login(viewer.email)
    unknown = {
        "output": "nothing.children",
        "outputs": {"id": "nothing", "property": "children"},
        "inputs": [],
        "changedPropIds": [],
        "state": [],
    }
    response = client.post("/analytics/_dash-update-component", json=unknown)
    assert response.status_code == 400 and response.json["error"] == "no such callback"


def test_an_id_beyond_any_campaign_is_a_404_for_every_method(app, server, writer):
    from tests.integration.http import send

    for method, body in (("GET", None), ("PATCH", {"name": "x"})):
        status, answer = send(method, f"{server}/api/v1/campaigns/99999999999", body, writer)
        assert (status, answer["status"]) == (404, 404), method


def test_a_grid_request_never_returns_more_than_a_page(app):
    from app.dash_apps.pages.customers import MAX_ROWS_PER_CALL, row_window

    assert row_window({"startRow": 0, "endRow": -1}) == (0, 0)
    assert row_window({"startRow": -50, "endRow": 10**9}) == (0, MAX_ROWS_PER_CALL)
    assert row_window({"startRow": "x", "endRow": None}) == (0, 50)


def test_dates_outside_the_calendar_the_api_accepts_fall_back_on_the_pages(app):
    from app.dash_apps.pages import cohorts, dashboard, products
    from tests.product_shop import build_product_shop

    build_product_shop()  # so that the products page reads its tables too
    for search in ("?start=0001-01-01&end=0001-01-31", "?start=9999-01-01&end=9999-12-31"):
        _empty, kpis, *_ = dashboard.update_dashboard(search)  # no OverflowError: 30 days
        assert len(kpis) == 8 + 2  # and gross profit and margin
        assert cohorts.update_cohorts(search) is not None
        assert "No sales with lines" in str(products.update_products(search)[0])


def test_an_order_id_in_the_path_that_no_order_could_have_is_a_404(app, server, writer):
    for path in ("W%00-1", "W%0a1", "X" * 80, "%E2%80%8BW-1"):
        for tail, body in (
            ("status", {"status": "completed"}),
            ("refunds", {"refund_id": "R", "amount": 1, "refunded_at": "2026-03-11T00:00:00Z"}),
        ):
            status, answer = post(f"{server}/api/v1/orders/{path}/{tail}", body, writer)
            assert (status, answer["status"]) == (404, 404), (path, tail, answer)
