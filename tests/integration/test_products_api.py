"""Products and line items over real HTTP: lines that must add up, costs frozen at the sale,
line-level refunds, and the read API's profit beside the share of sales it covers."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Order, OrderLine, Product, RefundLine
from app.shop import today
from tests.integration.http import call, post
from tests.refresh import refresh


def _placed(days_ago: int) -> str:
    return f"{(today() - timedelta(days=days_ago)).isoformat()}T12:00:00+00:00"


def order(number: int, lines: list[dict], discount: int = 0, days_ago: int = 3) -> dict:
    return {
        "external_id": f"L-{number}",
        "customer_id": f"C-{number % 2}",
        "placed_at": _placed(days_ago),
        "subtotal": sum(line["quantity"] * line["unit_price"] for line in lines),
        "discount": discount,
        "lines": lines,
    }


MUG = {"product_id": "MUG", "quantity": 2, "unit_price": 1_500, "name": "Mug", "category": "Home"}
TEA = {"product_id": "TEA", "quantity": 1, "unit_price": 1_000, "name": "Tea", "category": "Food"}


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_lines_that_do_not_add_up_are_refused_naming_the_difference(app, server, writer):
    bad = order(1, [MUG, TEA])
    bad["subtotal"] += 250
    status, body = post(f"{server}/api/v1/orders", bad, writer)
    assert status == 422
    assert "difference of -250" in str(body)
    assert (count(Order), count(OrderLine), count(Product)) == (0, 0, 0)


def test_a_batch_with_one_bad_line_writes_nothing(app, server, writer):
    good = order(1, [MUG])
    bad = order(2, [{**TEA, "quantity": 0}])
    status, body = post(f"{server}/api/v1/orders", {"orders": [good, bad]}, writer)
    assert status == 422 and "quantity" in str(body)
    assert (count(Order), count(OrderLine)) == (0, 0)


def test_resending_lines_is_harmless_and_different_lines_conflict(app, server, writer):
    sent = order(1, [MUG, TEA], discount=400)
    assert post(f"{server}/api/v1/orders", sent, writer)[0] == 201
    status, body = post(f"{server}/api/v1/orders", sent, writer)
    assert status == 201 and body == {"created": [], "unchanged": ["L-1"]}
    other = {**sent, "lines": [{**TEA, "quantity": 4}]}
    status, body = post(f"{server}/api/v1/orders", other, writer)
    assert status == 409 and "different lines" in str(body)
    db.session.expire_all()
    discounts = db.session.scalars(sa.select(OrderLine.discount).order_by(OrderLine.line_number))
    # The order's 400 spread by value: 3,000 of mugs and 1,000 of tea.
    assert list(discounts) == [300, 100]


def test_profit_uses_the_cost_in_force_at_the_sale_and_says_how_much_it_covers(
    app, server, writer, reader
):
    cost = {"product_id": "MUG", "name": "Mug", "category": "Home", "unit_cost": 600}
    cost["cost_from"] = _placed(30)
    status, body = post(f"{server}/api/v1/products", cost, writer)
    assert status == 201 and body["created"] == ["MUG"]
    assert post(f"{server}/api/v1/orders", order(1, [MUG, TEA], days_ago=3), writer)[0] == 201
    # The mug's cost goes up after the sale: the sale keeps the cost it had.
    later = {**cost, "unit_cost": 900, "cost_from": _placed(1)}
    assert post(f"{server}/api/v1/products", later, writer)[0] == 201
    refresh()
    status, body = call(f"{server}/api/v1/products?days=30", reader)
    assert status == 200
    rows = {row["product_id"]: row for row in body["products"]}
    mug, tea = rows["MUG"], rows["TEA"]
    assert mug["net_sales"]["minor"] == 3_000
    assert mug["cost_of_goods"]["minor"] == 1_200  # 2 × 600, not 2 × 900
    assert mug["gross_profit"]["minor"] == 1_800 and mug["margin"] == 0.6
    assert mug["cost_known_share"] == 1.0
    # Tea's cost is not known: no profit is claimed for it, and the share says so.
    assert tea["cost_of_goods"]["minor"] == 0 and tea["cost_known_share"] == 0
    assert tea["margin"] is None

    # Tea's cost arrives, dated before the sale: the sale takes it.
    tea_cost = {"product_id": "TEA", "name": "Tea", "unit_cost": 250, "cost_from": _placed(60)}
    status, body = post(f"{server}/api/v1/products", tea_cost, writer)
    assert status == 201 and body["lines_costed"] == 1
    refresh()
    status, body = call(f"{server}/api/v1/products/TEA?days=30", reader)
    assert status == 200 and body["category"] == "Food"
    assert [day["cost_of_goods"]["minor"] for day in body["days"]] == [250]
    assert [c["unit_cost"]["minor"] for c in body["costs"]] == [250]


def test_a_cost_already_in_force_is_not_silently_rewritten(app, server, writer):
    cost = {"product_id": "MUG", "name": "Mug", "unit_cost": 600, "cost_from": _placed(30)}
    assert post(f"{server}/api/v1/products", cost, writer)[0] == 201
    status, body = post(f"{server}/api/v1/products", cost, writer)
    assert status == 201 and body["unchanged"] == ["MUG"]
    status, body = post(f"{server}/api/v1/products", {**cost, "unit_cost": 650}, writer)
    assert status == 409 and "already in force" in str(body)


def test_a_refund_names_what_came_back_and_returns_net_on_the_refund_day(
    app, server, writer, reader
):
    assert post(f"{server}/api/v1/orders", order(1, [MUG, TEA], days_ago=5), writer)[0] == 201
    url = f"{server}/api/v1/orders/L-1/refunds"
    back = {
        "refund_id": "R-1",
        "amount": 1_500,
        "refunded_at": _placed(2),
        "lines": [{"product_id": "MUG", "quantity": 1, "amount": 1_500}],
    }
    assert post(url, back, writer)[0] == 201
    assert post(url, back, writer)[0] == 200  # the same refund again: unchanged
    other_line = {**back, "lines": [{"product_id": "TEA", "quantity": 1, "amount": 1_000}]}
    other_line["amount"] = 1_500
    other_line["lines"][0]["amount"] = 1_500
    status, body = post(url, other_line, writer)
    assert status == 409 and "already received" in str(body)
    too_many = {**back, "refund_id": "R-2", "lines": [{**back["lines"][0], "quantity": 2}]}
    status, body = post(url, too_many, writer)
    assert status == 409 and "left to return" in str(body)
    wrong_sum = {**back, "refund_id": "R-3", "amount": 1_400}
    status, body = post(url, wrong_sum, writer)
    assert status == 422 and "difference of 100" in str(body)
    no_line = {**back, "refund_id": "R-4", "lines": [{"line_number": 9, "amount": 1_500}]}
    assert post(url, no_line, writer)[0] == 422
    # A refund naming no lines is spread over what is left of each: 1,500 of mugs, 1,000 tea.
    assert (
        post(url, {"refund_id": "R-5", "amount": 500, "refunded_at": _placed(1)}, writer)[0] == 201
    )
    db.session.expire_all()
    assert count(RefundLine) == 3
    refresh()
    status, body = call(f"{server}/api/v1/products/MUG?days=30", reader)
    by_day = {day["date"]: day for day in body["days"]}
    returned_on = (today() - timedelta(days=2)).isoformat()
    assert by_day[returned_on]["returns"]["minor"] == 1_500
    assert by_day[returned_on]["returned_units"] == 1
    assert by_day[(today() - timedelta(days=5)).isoformat()]["gross"]["minor"] == 3_000
    spread_day = (today() - timedelta(days=1)).isoformat()
    assert by_day[spread_day]["returns"]["minor"] == 300  # 500 × 1,500 / 2,500


def test_reading_products_needs_a_login_or_token_and_writing_a_write_token(app, server, reader):
    assert call(f"{server}/api/v1/products")[0] == 401
    assert call(f"{server}/api/v1/products/MUG", reader)[0] == 404
    status, _ = post(f"{server}/api/v1/products", {"product_id": "X", "name": "X"}, reader)
    assert status == 403
    assert call(f"{server}/api/v1/products?sort=price", reader)[0] in (400, 422)
