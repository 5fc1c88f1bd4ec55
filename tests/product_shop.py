"""A small shop with products, lines, a line-level return and a product without a cost, built
through the service layer (as the API and the importer write it), then refreshed.

March 2026 (UTC shop): ten new customers buy a mug and tea together on the 5th, two more buy
tea alone on the 6th, three of the first ten and one newcomer buy a gift card (no cost known)
on the 20th, and one mug comes back on the 25th. Two tea orders in February are the compared
period. The figures a person would check, worked out by hand, are in `EXPECTED`.
"""

from __future__ import annotations

from app.database import begin_write
from app.extensions import db
from app.pipeline.ingest import ingest_orders
from app.pipeline.orders import add_refund, find_order
from app.pipeline.products import save_products
from app.pipeline.records import OrderIn, ProductBatch, RefundIn
from tests.refresh import refresh

MUG, TEA, CARD = ("MUG", 1_000, 400), ("TEA", 500, 300), ("CARD", 2_000, None)
EXPECTED = {
    # Net sales: mugs 10 × 10.00 − 10.00 back, tea 12 × 5.00, cards 4 × 20.00.
    "net_sales": 9_000 + 6_000 + 8_000,
    "units": 10 + 12 + 4,
    # Profit on the mug and tea sales only: (9,000 − 9 × 400) + (6,000 − 12 × 300).
    "gross_profit": (9_000 - 3_600) + (6_000 - 3_600),
    "costed_sales": 9_000 + 6_000,
    "returns": 1_000,
    "previous_net_sales": 2 * 500,
    "orders_with_lines": 16,
}


def _write(action):
    begin_write(db.session)
    result = action()
    db.session.commit()
    return result


def _order(number: int, customer: str, placed: str, *items: tuple) -> dict:
    lines = [{"product_id": pid, "quantity": 1, "unit_price": price} for pid, price, _ in items]
    return OrderIn().load(
        {
            "external_id": f"PO{number}",
            "customer_id": customer,
            "placed_at": placed,
            "subtotal": sum(price for _, price, _ in items),
            "lines": lines,
        }
    )


def build_product_shop() -> None:
    catalog = ProductBatch().load(
        {
            "products": [
                {
                    "product_id": "MUG",
                    "name": "Stoneware mug",
                    "sku": "MUG-1",
                    "category": "Kitchen",
                    "unit_cost": 400,
                    "cost_from": "2026-01-01T00:00:00+00:00",
                },
                {
                    "product_id": "TEA",
                    "name": "Breakfast tea",
                    "category": "Pantry",
                    "unit_cost": 300,
                    "cost_from": "2026-01-01T00:00:00+00:00",
                },
                {"product_id": "CARD", "name": "Gift card", "category": "Gifts"},
            ]
        }
    )
    _write(lambda: save_products(db.session, catalog["products"]))
    orders = [
        _order(n, f"PC{n}", f"2026-03-05T1{n % 10}:00:00+00:00", MUG, TEA) for n in range(1, 11)
    ]
    orders += [_order(n, f"PC{n}", "2026-03-06T12:00:00+00:00", TEA) for n in (11, 12)]
    orders += [
        _order(12 + n, customer, "2026-03-20T12:00:00+00:00", CARD)
        for n, customer in enumerate(("PC1", "PC2", "PC3", "PC13"), start=1)
    ]
    orders += [_order(n, f"PC{n}", "2026-02-10T12:00:00+00:00", TEA) for n in (17, 18)]
    _write(lambda: ingest_orders(db.session, orders))
    first = find_order(db.session, "PO1")
    db.session.commit()
    mug_back = RefundIn().load(
        {
            "refund_id": "PR1",
            "amount": 1_000,
            "refunded_at": "2026-03-25T12:00:00+00:00",
            "lines": [{"line_number": 1, "quantity": 1, "amount": 1_000}],
        }
    )
    _write(lambda: add_refund(db.session, first.id, mug_back))
    refresh()


