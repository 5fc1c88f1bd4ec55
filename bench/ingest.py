"""Batch ingestion through the service layer, beside a bare INSERT of the same rows.

The service stores each new order and its payment (and its lines, when sent) and marks one
stale key per batch; the figures are the refresher's work, measured apart (freshness under
`make load`). The baseline inserts the same order, payment and line rows, with the same real
customer and product ids, and nothing else: the line rows are the ones the service wrote
(its discount shares and frozen costs), read back before its batch is rolled back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.api.schemas import OrderBatch
from app.models import Customer, Order, OrderLine, Payment, Product
from app.pipeline.ingest import ingest_orders
from bench.report import Figure

BATCHES = 5
BATCH_SIZE = 1000
ORDERS, PAYMENTS, LINES = Order.__table__, Payment.__table__, OrderLine.__table__
BUDGET_RATIO = 0.4  # DESIGN.md: at least 0.4× a bare INSERT of the same rows
LINES_BUDGET_RATIO = 0.3  # issue 14: with lines, at least 0.3×
MAX_LINES = 4  # an order gets 1–4 lines: 2.5 on average, as the demo shop has


@dataclass(frozen=True)
class Shop:
    """The real customers and products a batch names, in id order."""

    customers: list[str]
    products: list[str]

    @classmethod
    def of(cls, session: Session) -> Shop:
        customers = session.scalars(sa.select(Customer.external_id).order_by(Customer.id)).all()
        products = session.scalars(sa.select(Product.external_id).order_by(Product.id)).all()
        return cls(list(customers), list(products))


def _lines(shop: Shop, n: int) -> list[dict]:
    return [
        {
            "product_id": shop.products[(n * 31 + line * 97) % len(shop.products)],
            "quantity": 1 + (n + line) % 3,
            "unit_price": 499 + 100 * ((n * 7 + line * 13) % 40),
        }
        for line in range(1 + n % MAX_LINES)
    ]


def _batch(run: int, shop: Shop, size: int, with_lines: bool) -> list[dict]:
    orders = []
    for n in range(size):
        lines = _lines(shop, n) if with_lines else None
        subtotal = sum(x["quantity"] * x["unit_price"] for x in lines) if lines else 2_000 + n
        orders.append(
            {
                "external_id": f"BENCH-{'L' if with_lines else ''}{run}-{n}",
                "customer_id": shop.customers[(n * 7919) % len(shop.customers)],
                "placed_at": f"2026-10-31T{10 + n % 12:02d}:{n % 60:02d}:00+00:00",
                "subtotal": subtotal,
                "discount": 100,
                "tax": 150,
                "channel": "web",
                **({"lines": lines} if lines else {}),
            }
        )
    return orders


def _bare_rows(session: Session, orders: list[dict]) -> list[dict]:
    """The order rows the service would write, with the customers' real ids."""
    customers = dict(
        session.execute(
            sa.select(Customer.external_id, Customer.id).where(
                Customer.external_id.in_({o["customer_id"] for o in orders})
            )
        ).all()
    )
    return [
        {
            "external_id": o["external_id"],
            "customer_id": customers[o["customer_id"]],
            "placed_at": o["placed_at"],
            "completed_at": o["placed_at"],
            "business_date": o["placed_at"].date(),
            "status": "completed",
            "channel": o["channel"],
            "subtotal": o["subtotal"],
            "discount": o["discount"],
            "shipping": 0,
            "tax": o["tax"],
            "total": o["subtotal"] - o["discount"] + o["tax"],
            "campaign_id": None,
            "coupon_code": None,
        }
        for o in orders
    ]


def _written_lines(session: Session, orders: list[dict]) -> dict[str, list[dict]]:
    """The line rows the service wrote for the batch, by order (read before its rollback)."""
    columns = ("line_number", "product_id", "quantity", "unit_price", "discount", "unit_cost")
    written: dict[str, list[dict]] = {}
    rows = session.execute(
        sa.select(ORDERS.c.external_id, *(LINES.c[name] for name in columns))
        .join(ORDERS, ORDERS.c.id == LINES.c.order_id)
        .where(ORDERS.c.external_id.in_([o["external_id"] for o in orders]))
    )
    for external_id, *values in rows:
        written.setdefault(external_id, []).append(dict(zip(columns, values, strict=True)))
    return written


