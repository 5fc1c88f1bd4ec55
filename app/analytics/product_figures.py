"""Product, basket and pair figures per business day, rebuilt set-based by the refresher.

Sales count on the order's business day, returns on the refund's. Each range is deleted and
inserted again from the commerce tables inside the refresher's transaction, so re-running it
writes the same rows and a day that lost its last line loses its rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.daily import NARROW_RANGE_DAYS, first_purchase
from app.analytics.pairs import PAIR_KEY_SHIFT, pack_keys, pack_orders
from app.analytics.periods import DateRange, calendar_months, month_of
from app.analytics.sql import counted, month_number, raw_rows
from app.models import (
    BasketDaily,
    Order,
    OrderLine,
    ProductDaily,
    ProductMonthly,
    Refund,
    RefundLine,
)

ORDERS, LINES = Order.__table__, OrderLine.__table__
REFUNDS, REFUND_LINES = Refund.__table__, RefundLine.__table__
PRODUCT_DAILY, BASKETS = ProductDaily.__table__, BasketDaily.__table__
MONTHLY = ProductMonthly.__table__
FIGURES = (
    "orders",
    "units",
    "gross",
    "discounts",
    "returned_units",
    "returns",
    "cost_of_goods",
    "costed_sales",
)


def rebuild_products(session: Session, days: DateRange) -> None:
    """Recompute every product and basket row of the range, and the months it touches."""
    for table in (PRODUCT_DAILY, BASKETS):
        session.execute(table.delete().where(table.c.business_date.between(days.start, days.end)))
    combined = sa.union_all(_sales(days), _returns(days)).subquery()
    sums = [sa.func.sum(combined.c[name]) for name in FIGURES]
    net = sums[2] - sums[3] - sums[5]
    session.execute(
        PRODUCT_DAILY.insert().from_select(
            ["business_date", "product_id", *FIGURES, "net_sales"],
            sa.select(combined.c.business_date, combined.c.product_id, *sums, net).group_by(
                combined.c.business_date, combined.c.product_id
            ),
        )
    )
    baskets = _basket_rows(session, days)
    if baskets:
        session.execute(BASKETS.insert(), baskets)
    _rebuild_months(session, days)


def _rebuild_months(session: Session, days: DateRange) -> None:
    """The calendar months the range touches, summed again from their days."""
    first, last = month_of(days.start), month_of(days.end)
    months = calendar_months(first, last)
    session.execute(MONTHLY.delete().where(MONTHLY.c.month.between(first, last)))
    month = month_number(PRODUCT_DAILY.c.business_date)
    session.execute(
        MONTHLY.insert().from_select(
            ["month", "product_id", *FIGURES, "net_sales"],
            sa.select(
                month,
                PRODUCT_DAILY.c.product_id,
                *(sa.func.sum(PRODUCT_DAILY.c[name]) for name in (*FIGURES, "net_sales")),
            )
            .where(PRODUCT_DAILY.c.business_date.between(months.start, months.end))
            .group_by(month, PRODUCT_DAILY.c.product_id),
        )
    )


def _basket_rows(session: Session, days: DateRange) -> list[dict]:
    """Each day's baskets with its pairs packed as arrays (app/analytics/baskets.py)."""
    pairs: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for day, key, orders in raw_rows(session, _pairs(days)):
        pairs[_as_date(day)].append((key, orders))
    firsts: dict[date, list[int]] = defaultdict(list)
    for day, key in raw_rows(session, _first_buyers(days)):
        firsts[_as_date(day)].append(key)
    rows = []
    for day, orders, lines, units in raw_rows(session, _baskets(days)):
        day = _as_date(day)
        found = pairs.get(day, [])
        rows.append(
            {
                "business_date": day,
                "orders": orders,
                "lines": lines,
                "units": int(units),
                "pair_keys": pack_keys([key for key, _ in found]),
                "pair_orders": pack_orders([count for _, count in found]),
                "first_buyers": pack_keys(firsts.get(day, [])),
            }
        )
    return rows


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _counted_lines(days: DateRange):
    return (
        sa.select()
        .select_from(ORDERS.join(LINES, LINES.c.order_id == ORDERS.c.id))
        .where(ORDERS.c.business_date.between(days.start, days.end), counted(ORDERS.c.status))
    )