CATALOG = (
    # id, name, category, price, unit cost (None: never known)
    ("MUG", "Stoneware mug", "Kitchen", 1_200, 400),
    ("POT", "Teapot", "Kitchen", 3_500, 1_500),
    ("CUPS", "Espresso cups (set of 4)", "Kitchen", 2_400, 900),
    ("TEA", "Breakfast tea", "Pantry", 800, 300),
    ("GREEN", "Green tea", "Pantry", 900, 350),
    ("HONEY", "Honey jar", "Pantry", 1_100, 500),
    ("NAPKIN", "Linen napkins", "Home", 1_800, 700),
    ("CANDLE", "Soy candle", "Home", 1_500, None),
    ("THROW", "Wool throw", "Home", 6_000, 2_500),
    ("CARD", "Gift card", "Gifts", 2_500, None),
    ("WRAP", "Gift wrap", "Gifts", 300, 50),
)
# Bought together more often than chance: a mug with tea, a teapot with green tea or honey.
AFFINITY = {"MUG": ("TEA",), "POT": ("GREEN", "HONEY"), "THROW": ("CANDLE",), "CARD": ("WRAP",)}


def build_catalog_shop(seed: int = 14) -> None:
    """About 400 orders over February and March 2026 across eleven products in four
    categories, some without a known cost, a few lines returned; for the browser and the
    screenshot."""
    import random
    from datetime import UTC, date, datetime, timedelta

    rng = random.Random(seed)
    prices = {pid: price for pid, _, _, price, _ in CATALOG}
    batch = ProductBatch().load(
        {
            "products": [
                {
                    "product_id": pid,
                    "name": name,
                    "sku": f"SF-{pid}",
                    "category": category,
                    **(
                        {"unit_cost": cost, "cost_from": "2026-01-01T00:00:00+00:00"}
                        if cost is not None
                        else {}
                    ),
                }
                for pid, name, category, _, cost in CATALOG
            ]
        }
    )
    _write(lambda: save_products(db.session, batch["products"]))
    weights = [6, 2, 2, 7, 3, 3, 2, 3, 1, 3, 1]
    orders, day, number = [], date(2026, 2, 1), 0
    while day <= date(2026, 3, 31):
        growth = 1.6 if day.month == 3 else 1.0
        for _ in range(rng.randint(3, 6) if growth == 1 else rng.randint(5, 9)):
            number += 1
            first = rng.choices([p[0] for p in CATALOG], weights)[0]
            chosen = [first]
            for partner in AFFINITY.get(first, ()):
                if rng.random() < 0.6:
                    chosen.append(partner)
            if rng.random() < 0.2:
                chosen.append(rng.choice([p[0] for p in CATALOG]))
            lines = [
                {"product_id": pid, "quantity": rng.randint(1, 2), "unit_price": prices[pid]}
                for pid in dict.fromkeys(chosen)
            ]
            placed = datetime(day.year, day.month, day.day, rng.randint(8, 21), tzinfo=UTC)
            orders.append(
                OrderIn().load(
                    {
                        "external_id": f"CO{number}",
                        "customer_id": f"CC{rng.randint(1, 40 + number // 3)}",
                        "placed_at": placed.isoformat(),
                        "subtotal": sum(line["quantity"] * line["unit_price"] for line in lines),
                        "lines": lines,
                    }
                )
            )
        day += timedelta(days=1)
    _write(lambda: ingest_orders(db.session, orders))
    for order in orders[::23]:  # every 23rd order sends its first line's units back
        seen = find_order(db.session, order["external_id"])
        db.session.commit()
        line = order["lines"][0]
        amount = line["quantity"] * line["unit_price"]
        back = RefundIn().load(
            {
                "refund_id": f"R{order['external_id']}",
                "amount": amount,
                "refunded_at": (order["placed_at"] + timedelta(days=3)).isoformat(),
                "lines": [{"line_number": 1, "quantity": line["quantity"], "amount": amount}],
            }
        )
        _write(lambda seen=seen, back=back: add_refund(db.session, seen.id, back))
    refresh()
