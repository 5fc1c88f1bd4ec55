"""What pages and the read API show: KPIs beside the previous period, series, channels, segments."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.buyers import distinct_buyers
from app.analytics.daily import first_purchase, round_half_up, sessions_by_entry_day
from app.analytics.periods import DateRange
from app.analytics.sql import counted
from app.models import (
    Campaign,
    CustomerMetrics,
    DailyAnalyticsSnapshot,
    Order,
    PaymentMethodDaily,
    Refund,
    RevenueStream,
)
from app.models.enums import CHANNELS, SEGMENTS

SNAPSHOT = DailyAnalyticsSnapshot


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is no whole to share."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Kpis:
    net_revenue: int
    gross: int
    discounts: int
    refunds: int
    orders: int
    aov: int
    customers: int
    new_customers: int
    returning_customers: int
    sessions: int
    conversion_rate: float

    @classmethod
    def of(
        cls,
        *,
        net_revenue: int,
        gross: int,
        discounts: int,
        refunds: int,
        orders: int,
        customers: int,
        new_customers: int,
        sessions: int,
        converted: int,
    ) -> Kpis:
        """The KPIs from their sums; the averages and rates are derived here, once."""
        return cls(
            net_revenue=net_revenue,
            gross=gross,
            discounts=discounts,
            refunds=refunds,
            orders=orders,
            aov=round_half_up(gross - discounts, orders),
            customers=customers,
            new_customers=new_customers,
            returning_customers=customers - new_customers,
            sessions=sessions,
            conversion_rate=converted / sessions if sessions else 0.0,
        )


@dataclass(frozen=True)
class KpiComparison:
    days: DateRange
    current: Kpis
    previous: Kpis

    def change(self, name: str) -> float | None:
        """Relative change against the previous period; None when there is nothing to compare."""
        before, now = getattr(self.previous, name), getattr(self.current, name)
        return (now - before) / abs(before) if before else None

    def changes(self) -> dict[str, float | None]:
        return {field.name: self.change(field.name) for field in fields(Kpis)}


def kpis(session: Session, days: DateRange) -> Kpis:
    """Sums of the daily snapshots; distinct customers counted once over the whole range."""
    totals = session.execute(
        sa.select(
            *(
                sa.func.coalesce(sa.func.sum(getattr(SNAPSHOT, name)), 0)
                for name in (
                    "net_revenue",
                    "gross",
                    "discounts",
                    "refunds",
                    "orders",
                    "new_customers",
                    "sessions",
                    "converted_sessions",
                )
            )
        ).where(SNAPSHOT.business_date.between(days.start, days.end))
    ).one()
    net, gross, discounts, refunds, orders, new, sessions, converted = (int(v) for v in totals)
    return Kpis.of(
        net_revenue=net,
        gross=gross,
        discounts=discounts,
        refunds=refunds,
        orders=orders,
        customers=distinct_buyers(session, days),
        new_customers=new,
        sessions=sessions,
        converted=converted,
    )


def dashboard_kpis(
    session: Session, days: DateRange, before: DateRange | None = None
) -> KpiComparison:
    """KPIs of the range beside another (by default the range of equal length just before)."""
    return KpiComparison(days, kpis(session, days), kpis(session, before or days.previous()))


def kpis_so_far(session: Session, day: date, until: datetime) -> Kpis:
    """The KPIs of one business day counting only what happened before `until` (UTC).

    "Today so far" is compared with the same hours of a day a week earlier; both sides are
    counted from the orders, refunds and visits themselves with the same cut-off rule, because a
    day's snapshot knows nothing of the hour.
    """
    placed = sa.and_(Order.business_date == day, counted(Order.status), Order.placed_at < until)
    orders, subtotal, discounts, customers = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Order.subtotal), 0),
            sa.func.coalesce(sa.func.sum(Order.discount), 0),
            sa.func.count(sa.distinct(Order.customer_id)),
        ).where(placed)
    ).one()
    refunds = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Refund.amount), 0)).where(
            Refund.business_date == day, Refund.refunded_at < until
        )
    )
    new_customers = session.scalar(
        sa.select(sa.func.count(sa.distinct(Order.customer_id))).where(
            placed, first_purchase(Order)
        )
    )
    sessions, converted = sessions_by_entry_day(session, DateRange(day, day), until).get(
        day, (0, 0)
    )
    orders, subtotal, discounts, refunds = (int(v) for v in (orders, subtotal, discounts, refunds))
    return Kpis.of(
        net_revenue=subtotal - discounts - refunds,
        gross=subtotal,
        discounts=discounts,
        refunds=refunds,
        orders=orders,
        customers=int(customers),
        new_customers=int(new_customers),
        sessions=sessions,
        converted=converted,
    )


@dataclass(frozen=True)
class DayFigures:
    business_date: object
    net_revenue: int
    orders: int
    aov: int


def _snapshot_days(session: Session, days: DateRange, *names: str) -> list[tuple]:
    """(day, *figures) for every day of the range; zeros where there is no snapshot."""
    stored = {
        row[0]: tuple(row[1:])
        for row in session.execute(
            sa.select(SNAPSHOT.business_date, *(getattr(SNAPSHOT, name) for name in names)).where(
                SNAPSHOT.business_date.between(days.start, days.end)
            )
        )
    }
    zeros = (0,) * len(names)
    return [(day, *stored.get(day, zeros)) for day in days]


def daily_series(session: Session, days: DateRange) -> list[DayFigures]:
    """One row per day of the range (days without a snapshot count as zero)."""
    return [
        DayFigures(*row) for row in _snapshot_days(session, days, "net_revenue", "orders", "aov")
    ]


@dataclass(frozen=True)
class ChannelFigures:
    channel: str
    net_revenue: int
    transactions: int
    share: float | None


def revenue_by_channel(session: Session, days: DateRange) -> list[ChannelFigures]:
    """The seven channels, always all of them, adding up to the range's net revenue."""
    sums = {
        channel: (int(amount), int(count))
        for channel, amount, count in session.execute(
            sa.select(
                RevenueStream.channel,
                sa.func.sum(RevenueStream.amount),
                sa.func.sum(RevenueStream.transaction_count),
            )
            .where(RevenueStream.business_date.between(days.start, days.end))
            .group_by(RevenueStream.channel)
        )
    }
    total = sum(amount for amount, _ in sums.values())
    figures = []
    for channel in CHANNELS:
        amount, count = sums.get(channel, (0, 0))
        figures.append(ChannelFigures(channel, amount, count, share(amount, total)))
    return figures


