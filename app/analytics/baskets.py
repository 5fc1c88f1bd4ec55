"""What is bought together, and which first purchases bring customers back.

Pairs come from the refresher's per-day pair counts (app/analytics/pairs.py): for products
A and B over a range, support = orders with both / orders with lines, confidence(A→B) =
orders with both / orders with A, lift = confidence(A→B) / share of orders with B (above 1:
bought together more often than chance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.pairs import KEY, PAIR_KEY_SHIFT, split_key, summed_pairs
from app.analytics.periods import DateRange
from app.analytics.sql import raw_rows
from app.models import (
    BasketDaily,
    CustomerMetrics,
    Order,
    OrderLine,
    Product,
    ProductDaily,
)

BASKETS, DAILY = BasketDaily.__table__, ProductDaily.__table__
PRODUCTS, ORDERS, LINES = Product.__table__, Order.__table__, OrderLine.__table__
METRICS = CustomerMetrics.__table__
MIN_PAIR_ORDERS = 5
MIN_FIRST_BUYERS = 10


@dataclass(frozen=True)
class Pair:
    product_a: str
    product_b: str
    orders: int
    support: float
    confidence_a_to_b: float
    confidence_b_to_a: float
    lift: float


def product_pairs(
    session: Session, days: DateRange, *, min_orders: int = MIN_PAIR_ORDERS, limit: int = 20
) -> list[Pair]:
    """The pairs bought together in the most orders (at least `min_orders`), most first."""
    in_range = BASKETS.c.business_date.between(days.start, days.end)
    rows = session.execute(
        sa.select(BASKETS.c.orders, BASKETS.c.pair_keys, BASKETS.c.pair_orders).where(in_range)
    ).all()
    total = sum(orders for orders, _, _ in rows)
    keys, together = summed_pairs([(k, c) for _, k, c in rows])
    wanted = np.flatnonzero(together >= min_orders)
    # Most orders first; equal counts in key order, so the list is stable.
    top = wanted[np.lexsort((keys[wanted], -together[wanted]))][:limit]
    if not len(top):
        return []
    pairs = [(*split_key(keys[i]), int(together[i])) for i in top]
    ids = {a for a, _, _ in pairs} | {b for _, b, _ in pairs}
    alone = dict(
        session.execute(
            sa.select(DAILY.c.product_id, sa.func.sum(DAILY.c.orders))
            .where(
                DAILY.c.business_date.between(days.start, days.end),
                DAILY.c.product_id.in_(ids),
            )
            .group_by(DAILY.c.product_id)
        ).all()
    )
    names = {product: name for product, (name, _category) in _described(session, ids).items()}
    return [
        Pair(
            product_a=names[a],
            product_b=names[b],
            orders=both,
            support=both / total,
            confidence_a_to_b=both / alone[a],
            confidence_b_to_a=both / alone[b],
            lift=both * total / (alone[a] * alone[b]),
        )
        for a, b, both in pairs
    ]


@dataclass(frozen=True)
class FirstProduct:
    product: str
    category: str
    customers: int
    repeaters: int

    @property
    def repeat_rate(self) -> float:
        return self.repeaters / self.customers


def first_product_repeat(
    session: Session, days: DateRange, *, min_customers: int = MIN_FIRST_BUYERS
) -> list[FirstProduct]:
    """For the customers whose first purchase day is in the range: each product bought that
    day, with how many of them have bought again on a later day (as of now). Read from the
    day's packed first purchases (basket_daily.first_buyers), not from the order lines."""
    blobs = session.scalars(
        sa.select(BASKETS.c.first_buyers).where(
            BASKETS.c.business_date.between(days.start, days.end)
        )
    ).all()
    keys = np.frombuffer(b"".join(blobs), dtype=KEY)
    if not len(keys):
        return []
    products, customers = keys // PAIR_KEY_SHIFT, keys % PAIR_KEY_SHIFT
    # Plain driver rows from the index on first and last order days: a year's 36,000
    # repeaters cost 60 ms as SQLAlchemy scalars through the table.
    repeaters = np.array(
        raw_rows(
            session,
            sa.select(METRICS.c.customer_id).where(
                METRICS.c.first_order_date.between(days.start, days.end),
                METRICS.c.last_order_date > METRICS.c.first_order_date,
            ),
        ),
        dtype=np.int64,
    ).reshape(-1)
    came_back = np.isin(customers, repeaters)
    ids, first = np.unique(products, return_inverse=True)
    totals = np.bincount(first)
    again = np.bincount(first, weights=came_back).astype(np.int64)
    shown = [i for i in range(len(ids)) if totals[i] >= min_customers]
    described = _described(session, {int(ids[i]) for i in shown})
    found = [FirstProduct(*described[int(ids[i])], int(totals[i]), int(again[i])) for i in shown]
    return sorted(found, key=lambda f: (f.repeat_rate, f.customers), reverse=True)


def _described(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """Each product's name and category."""
    query = sa.select(PRODUCTS.c.id, PRODUCTS.c.name, PRODUCTS.c.category).where(
        PRODUCTS.c.id.in_(ids)
    )
    return {row.id: (row.name, row.category) for row in session.execute(query)}
