"""Shop-wide totals straight from the commerce tables."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Customer, Order, Refund
from app.models.enums import COUNTED_STATUSES


@dataclass(frozen=True)
class ShopTotals:
    orders: int
    customers: int
    net_revenue: int  # minor units


def shop_totals(session: Session) -> ShopTotals:
    """Counted orders, customers, and net revenue = gross − discounts − refunds, all time."""
    orders, sales = session.execute(
        sa.select(
            sa.func.count(Order.id),
            sa.func.coalesce(sa.func.sum(Order.subtotal - Order.discount), 0),
        ).where(Order.status.in_(COUNTED_STATUSES))
    ).one()
    refunds = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0)))
    customers = session.scalar(sa.select(sa.func.count(Customer.id)))
    return ShopTotals(orders=orders, customers=customers, net_revenue=int(sales) - int(refunds))
