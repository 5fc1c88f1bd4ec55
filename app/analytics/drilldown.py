"""The orders and the customer behind a figure: what a click on a day, a channel or a KPI opens.

The orders of a range are the counted orders whose business day lies in it (what the
snapshots' sales sum); refunds count on their own day, so they are listed apart. Sales of the
orders minus the refunds of the range is the range's net revenue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.periods import DateRange
from app.analytics.sql import counted
from app.models import Customer, CustomerMetrics, CustomerPrediction, Order, Refund

PAGE_SIZE = 50
# The orders a page can be sorted by, newest first unless asked otherwise.
SORTS = {
    "placed": Order.placed_at,
    "sales": Order.subtotal - Order.discount,
    "order": Order.external_id,
}


@dataclass(frozen=True)
class OrderLine:
    id: int
    external_id: str
    placed_at: datetime
    business_date: date
    status: str
    channel: str
    customer_id: int | None
    customer: str | None  # the customer's own id
    name: str | None
    email: str | None
    subtotal: int
    discount: int
    refunded: int  # every refund of the order, whatever its day

    @property
    def sales(self) -> int:
        return self.subtotal - self.discount


@dataclass(frozen=True)
class OrdersBehind:
    lines: list[OrderLine]
    total: int  # counted orders in the range (all pages)
    sales: int  # their subtotal − discount
    refunds: int  # refunds booked in the range (of any order of the channel/customer)
    refund_count: int

    @property
    def net_revenue(self) -> int:
        return self.sales - self.refunds


def _scope(days: DateRange, channel: str | None, customer_id: int | None) -> list:
    conditions = [Order.business_date.between(days.start, days.end), counted(Order.status)]
    if channel:
        conditions.append(Order.channel == channel)
    if customer_id is not None:
        conditions.append(Order.customer_id == customer_id)
    return conditions


def orders_behind(
    session: Session,
    days: DateRange,
    *,
    channel: str | None = None,
    customer_id: int | None = None,
    page: int = 1,
    sort: str = "placed",
    descending: bool = True,
    page_size: int = PAGE_SIZE,
) -> OrdersBehind:
    """One page of the counted orders of the range (optionally of one channel or customer),
    with the totals of all of them and the refunds booked in the range."""
    scope = _scope(days, channel, customer_id)
    total, sales = session.execute(
        sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(Order.subtotal - Order.discount), 0)
        ).where(*scope)
    ).one()
    refund_scope = [Refund.business_date.between(days.start, days.end)]
    of_orders = []
    if channel:
        of_orders.append(Order.channel == channel)
    if customer_id is not None:
        of_orders.append(Order.customer_id == customer_id)
    if of_orders:
        refund_scope.append(Refund.order_id.in_(sa.select(Order.id).where(*of_orders)))
    refund_count, refunds = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Refund.amount), 0)).where(
            *refund_scope
        )
    ).one()
    order_by = SORTS.get(sort, SORTS["placed"])
    refunded = (
        sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0))
        .where(Refund.order_id == Order.id)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(
            Order.id,
            Order.external_id,
            Order.placed_at,
            Order.business_date,
            Order.status,
            Order.channel,
            Order.customer_id,
            Customer.external_id,
            Customer.name,
            Customer.email,
            Order.subtotal,
            Order.discount,
            refunded,
        )
        .outerjoin(Customer, Customer.id == Order.customer_id)
        .where(*scope)
        .order_by(order_by.desc() if descending else order_by.asc(), Order.id.desc())
        .offset((max(page, 1) - 1) * page_size)
        .limit(page_size)
    ).all()
    return OrdersBehind(
        [OrderLine(*row) for row in rows], int(total), int(sales), int(refunds), int(refund_count)
    )


@dataclass(frozen=True)
class CustomerProfile:
    id: int
    external_id: str
    name: str | None
    email: str | None
    acquisition_channel: str
    metrics: CustomerMetrics | None
    prediction: CustomerPrediction | None
    refunds: int
    expected_next_order: date | None
    next_order_basis: str | None


def customer_profile(session: Session, customer_id: int, today: date) -> CustomerProfile | None:
    """A customer's figures as the nightly scoring and the refresher keep them, their refunds,
    and when their next order can be expected."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    metrics = session.get(CustomerMetrics, customer_id)
    prediction = session.get(CustomerPrediction, customer_id)
    refunds = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0))
        .join(Order, Order.id == Refund.order_id)
        .where(Order.customer_id == customer_id)
    )
    expected, basis = _next_order(metrics, prediction, today)
    return CustomerProfile(
        customer.id,
        customer.external_id,
        customer.name,
        customer.email,
        customer.acquisition_channel,
        metrics,
        prediction,
        int(refunds),
        expected,
        basis,
    )


def _next_order(
    metrics: CustomerMetrics | None, prediction: CustomerPrediction | None, today: date
) -> tuple[date | None, str | None]:
    """At the predicted rate when the model scored the customer (90 days / expected orders in
    the next 90), else at their own average gap between first and last order."""
    if metrics is None or not metrics.orders_count:
        return None, None
    expected_orders = prediction.expected_orders_90d if prediction else None
    if expected_orders:
        if expected_orders < 0.05:
            return None, "not expected: fewer than 0.05 orders predicted in the next 90 days"
        days = round(90 / expected_orders)
        return today + timedelta(days=days), "at the predicted rate of the next 90 days"
    if metrics.orders_count >= 2 and metrics.first_order_date and metrics.last_order_date:
        gap = (metrics.last_order_date - metrics.first_order_date).days / (metrics.orders_count - 1)
        return (
            metrics.last_order_date + timedelta(days=round(gap)),
            "their average gap between orders",
        )
    return None, "one order so far: no gap to go by"