@dataclass(frozen=True)
class SegmentFigures:
    segment: str
    customers: int
    revenue: int
    customer_share: float | None
    revenue_share: float | None


def segment_summary(session: Session) -> list[SegmentFigures]:
    """Customers and lifetime revenue per RFM segment, in the glossary's order."""
    sums = {
        segment: (count, int(revenue))
        for segment, count, revenue in session.execute(
            sa.select(
                CustomerMetrics.segment,
                sa.func.count(),
                sa.func.sum(CustomerMetrics.lifetime_value),
            )
            .where(CustomerMetrics.segment.is_not(None))
            .group_by(CustomerMetrics.segment)
        )
    }
    customers = sum(count for count, _ in sums.values())
    revenue = sum(amount for _, amount in sums.values())
    figures = []
    for segment in SEGMENTS:
        count, amount = sums.get(segment, (0, 0))
        figures.append(
            SegmentFigures(segment, count, amount, share(count, customers), share(amount, revenue))
        )
    return figures


@dataclass(frozen=True)
class CustomerSplit:
    business_date: object
    new_customers: int
    returning_customers: int


def customer_split(session: Session, days: DateRange) -> list[CustomerSplit]:
    return [
        CustomerSplit(*row)
        for row in _snapshot_days(session, days, "new_customers", "returning_customers")
    ]


def payment_methods(session: Session, days: DateRange) -> dict[str, tuple[int, int]]:
    """Counted orders and amount per payment method over the range."""
    rows = session.execute(
        sa.select(
            PaymentMethodDaily.method,
            sa.func.sum(PaymentMethodDaily.orders),
            sa.func.sum(PaymentMethodDaily.amount),
        )
        .where(PaymentMethodDaily.business_date.between(days.start, days.end))
        .group_by(PaymentMethodDaily.method)
    )
    return {method: (int(orders), int(amount)) for method, orders, amount in rows if orders}


def channel_series(session: Session, days: DateRange) -> list[tuple]:
    """(day, channel, net revenue, transactions) for every channel row of the range."""
    return [
        tuple(row)
        for row in session.execute(
            sa.select(
                RevenueStream.business_date,
                RevenueStream.channel,
                RevenueStream.amount,
                RevenueStream.transaction_count,
            )
            .where(RevenueStream.business_date.between(days.start, days.end))
            .order_by(RevenueStream.business_date, RevenueStream.channel)
        )
    ]


def campaigns_running(session: Session, days: DateRange) -> int:
    """Campaigns (not drafts) whose schedule overlaps the range: one starting next week is
    not running this week."""
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(Campaign)
        .where(
            Campaign.status != "draft",
            Campaign.starts_on <= days.end,
            sa.or_(Campaign.ends_on.is_(None), Campaign.ends_on >= days.start),
        )
    )