def _bare_insert(
    session: Session, rows: list[dict], payments: bool, lines: dict[str, list[dict]] | None = None
) -> float:
    started = time.perf_counter()
    inserted = session.execute(
        sa.insert(ORDERS).returning(
            ORDERS.c.id, ORDERS.c.external_id, ORDERS.c.total, ORDERS.c.placed_at
        ),
        rows,
    ).all()
    if payments:
        session.execute(
            sa.insert(PAYMENTS),
            [
                {
                    "order_id": i,
                    "method": "card",
                    "amount": t,
                    "status": "captured",
                    "created_at": p,
                }
                for i, _, t, p in inserted
            ],
        )
    if lines:
        session.execute(
            sa.insert(LINES),
            [{"order_id": i, **line} for i, e, _, _ in inserted for line in lines[e]],
        )
    elapsed = time.perf_counter() - started
    session.rollback()
    return elapsed


@dataclass
class Timings:
    service: float = 0.0
    validated: float = 0.0
    bare: float = 0.0
    bare_orders: float = 0.0
    lines: int = 0


def _measure(session: Session, shop: Shop, size: int, batches: int, with_lines: bool) -> Timings:
    """Each batch rolled back after it is measured, so the bench data stays put."""
    timings = Timings()
    for run in range(batches):
        payload = {"orders": _batch(run, shop, size, with_lines)}
        started = time.perf_counter()
        orders = OrderBatch().load(payload)["orders"]
        validation = time.perf_counter() - started
        started = time.perf_counter()
        ingest_orders(session, orders)
        session.flush()
        timings.service += time.perf_counter() - started
        timings.validated += validation + time.perf_counter() - started
        written = _written_lines(session, orders) if with_lines else None
        timings.lines += sum(map(len, written.values())) if written else 0
        session.rollback()
        rows = _bare_rows(session, orders)
        session.rollback()
        timings.bare += _bare_insert(session, rows, payments=True, lines=written)
        if not with_lines:
            timings.bare_orders += _bare_insert(session, rows, payments=False)
    return timings


def ingest_figures(
    session: Session, batches: int = BATCHES, batch_size: int = BATCH_SIZE
) -> list[Figure]:
    shop = Shop.of(session)
    count = batches * batch_size
    plain = _measure(session, shop, batch_size, batches, with_lines=False)
    figures = [
        Figure(
            f"ingestion, service layer, {batch_size}/batch (ratio: bare INSERT time / ours)",
            count / plain.service,
            count / plain.bare,
            budget_ratio=BUDGET_RATIO,
            unit="orders/s",
            higher_is_better=True,
        ),
        Figure(
            "  bare INSERT of the same orders and payments (orders/s)",
            count / plain.bare,
            unit="orders/s",
        ),
        Figure(
            "  bare INSERT of the orders alone (orders/s)",
            count / plain.bare_orders,
            unit="orders/s",
        ),
        Figure(
            "  service layer with the API's validation (orders/s)",
            count / plain.validated,
            unit="orders/s",
        ),
    ]
    if not shop.products:
        return figures
    lined = _measure(session, shop, batch_size, batches, with_lines=True)
    figures += [
        Figure(
            f"ingestion with lines ({lined.lines / count:.1f} an order), service layer,"
            f" {batch_size}/batch (ratio: bare INSERT time / ours)",
            count / lined.service,
            count / lined.bare,
            budget_ratio=LINES_BUDGET_RATIO,
            unit="orders/s",
            higher_is_better=True,
        ),
        Figure(
            "  bare INSERT of the same orders, payments and lines (orders/s)",
            count / lined.bare,
            unit="orders/s",
        ),
        Figure(
            "  service layer with lines and the API's validation (orders/s)",
            count / lined.validated,
            unit="orders/s",
        ),
    ]
    return figures
