"""Campaign performance per day, and campaign ROI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.periods import DateRange
from app.analytics.sql import counted
from app.models import Campaign, CampaignPerformance, Order, Refund

PERFORMANCE = CampaignPerformance.__table__


def roi(net_revenue: int, spend: int) -> float | None:
    """(attributed net revenue − spend) / spend; None without spend.

    Net revenue is already after the campaign's discount, so the discount is not a cost again.
    """
    return (net_revenue - spend) / spend if spend else None


def roas(net_revenue: int, spend: int) -> float | None:
    """Attributed net revenue per unit of spend; None without spend."""
    return net_revenue / spend if spend else None


def scheduled_days(campaign: Campaign | sa.Row, today: date) -> DateRange | None:
    """The days a campaign's spend is spread over: its schedule, or for an open-ended one the
    days run so far (to today); None before it starts."""
    if today < campaign.starts_on and campaign.ends_on is None:
        return None
    return DateRange(campaign.starts_on, campaign.ends_on or today)


def spend_within(campaign: Campaign | sa.Row, days: DateRange | None, today: date) -> int:
    """The part of the spend falling on `days` (None: all of it), spread evenly and exactly.

    The first (spend mod n) scheduled days carry one minor unit more, so the days' shares
    always add up to the spend.
    """
    schedule = scheduled_days(campaign, today)
    if schedule is None or not campaign.spend:
        return 0
    first = 0 if days is None else max((days.start - schedule.start).days, 0)
    last = (
        schedule.days - 1
        if days is None
        else min((days.end - schedule.start).days, schedule.days - 1)
    )
    if last < first:
        return 0
    base, extra = divmod(campaign.spend, schedule.days)
    return base * (last - first + 1) + max(0, min(last, extra - 1) - first + 1)


def rebuild_campaign_performance(session: Session, days: DateRange) -> int:
    """Per campaign and day: counted orders, buyers, attributed net revenue, discount cost.

    Spend and ROI are not stored: they depend on the schedule and on today, and are computed
    where they are read (spend_within, roi).
    """
    figures = _sales(session, days)
    for key, refunded in _refunds(session, days).items():
        row = figures.setdefault(
            key, {"orders": 0, "conversions": 0, "revenue": 0, "discount_cost": 0}
        )
        row["revenue"] -= refunded
    rows = [
        {"campaign_id": campaign_id, "business_date": day, **row}
        for (campaign_id, day), row in sorted(figures.items())
    ]
    # Replace the range wholesale so a re-run also drops rows whose orders went away.
    session.execute(
        PERFORMANCE.delete().where(PERFORMANCE.c.business_date.between(days.start, days.end))
    )
    if rows:
        session.execute(PERFORMANCE.insert(), rows)
    return len(rows)


def _sales(session: Session, days: DateRange) -> dict[tuple[int, date], dict]:
    result = session.execute(
        sa.select(
            Order.campaign_id,
            Order.business_date,
            sa.func.count(),
            sa.func.count(sa.distinct(Order.customer_id)),
            sa.func.sum(Order.subtotal - Order.discount),
            sa.func.sum(Order.discount),
        )
        .where(Order.campaign_id.is_not(None), counted(Order.status))
        .where(Order.business_date.between(days.start, days.end))
        .group_by(Order.campaign_id, Order.business_date)
    )
    return {
        (campaign_id, day): {
            "orders": orders,
            "conversions": buyers,
            "revenue": int(sales),
            "discount_cost": int(discount),
        }
        for campaign_id, day, orders, buyers, sales, discount in result
    }


def _refunds(session: Session, days: DateRange) -> dict[tuple[int, date], int]:
    result = session.execute(
        sa.select(Order.campaign_id, Refund.business_date, sa.func.sum(Refund.amount))
        .join(Order, Order.id == Refund.order_id)
        .where(Order.campaign_id.is_not(None), Refund.business_date.between(days.start, days.end))
        .group_by(Order.campaign_id, Refund.business_date)
    )
    return {(campaign_id, day): int(amount) for campaign_id, day, amount in result}


@dataclass(frozen=True)
class CampaignSummary:
    """A campaign's figures over a period (its whole run when no period is given)."""

    id: int
    name: str
    code: str
    status: str
    started: bool
    spend: int  # the part of the spend that falls on the period
    orders: int
    conversions: int  # distinct buyers over the whole period
    revenue: int
    discount_cost: int
    campaign: Campaign = field(compare=False, repr=False)  # the row itself, for the API

    @property
    def roi(self) -> float | None:
        return roi(self.revenue, self.spend) if self.started else None

    @property
    def roas(self) -> float | None:
        return roas(self.revenue, self.spend) if self.started else None


