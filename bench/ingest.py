"""Batch ingestion speed with real-time tracking on, beside a bare INSERT of the same rows."""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.api.schemas import OrderBatch
from app.ingest import ingest_orders
from app.models import Order
from bench.report import Figure

BATCHES = 5
BATCH_SIZE = 1000
BUDGET_ORDERS_PER_SECOND = 5000


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


def ingest_figures(session: Session) -> list[Figure]:
    """Validated, tracked ingestion rolled back after each batch, so the bench data stays put."""
    tracked = bare = 0.0
    for run in range(BATCHES):
        payload = {"orders": _batch(run)}
        started = time.perf_counter()
        orders = OrderBatch().load(payload)["orders"]
        ingest_orders(session, orders)
        session.flush()
        tracked += time.perf_counter() - started
        session.rollback()
        rows = [
            {
                **order,
                "business_date": order["placed_at"].date(),
                "total": order["subtotal"] - 100 + 150,
                "customer_id": None,
                "completed_at": order["placed_at"],
                "status": "completed",
            }
            for order in orders
        ]
        for row in rows:
            for name in ("payment_method", "customer_email", "coupon_code"):
                row.pop(name, None)
        started = time.perf_counter()
        session.execute(sa.insert(Order), rows)
        bare += time.perf_counter() - started
        session.rollback()
    orders = BATCHES * BATCH_SIZE
    rate, bare_rate = orders / tracked, orders / bare
    return [
        Figure(
            f"batch ingest, {BATCH_SIZE}/batch, tracking on (orders/s)",
            rate,
            BUDGET_ORDERS_PER_SECOND,
            unit="orders/s",
        ),
        Figure("  bare INSERT of the same rows (orders/s)", bare_rate, unit="orders/s"),
    ]
