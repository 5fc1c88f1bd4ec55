"""Customer page figures: value distribution, ranked customer lists, loyalty and referrals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Customer, CustomerMetrics, LoyaltyAccount, Referral
from app.models.enums import LOYALTY_TIERS

# Lifetime value buckets in minor units: lower edges; the last bucket is open-ended.
LTV_EDGES = (0, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000)
AT_RISK_CHURN = 0.5
SORTABLE = {
    "lifetime_value": CustomerMetrics.lifetime_value,
    "orders_count": CustomerMetrics.orders_count,
    "aov": CustomerMetrics.aov,
    "last_order_at": CustomerMetrics.last_order_at,
    "churn_risk": CustomerMetrics.churn_risk,
    # Days since the last order, derived at read time: sorting by it is sorting by the
    # last order's day the other way round.
    "recency_days": CustomerMetrics.last_order_date,
    "segment": CustomerMetrics.segment,
    "name": Customer.name,
    "p_alive": CustomerMetrics.p_alive,
    "expected_orders_90d": CustomerMetrics.expected_orders_90d,
    "clv_12m": CustomerMetrics.clv_12m,
    "value_at_risk": CustomerMetrics.value_at_risk,
}
# The lists a page or the API can ask for; the default sort of each.
LIST_DEFAULT_SORT = {
    "top": "lifetime_value",
    "at_risk": "lifetime_value",
    "value_at_risk": "value_at_risk",
}


@dataclass(frozen=True)
class Bucket:
    low: int
    high: int | None
    customers: int


def ltv_distribution(session: Session) -> list[Bucket]:
    """Buying customers per lifetime-value bucket (negative values fall in the first)."""
    bucket = sa.case(
        *(
            (CustomerMetrics.lifetime_value >= edge, index)
            for index, edge in reversed(list(enumerate(LTV_EDGES)))
        ),
        else_=0,
    )
    counts = dict(
        session.execute(
            sa.select(bucket, sa.func.count())
            .where(CustomerMetrics.orders_count > 0)
            .group_by(bucket)
        ).all()
    )
    highs = [*LTV_EDGES[1:], None]
    return [
        Bucket(low, high, counts.get(index, 0))
        for index, (low, high) in enumerate(zip(LTV_EDGES, highs, strict=True))
    ]


def _list_filters(kind: str, segment: str | None = None) -> list:
    filters = [CustomerMetrics.segment == segment] if segment else []
    if kind == "at_risk":
        return [
            *filters,
            CustomerMetrics.churn_risk >= AT_RISK_CHURN,
            CustomerMetrics.orders_count > 1,
        ]
    return [*filters, CustomerMetrics.orders_count > 0]


def _list_query(kind: str, segment: str | None = None):
    return (
        sa.select(Customer.id, Customer.external_id, Customer.name, Customer.email, CustomerMetrics)
        .join(CustomerMetrics, CustomerMetrics.customer_id == Customer.id)
        .where(*_list_filters(kind, segment))
    )


def customer_list(
    session: Session,
    kind: str,
    offset: int,
    limit: int,
    sort: str | None = None,
    descending: bool = True,
    segment: str | None = None,
    *,
    today: date,
) -> tuple[list[dict], int]:
    """One page of top (by value) or at-risk (valuable and lapsing) customers, sorted in SQL;
    days since the last order are counted to `today`."""
    query = _list_query(kind, segment)
    # Every metrics row has its customer: count the metrics alone (an index answers it).
    total = session.scalar(
        sa.select(sa.func.count()).select_from(CustomerMetrics).where(*_list_filters(kind, segment))
    )
    sort = sort or LIST_DEFAULT_SORT.get(kind, "lifetime_value")
    column = SORTABLE.get(sort)
    if column is None:
        column = CustomerMetrics.lifetime_value
    if sort == "recency_days":
        descending = not descending
    order = column.desc() if descending else column.asc()
    if column.nullable:  # (only then: PostgreSQL serves DESC NULLS LAST from no plain index)
        order = order.nulls_last()
    rows = session.execute(query.order_by(order, Customer.id).offset(offset).limit(limit)).all()
    return [
        {
            "customer_id": row.external_id,
            "profile_id": row.CustomerMetrics.customer_id,  # ours, for links to the profile
            "name": row.name,
            "email": row.email,
            "segment": row.CustomerMetrics.segment,
            "orders_count": row.CustomerMetrics.orders_count,
            "lifetime_value": row.CustomerMetrics.lifetime_value,
            "aov": row.CustomerMetrics.aov,
            "last_order_at": row.CustomerMetrics.last_order_at,
            "recency_days": _days_since(row.CustomerMetrics.last_order_date, today),
            "churn_risk": row.CustomerMetrics.churn_risk,
            "vip_tier": row.CustomerMetrics.vip_tier,
            "p_alive": row.CustomerMetrics.p_alive,
            "expected_orders_90d": row.CustomerMetrics.expected_orders_90d,
            "clv_12m": row.CustomerMetrics.clv_12m,
            "value_at_risk": row.CustomerMetrics.value_at_risk,
        }
        for row in rows
    ], total


def _days_since(day: date | None, today: date) -> int | None:
    return None if day is None else (today - day).days


@dataclass(frozen=True)
class LoyaltyFigures:
    members: int
    points_issued: int
    points_redeemed: int
    points_outstanding: int
    members_per_tier: dict[str, int]


def loyalty_figures(session: Session) -> LoyaltyFigures:
    totals = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(LoyaltyAccount.points_earned), 0),
            sa.func.coalesce(sa.func.sum(LoyaltyAccount.points_redeemed), 0),
            sa.func.coalesce(sa.func.sum(LoyaltyAccount.points_balance), 0),
        )
    ).one()
    tiers = dict(
        session.execute(
            sa.select(LoyaltyAccount.tier, sa.func.count()).group_by(LoyaltyAccount.tier)
        ).all()
    )
    return LoyaltyFigures(
        members=totals[0],
        points_issued=int(totals[1]),
        points_redeemed=int(totals[2]),
        points_outstanding=int(totals[3]),
        members_per_tier={tier: tiers.get(tier, 0) for tier in LOYALTY_TIERS},
    )


@dataclass(frozen=True)
class ReferralFigures:
    referrals: int
    referred_buyers: int
    referred_revenue: int
    referrers: int


def referral_figures(session: Session) -> ReferralFigures:
    """Referrals made, how many referred customers bought, and their lifetime value."""
    referred = CustomerMetrics.customer_id == Referral.referred_id
    row = session.execute(
        sa.select(
            sa.func.count(Referral.id),
            sa.func.count(sa.distinct(Referral.referrer_id)),
            sa.func.coalesce(
                sa.func.sum(sa.case((CustomerMetrics.orders_count > 0, 1), else_=0)), 0
            ),
            sa.func.coalesce(sa.func.sum(CustomerMetrics.lifetime_value), 0),
        ).outerjoin(CustomerMetrics, referred)
    ).one()
    return ReferralFigures(
        referrals=row[0],
        referrers=row[1],
        referred_buyers=int(row[2]),
        referred_revenue=int(row[3]),
    )


def mask_email(email: str | None) -> str | None:
    """a*****@example.com: enough for staff to recognise, not to contact."""
    if not email or "@" not in email:
        return email
    local, domain = email.split("@", 1)
    return f"{local[:1]}{'*' * max(len(local) - 1, 3)}@{domain}"


def mask_name(name: str | None) -> str | None:
    """Initials: "Ada Lovelace" → "A. L."."""
    if not name:
        return name
    return " ".join(f"{part[0]}." for part in name.split())


def shown_person(row: dict, personal_data: bool) -> dict:
    """The customer row as a viewer may see it: email and name masked without the right."""
    if personal_data:
        return row
    return {**row, "email": mask_email(row.get("email")), "name": mask_name(row.get("name"))}


# P(alive) bands of the segment matrix: (label, low inclusive, high exclusive).
ALIVE_BANDS = (
    ("< 25%", 0.0, 0.25),
    ("25–50%", 0.25, 0.5),
    ("50–75%", 0.5, 0.75),
    ("≥ 75%", 0.75, 1.01),
)


def alive_matrix(session: Session) -> dict[tuple[str, str], tuple[int, int]]:
    """(segment, P(alive) band) → (customers, value at risk), for customers with a prediction."""
    band = sa.case(
        *(
            (sa.and_(CustomerMetrics.p_alive >= low, CustomerMetrics.p_alive < high), label)
            for label, low, high in ALIVE_BANDS
        ),
        else_=None,
    ).label("band")
    rows = session.execute(
        sa.select(
            CustomerMetrics.segment,
            band,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(CustomerMetrics.value_at_risk), 0),
        )
        .where(CustomerMetrics.p_alive.is_not(None), CustomerMetrics.segment.is_not(None))
        .group_by(CustomerMetrics.segment, band)
    )
    return {(segment, label): (int(n), int(value)) for segment, label, n, value in rows if label}
