"""Batch ingestion through the service layer, beside a bare INSERT of the same rows.

The service stores each new order and its payment and marks one stale key per batch; the
figures are the refresher's work, measured apart (freshness under `make load`). The baseline
inserts the same order and payment rows, with the same real customer ids, and nothing else.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.api.schemas import OrderBatch
from app.models import Customer, Order, Payment
from app.pipeline.ingest import ingest_orders
from bench.report import Figure

BATCHES = 5
BATCH_SIZE = 1000
ORDERS, PAYMENTS = Order.__table__, Payment.__table__
BUDGET_RATIO = 0.4  # DESIGN.md: at least 0.4× a bare INSERT of the same rows


def _batch(run: int) -> list[dict]:
    return [
        {
            "external_id": f"BENCH-{run}-{n}",
            "customer_id": f"CUST-{(n * 7919) % 100_000 + 1:07d}",
            "placed_at": f"2026-10-31T{10 + n % 12:02d}:{n % 60:02d}:00+00:00",
            "subtotal": 2_000 + n,
            "discount": 100,
            "tax": 150,
            "channel": "web",
        }
        for n in range(BATCH_SIZE)
    ]


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


def _bare_insert(session: Session, rows: list[dict], payments: bool) -> float:
    started = time.perf_counter()
    inserted = session.execute(
        sa.insert(ORDERS).returning(ORDERS.c.id, ORDERS.c.total, ORDERS.c.placed_at), rows
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
                for i, t, p in inserted
            ],
        )
    elapsed = time.perf_counter() - started
    session.rollback()
    return elapsed


def ingest_figures(session: Session) -> list[Figure]:
    """Each batch rolled back after it is measured, so the bench data stays put."""
    service = validated = bare = bare_orders = 0.0
    for run in range(BATCHES):
        payload = {"orders": _batch(run)}
        started = time.perf_counter()
        orders = OrderBatch().load(payload)["orders"]
        validation = time.perf_counter() - started
        started = time.perf_counter()
        ingest_orders(session, orders)
        session.flush()
        service += time.perf_counter() - started
        validated += validation + time.perf_counter() - started
        session.rollback()
        rows = _bare_rows(session, orders)
        session.rollback()
        bare += _bare_insert(session, rows, payments=True)
        bare_orders += _bare_insert(session, rows, payments=False)
    count = BATCHES * BATCH_SIZE
    return [
        Figure(
            f"ingestion, service layer, {BATCH_SIZE}/batch (ratio: bare INSERT time / ours)",
            count / service,
            count / bare,
            budget_ratio=BUDGET_RATIO,
            unit="orders/s",
            higher_is_better=True,
        ),
        Figure(
            "  bare INSERT of the same orders and payments (orders/s)",
            count / bare,
            unit="orders/s",
        ),
        Figure(
            "  bare INSERT of the orders alone (orders/s)", count / bare_orders, unit="orders/s"
        ),
        Figure(
            "  service layer with the API's validation (orders/s)",
            count / validated,
            unit="orders/s",
        ),
    ]
