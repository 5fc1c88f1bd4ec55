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

from app.analytics.pairs import split_key, summed_pairs
from app.analytics.periods import DateRange
from app.analytics.sql import counted
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
    names = _names(session, ids)
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


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    # .all(): a Result has keys() of its own, so dict() would read it as a mapping and fail.
    query = sa.select(PRODUCTS.c.id, PRODUCTS.c.name).where(PRODUCTS.c.id.in_(ids))
    return dict(session.execute(query).all())


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
    day, with how many of them have bought again on a later day (as of now)."""
    bought = (
        sa.select(
            METRICS.c.customer_id,
            LINES.c.product_id,
            sa.func.max(sa.case((METRICS.c.purchase_days >= 2, 1), else_=0)).label("repeat"),
        )
        .select_from(
            METRICS.join(
                ORDERS,
                sa.and_(
                    ORDERS.c.customer_id == METRICS.c.customer_id,
                    ORDERS.c.business_date == METRICS.c.first_order_date,
                ),
            ).join(LINES, LINES.c.order_id == ORDERS.c.id)
        )
        .where(
            METRICS.c.first_order_date.between(days.start, days.end),
            counted(ORDERS.c.status),
        )
        .group_by(METRICS.c.customer_id, LINES.c.product_id)
        .subquery()
    )
    customers = sa.func.count()
    rows = session.execute(
        sa.select(PRODUCTS.c.name, PRODUCTS.c.category, customers, sa.func.sum(bought.c.repeat))
        .join(PRODUCTS, PRODUCTS.c.id == bought.c.product_id)
        .group_by(PRODUCTS.c.id, PRODUCTS.c.name, PRODUCTS.c.category)
        .having(customers >= min_customers)
    )
    found = [FirstProduct(name, category, int(n), int(r)) for name, category, n, r in rows]
    return sorted(found, key=lambda f: (f.repeat_rate, f.customers), reverse=True)
