"""What is bought together, and which first purchases bring customers back.

Pairs come from the refresher's per-day pair counts: for products A and B over a range,
support = orders with both / orders with lines, confidence(A→B) = orders with both / orders
with A, lift = confidence(A→B) / share of orders with B (above 1: bought together more often
than chance).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.periods import DateRange
from app.analytics.sql import counted
from app.models import (
    BasketDaily,
    CustomerMetrics,
    Order,
    OrderLine,
    Product,
    ProductDaily,
    ProductPairDaily,
)

PAIRS, BASKETS, DAILY = ProductPairDaily.__table__, BasketDaily.__table__, ProductDaily.__table__
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


def basket_orders(session: Session, days: DateRange) -> int:
    """Counted orders with lines in the range."""
    return int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(BASKETS.c.orders), 0)).where(
                BASKETS.c.business_date.between(days.start, days.end)
            )
        )
    )


def product_pairs(
    session: Session, days: DateRange, *, min_orders: int = MIN_PAIR_ORDERS, limit: int = 20
) -> list[Pair]:
    """The pairs bought together in the most orders (at least `min_orders`), most first."""
    total = basket_orders(session, days)
    together = sa.func.sum(PAIRS.c.orders)
    top = session.execute(
        sa.select(PAIRS.c.product_a, PAIRS.c.product_b, together)
        .where(PAIRS.c.business_date.between(days.start, days.end))
        .group_by(PAIRS.c.product_a, PAIRS.c.product_b)
        .having(together >= min_orders)
        .order_by(together.desc(), PAIRS.c.product_a, PAIRS.c.product_b)
        .limit(limit)
    ).all()
    if not top:
        return []
    ids = {a for a, _, _ in top} | {b for _, b, _ in top}
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
            orders=int(both),
            support=both / total,
            confidence_a_to_b=both / alone[a],
            confidence_b_to_a=both / alone[b],
            lift=both * total / (alone[a] * alone[b]),
        )
        for a, b, both in top
    ]


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    # .all(): a Result has keys() of its own, so dict() would read it as a mapping and fail.
    return dict(
        session.execute(
            sa.select(PRODUCTS.c.id, PRODUCTS.c.name).where(PRODUCTS.c.id.in_(ids))
        ).all()
    )


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