def _known(value):
    """The value where the line's cost is known, else 0."""
    return sa.case((LINES.c.unit_cost.is_not(None), value), else_=0)


def _sales(days: DateRange) -> sa.Select:
    gross = LINES.c.quantity * LINES.c.unit_price
    return (
        _counted_lines(days)
        .add_columns(
            ORDERS.c.business_date,
            LINES.c.product_id,
            sa.func.count(sa.distinct(ORDERS.c.id)).label("orders"),
            sa.func.sum(LINES.c.quantity).label("units"),
            sa.func.sum(gross).label("gross"),
            sa.func.sum(LINES.c.discount).label("discounts"),
            sa.literal(0).label("returned_units"),
            sa.literal(0).label("returns"),
            sa.func.sum(_known(LINES.c.quantity * LINES.c.unit_cost)).label("cost_of_goods"),
            sa.func.sum(_known(gross - LINES.c.discount)).label("costed_sales"),
        )
        .group_by(ORDERS.c.business_date, LINES.c.product_id)
    )


def _returns(days: DateRange) -> sa.Select:
    """What came back, on the refund's day; units back in stock take their cost with them."""
    return (
        sa.select(
            REFUNDS.c.business_date,
            LINES.c.product_id,
            sa.literal(0).label("orders"),
            sa.literal(0).label("units"),
            sa.literal(0).label("gross"),
            sa.literal(0).label("discounts"),
            sa.func.sum(REFUND_LINES.c.quantity).label("returned_units"),
            sa.func.sum(REFUND_LINES.c.amount).label("returns"),
            -sa.func.sum(_known(REFUND_LINES.c.quantity * LINES.c.unit_cost)),
            -sa.func.sum(_known(REFUND_LINES.c.amount)),
        )
        .select_from(
            REFUNDS.join(REFUND_LINES, REFUND_LINES.c.refund_id == REFUNDS.c.id).join(
                LINES, LINES.c.id == REFUND_LINES.c.order_line_id
            )
        )
        .where(REFUNDS.c.business_date.between(days.start, days.end))
        .group_by(REFUNDS.c.business_date, LINES.c.product_id)
    )


def _baskets(days: DateRange) -> sa.Select:
    return (
        _counted_lines(days)
        .add_columns(
            ORDERS.c.business_date,
            sa.func.count(sa.distinct(ORDERS.c.id)),
            sa.func.count(),
            sa.func.sum(LINES.c.quantity),
        )
        .group_by(ORDERS.c.business_date)
    )


def _pairs(days: DateRange) -> sa.Select:
    """Orders of each day holding both products, by pair key, in key order."""
    other = LINES.alias("other")
    key = LINES.c.product_id * PAIR_KEY_SHIFT + other.c.product_id
    return (
        _counted_lines(days)
        .join(
            other,
            sa.and_(other.c.order_id == ORDERS.c.id, other.c.product_id > LINES.c.product_id),
        )
        .add_columns(ORDERS.c.business_date, key, sa.func.count(sa.distinct(ORDERS.c.id)))
        .group_by(ORDERS.c.business_date, LINES.c.product_id, other.c.product_id)
        .order_by(ORDERS.c.business_date, LINES.c.product_id, other.c.product_id)
    )


def _first_buyers(days: DateRange) -> sa.Select:
    """Each product of a new customer's first purchase day, keyed product id × 2³² + customer
    id, in key order per day (the same customer and product twice counts once)."""
    key = LINES.c.product_id * PAIR_KEY_SHIFT + ORDERS.c.customer_id
    query = _counted_lines(days).where(ORDERS.c.customer_id.is_not(None))
    if days.days <= NARROW_RANGE_DAYS:
        query = query.where(first_purchase(Order))
    else:
        first_days = (
            sa.select(ORDERS.c.customer_id, sa.func.min(ORDERS.c.business_date).label("day"))
            .where(counted(ORDERS.c.status))
            .group_by(ORDERS.c.customer_id)
            .subquery()
        )
        query = query.join(
            first_days,
            sa.and_(
                first_days.c.customer_id == ORDERS.c.customer_id,
                first_days.c.day == ORDERS.c.business_date,
            ),
        )
    return (
        query.add_columns(ORDERS.c.business_date, key)
        .distinct()
        .order_by(ORDERS.c.business_date, key)
    )