def campaign_summaries(
    session: Session,
    status: str | None = None,
    campaign_id: int | None = None,
    *,
    days: DateRange | None = None,
    today: date,
) -> list[CampaignSummary]:
    """Every campaign (optionally of one status, or just one) with its totals over `days`."""
    totals = sa.select(
        PERFORMANCE.c.campaign_id,
        sa.func.sum(PERFORMANCE.c.orders).label("orders"),
        sa.func.sum(PERFORMANCE.c.revenue).label("revenue"),
        sa.func.sum(PERFORMANCE.c.discount_cost).label("discount_cost"),
    ).group_by(PERFORMANCE.c.campaign_id)
    if days is not None:
        totals = totals.where(PERFORMANCE.c.business_date.between(days.start, days.end))
    totals = totals.subquery()
    query = (
        sa.select(Campaign, totals)
        .outerjoin(totals, totals.c.campaign_id == Campaign.id)
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    )
    if status:
        query = query.where(Campaign.status == status)
    if campaign_id is not None:
        query = query.where(Campaign.id == campaign_id)
    rows = session.execute(query).all()
    buyers = campaign_buyers(session, [row.Campaign.id for row in rows], days)
    return [
        CampaignSummary(
            id=row.Campaign.id,
            name=row.Campaign.name,
            code=row.Campaign.code,
            status=row.Campaign.status,
            started=row.Campaign.starts_on <= today,
            spend=spend_within(row.Campaign, days, today),
            orders=int(row.orders or 0),
            conversions=buyers.get(row.Campaign.id, 0),
            revenue=int(row.revenue or 0),
            discount_cost=int(row.discount_cost or 0),
            campaign=row.Campaign,
        )
        for row in rows
    ]


def campaign_buyers(
    session: Session, campaign_ids: list[int], days: DateRange | None = None
) -> dict[int, int]:
    """Distinct customers with a counted order of each campaign over the period.

    Distinct counts do not add up across days, so they are counted from the orders, by an
    index that covers (campaign, day, status, customer).
    """
    if not campaign_ids:
        return {}
    query = (
        sa.select(Order.campaign_id, sa.func.count(sa.distinct(Order.customer_id)))
        .where(Order.campaign_id.in_(campaign_ids), counted(Order.status))
        .group_by(Order.campaign_id)
    )
    if days is not None:
        query = query.where(Order.business_date.between(days.start, days.end))
    return dict(session.execute(query).all())


@dataclass(frozen=True)
class CampaignDay:
    business_date: date
    orders: int
    conversions: int
    revenue: int
    discount_cost: int
    spend: int
    roi: float | None  # None on days not run yet, or without spend


def campaign_days(session: Session, campaign_id: int, today: date) -> list[CampaignDay]:
    """The campaign's figures per day, oldest first: every day with orders or refunds, and
    every scheduled day (whose spend shares add up to the spend)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return []
    stored = {
        row.business_date: row
        for row in session.scalars(
            sa.select(CampaignPerformance).where(CampaignPerformance.campaign_id == campaign_id)
        )
    }
    schedule = scheduled_days(campaign, today)
    dates = set(stored) | (set(schedule) if schedule else set())
    result = []
    for day in sorted(dates):
        row = stored.get(day)
        spend = spend_within(campaign, DateRange(day, day), today)
        revenue = row.revenue if row else 0
        result.append(
            CampaignDay(
                business_date=day,
                orders=row.orders if row else 0,
                conversions=row.conversions if row else 0,
                revenue=revenue,
                discount_cost=row.discount_cost if row else 0,
                spend=spend,
                roi=roi(revenue, spend) if day <= today else None,
            )
        )
    return result


def campaign_orders(session: Session, campaign_id: int, limit: int = 50) -> list[Order]:
    """The campaign's most recent orders, for the detail page."""
    return list(
        session.scalars(
            sa.select(Order)
            .where(Order.campaign_id == campaign_id)
            .order_by(Order.placed_at.desc())
            .limit(limit)
        )
    )


def campaign_summary(
    session: Session, campaign_id: int, *, today: date, days: DateRange | None = None
) -> CampaignSummary | None:
    """One campaign over its whole run, or over `days`."""
    summaries = campaign_summaries(session, campaign_id=campaign_id, days=days, today=today)
    return next(iter(summaries), None)
