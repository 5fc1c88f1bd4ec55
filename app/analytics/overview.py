"""Shop-wide totals for the page headers, read from the daily snapshots."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Customer, DailyAnalyticsSnapshot


@dataclass(frozen=True)
class ShopTotals:
    orders: int
    customers: int
    net_revenue: int  # minor units


def shop_totals(session: Session) -> ShopTotals:
    """All-time counted orders and net revenue (sums of the snapshots), and customers on file."""
    orders, net_revenue = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(DailyAnalyticsSnapshot.orders), 0),
            sa.func.coalesce(sa.func.sum(DailyAnalyticsSnapshot.net_revenue), 0),
        )
    ).one()
    customers = session.scalar(sa.select(sa.func.count(Customer.id)))
    return ShopTotals(orders=int(orders), customers=customers, net_revenue=int(net_revenue))
