"""The demo's line items are what the ingestion service stores for the same orders and refunds,
and the demo shop shows product pairs bought together well above chance."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import sqlalchemy as sa

from app.analytics.baskets import MIN_PAIR_ORDERS, product_pairs
from app.analytics.periods import DateRange
from app.database import begin_write
from app.demo import DemoSpec, generate_shop, load_shop
from app.extensions import db
from app.pipeline.ingest import ingest_orders
from app.pipeline.orders import add_refund, find_order
from app.pipeline.products import save_products
from app.pipeline.records import OrderBatch, ProductBatch, RefundIn

# Daylight saving starts inside the range; the catalog's costs change during it.
SPEC = DemoSpec.build(
    orders=600,
    days=60,
    customers=90,
    seed=11,
    timezone="America/New_York",
    end_date=date(2026, 3, 31),
    event_days=0,
)
NAMED = ("Returned", "Item returned")

STORED_LINES = sa.text(
    "SELECT o.external_id, l.line_number, p.external_id, l.quantity, l.unit_price, l.discount,"
    " l.unit_cost FROM order_lines l JOIN orders o ON o.id = l.order_id"
    " JOIN products p ON p.id = l.product_id"
)
STORED_REFUND_LINES = sa.text(
    "SELECT r.external_id, o.external_id, l.line_number, rl.quantity, rl.amount"
    " FROM refund_lines rl JOIN refunds r ON r.id = rl.refund_id"
    " JOIN order_lines l ON l.id = rl.order_line_id JOIN orders o ON o.id = l.order_id"
)
STORED_ORDERS = sa.text("SELECT external_id, status, subtotal, discount FROM orders")


def _iso(moment: np.datetime64) -> str:
    return str(moment.astype("datetime64[s]")) + "+00:00"


def _generated(tables: dict) -> tuple[set, set, set]:
    """The generator's rows, keyed by the shop's own ids as the database queries return them."""
    orders, products, lines = tables["orders"], tables["products"], tables["order_lines"]
    refunds, refund_lines = tables["refunds"], tables["refund_lines"]
    order_of_line = lines["order_id"] - 1
    line_rows = set(
        zip(
            orders["external_id"][order_of_line],
            lines["line_number"].tolist(),
            products["external_id"][lines["product_id"] - 1],
            lines["quantity"].tolist(),
            lines["unit_price"].tolist(),
            lines["discount"].tolist(),
            lines["unit_cost"],
            strict=True,
        )
    )
    returned = refund_lines["order_line_id"] - 1
    refund_rows = set(
        zip(
            refunds["external_id"][refund_lines["refund_id"] - 1],
            orders["external_id"][order_of_line[returned]],
            lines["line_number"][returned].tolist(),
            refund_lines["quantity"].tolist(),
            refund_lines["amount"].tolist(),
            strict=True,
        )
    )
    order_rows = set(
        zip(
            orders["external_id"],
            orders["status"],
            orders["subtotal"].tolist(),
            orders["discount"].tolist(),
            strict=True,
        )
    )
    return line_rows, refund_rows, order_rows


def _stored() -> tuple[set, set, set]:
    return tuple(
        {tuple(row) for row in db.session.execute(query)}
        for query in (STORED_LINES, STORED_REFUND_LINES, STORED_ORDERS)
    )


def _write(action) -> None:
    begin_write(db.session)
    action()
    db.session.commit()


def _send_catalog(tables: dict) -> None:
    products, costs = tables["products"], tables["product_costs"]
    records = []
    for index, external_id in enumerate(products["external_id"]):
        dated = np.flatnonzero(costs["product_id"] == index + 1)
        record = {
            "product_id": external_id,
            "name": products["name"][index],
            "sku": products["sku"][index],
            "category": products["category"][index],
        }
        if len(dated):
            record["costs"] = [
                {
                    "unit_cost": int(costs["unit_cost"][row]),
                    "effective_from": _iso(costs["effective_from"][row]),
                }
                for row in dated
            ]
        records.append(record)
    batch = ProductBatch().load({"products": records})
    _write(lambda: save_products(db.session, batch["products"]))


def _order_payloads(tables: dict) -> list[dict]:
    orders, customers, products = tables["orders"], tables["customers"], tables["products"]
    lines, payments = tables["order_lines"], tables["payments"]
    starts = np.searchsorted(lines["order_id"], orders["id"])
    ends = np.searchsorted(lines["order_id"], orders["id"], side="right")
    payloads = []
    for index in range(len(orders["id"])):
        completed = orders["completed_at"][index]
        payloads.append(
            {
                "external_id": orders["external_id"][index],
                "customer_id": customers["external_id"][orders["customer_id"][index] - 1],
                "placed_at": _iso(orders["placed_at"][index]),
                "completed_at": None if np.isnat(completed) else _iso(completed),
                # A full refund makes an order refunded; it arrives completed, as it was sold.
                "status": {"refunded": "completed"}.get(
                    orders["status"][index], orders["status"][index]
                ),
                "channel": orders["channel"][index],
                "subtotal": int(orders["subtotal"][index]),
                "discount": int(orders["discount"][index]),
                "shipping": int(orders["shipping"][index]),
                "tax": int(orders["tax"][index]),
                "payment_method": payments["method"][index],
                "lines": [
                    {
                        "product_id": products["external_id"][lines["product_id"][row] - 1],
                        "quantity": int(lines["quantity"][row]),
                        "unit_price": int(lines["unit_price"][row]),
                    }
                    for row in range(starts[index], ends[index])
                ],
            }
        )
    return payloads


def _send_refunds(tables: dict) -> None:
    orders, refunds, lines = tables["orders"], tables["refunds"], tables["order_lines"]
    refund_lines = tables["refund_lines"]
    for index in np.argsort(refunds["refunded_at"], kind="stable"):
        payload = {
            "refund_id": refunds["external_id"][index],
            "amount": int(refunds["amount"][index]),
            "refunded_at": _iso(refunds["refunded_at"][index]),
            "reason": refunds["reason"][index],
        }
        if refunds["reason"][index] in NAMED:
            rows = np.flatnonzero(refund_lines["refund_id"] == refunds["id"][index])
            payload["lines"] = [
                {
                    "line_number": int(
                        lines["line_number"][refund_lines["order_line_id"][row] - 1]
                    ),
                    "quantity": int(refund_lines["quantity"][row]),
                    "amount": int(refund_lines["amount"][row]),
                }
                for row in rows
            ]
        refund = RefundIn().load(payload)
        order = find_order(db.session, orders["external_id"][refunds["order_id"][index] - 1])
        db.session.commit()
        _write(lambda order=order, refund=refund: add_refund(db.session, order.id, refund))


def test_the_demo_stores_the_lines_the_ingestion_service_would_store(app):
    tables = generate_shop(SPEC).tables
    assert set(tables["refunds"]["reason"]) == {"Returned", "Item returned", "Partial refund"}
    assert any(cost is None for cost in tables["order_lines"]["unit_cost"])
    _send_catalog(tables)
    payloads = _order_payloads(tables)
    for start in range(0, len(payloads), 500):
        batch = OrderBatch().load({"orders": payloads[start : start + 500]})
        _write(lambda batch=batch: ingest_orders(db.session, batch["orders"]))
    _send_refunds(tables)
    lines, refund_lines, orders = _stored()
    expected_lines, expected_refund_lines, expected_orders = _generated(tables)
    assert len(lines) == len(tables["order_lines"]["id"])
    assert lines == expected_lines
    assert refund_lines == expected_refund_lines
    assert orders == expected_orders


def test_the_demo_loader_stores_the_generated_lines(app):
    tables = generate_shop(SPEC).tables
    load_shop(db.session, generate_shop(SPEC))
    db.session.commit()
    assert _stored() == _generated(tables)


def test_the_demo_shows_pairs_bought_together_well_above_chance(runner):
    result = runner.invoke(
        args=["demo", "seed", "--orders", "4000", "--days", "120", "--end-date", "2026-03-31"]
    )
    assert result.exit_code == 0, result.output
    days = DateRange(date(2026, 3, 31) - timedelta(days=119), date(2026, 3, 31))
    pairs = product_pairs(db.session, days)
    assert pairs, "no pair reached the minimum count"
    top = pairs[0]
    print(
        f"\ntop pair: {top.product_a} + {top.product_b}: {top.orders} orders, lift {top.lift:.1f}"
    )
    assert top.orders >= MIN_PAIR_ORDERS and top.lift > 1.5
    # Every demo order has lines: the products' net sales are the shop's net revenue.
    products_net = db.session.scalar(sa.text("SELECT SUM(net_sales) FROM product_daily"))
    shop_net = db.session.scalar(sa.text("SELECT SUM(net_revenue) FROM daily_analytics_snapshots"))
    assert products_net == shop_net > 0
