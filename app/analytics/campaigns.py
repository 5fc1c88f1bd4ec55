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


def roi(net_revenue: int, spend: int, discount_cost: int) -> float | None:
    """(attributed net revenue − (spend + discount cost)) / (spend + discount cost)."""
    cost = spend + discount_cost
    return (net_revenue - cost) / cost if cost else None


def daily_spend(campaign: Campaign | sa.Row, day: date) -> int:
    """A campaign's spend spread evenly over its scheduled days (open-ended: up to `day`)."""
    last = campaign.ends_on or max(day, campaign.starts_on)
    scheduled = (last - campaign.starts_on).days + 1
    return round(campaign.spend / scheduled) if campaign.starts_on <= day <= last else 0


def rebuild_campaign_performance(session: Session, days: DateRange) -> int:
    """Per campaign and day: counted orders, buyers, attributed net revenue, discount cost, ROI."""
    figures = _sales(session, days)
    for key, refunded in _refunds(session, days).items():
        row = figures.setdefault(
            key, {"orders": 0, "conversions": 0, "revenue": 0, "discount_cost": 0}
        )
        row["revenue"] -= refunded
    campaigns = {
        c.id: c
        for c in session.execute(
            sa.select(Campaign.id, Campaign.spend, Campaign.starts_on, Campaign.ends_on)
        )
    }
    rows = []
    for (campaign_id, day), row in sorted(figures.items()):
        spend = daily_spend(campaigns[campaign_id], day)
        rows.append(
            {
                "campaign_id": campaign_id,
                "business_date": day,
                **row,
                "roi": roi(row["revenue"], spend, row["discount_cost"]),
            }
        )
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
    id: int
    name: str
    code: str
    status: str
    spend: int
    orders: int
    conversions: int
    revenue: int
    discount_cost: int
    campaign: Campaign = field(compare=False, repr=False)  # the row itself, for the API

    @property
    def roi(self) -> float | None:
        return roi(self.revenue, self.spend, self.discount_cost)


def campaign_summaries(
    session: Session, status: str | None = None, campaign_id: int | None = None
) -> list[CampaignSummary]:
    """Every campaign (optionally of one status, or just one) with its performance totals."""
    totals = (
        sa.select(
            PERFORMANCE.c.campaign_id,
            sa.func.sum(PERFORMANCE.c.orders).label("orders"),
            sa.func.sum(PERFORMANCE.c.conversions).label("conversions"),
            sa.func.sum(PERFORMANCE.c.revenue).label("revenue"),
            sa.func.sum(PERFORMANCE.c.discount_cost).label("discount_cost"),
        )
        .group_by(PERFORMANCE.c.campaign_id)
        .subquery()
    )
    query = (
        sa.select(Campaign, totals)
        .outerjoin(totals, totals.c.campaign_id == Campaign.id)
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    )
    if status:
        query = query.where(Campaign.status == status)
    if campaign_id is not None:
        query = query.where(Campaign.id == campaign_id)
    return [
        CampaignSummary(
            id=row.Campaign.id,
            name=row.Campaign.name,
            code=row.Campaign.code,
            status=row.Campaign.status,
            spend=row.Campaign.spend,
            orders=int(row.orders or 0),
            conversions=int(row.conversions or 0),
            revenue=int(row.revenue or 0),
            discount_cost=int(row.discount_cost or 0),
            campaign=row.Campaign,
        )
        for row in session.execute(query)
    ]


def campaign_days(session: Session, campaign_id: int) -> list[CampaignPerformance]:
    """The campaign's performance rows, oldest first."""
    return list(
        session.scalars(
            sa.select(CampaignPerformance)
            .where(CampaignPerformance.campaign_id == campaign_id)
            .order_by(CampaignPerformance.business_date)
        )
    )


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


def campaign_summary(session: Session, campaign_id: int) -> CampaignSummary | None:
    return next(iter(campaign_summaries(session, campaign_id=campaign_id)), None)
