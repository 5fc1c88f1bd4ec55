"""Customer page figures: value distribution, ranked customer lists, loyalty and referrals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.sql import unindexed
from app.models import (
    AliveMatrixCell,
    Customer,
    CustomerMetrics,
    CustomerPrediction,
    LoyaltyAccount,
    Referral,
)
from app.models.enums import LOYALTY_TIERS

# Lifetime value buckets in minor units: lower edges; the last bucket is open-ended.
LTV_EDGES = (0, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000)
AT_RISK_CHURN = 0.5
SORTABLE = {
    "lifetime_value": CustomerMetrics.lifetime_value,
    "orders_count": CustomerMetrics.orders_count,
    "aov": CustomerMetrics.aov,
    "last_order_at": CustomerMetrics.last_order_at,
    "churn_risk": CustomerPrediction.churn_risk,
    # Days since the last order, derived at read time: sorting by it is sorting by the
    # last order's day the other way round.
    "recency_days": CustomerMetrics.last_order_date,
    "segment": CustomerMetrics.segment,
    "name": Customer.name,
    "p_alive": CustomerPrediction.p_alive,
    "expected_orders_90d": CustomerPrediction.expected_orders_90d,
    "clv_12m": CustomerPrediction.clv_12m,
    "value_at_risk": CustomerPrediction.value_at_risk,
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


def _list_filters(kind: str, segment: str | None = None, *, listing: bool = False) -> list:
    """The list's customers. A page (`listing`) is best found walking down its sort column's
    index, a count from the churn risk's: the other ranges are kept from SQLite's index
    choice (see `unindexed`)."""
    filters = [CustomerMetrics.segment == segment] if segment else []
    if kind == "at_risk":
        churn_risk = CustomerPrediction.churn_risk
        return [
            *filters,
            (unindexed(churn_risk) if listing else churn_risk) >= AT_RISK_CHURN,
            unindexed(CustomerMetrics.orders_count) > 1,
        ]
    orders = unindexed(CustomerMetrics.orders_count) if listing else CustomerMetrics.orders_count
    return [*filters, orders > 0]


def _with_predictions(query: sa.Select, kind: str, *, inner: bool = False) -> sa.Select:
    """The predictions joined: every at-risk customer has one (a churn risk), the other
    lists keep the buyers without (unless `inner`)."""
    joined = CustomerPrediction.customer_id == CustomerMetrics.customer_id
    if kind == "at_risk" or inner:
        return query.join(CustomerPrediction, joined)
    return query.outerjoin(CustomerPrediction, joined)


def _list_query(kind: str, segment: str | None = None, *, inner: bool = False) -> sa.Select:
    query = sa.select(
        Customer.id,
        Customer.external_id,
        Customer.name,
        Customer.email,
        CustomerMetrics,
        CustomerPrediction,
    ).join(CustomerMetrics, CustomerMetrics.customer_id == Customer.id)
    query = _with_predictions(query, kind, inner=inner)
    return query.where(*_list_filters(kind, segment, listing=True))


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
    # Every metrics row has its customer: count the metrics alone (with the predictions only
    # when the filter needs them).
    counted_rows = sa.select(sa.func.count()).select_from(CustomerMetrics)
    if kind == "at_risk":
        counted_rows = _with_predictions(counted_rows, kind)
    total = session.scalar(counted_rows.where(*_list_filters(kind, segment)))
    sort = sort or LIST_DEFAULT_SORT.get(kind, "lifetime_value")
    column = SORTABLE.get(sort)
    if column is None:
        column = CustomerMetrics.lifetime_value
    if sort == "recency_days":
        descending = not descending
    if column.class_ is CustomerPrediction:
        rows = _page_by_prediction(session, kind, segment, column, descending, offset, limit)
    else:
        order = column.desc() if descending else column.asc()
        if column.nullable:  # (only then: PostgreSQL serves DESC NULLS LAST from no plain index)
            order = order.nulls_last()
        query = _list_query(kind, segment).order_by(order, Customer.id)
        rows = session.execute(query.offset(offset).limit(limit)).all()
    return [_list_row(row, today) for row in rows], total


def _page_by_prediction(
    session: Session,
    kind: str,
    segment: str | None,
    column,
    descending: bool,
    offset: int,
    limit: int,
) -> list:
    """A page sorted by a prediction, buyers without one last (by customer), as ORDER BY …
    NULLS LAST would: the predicted rows by a walk down the prediction's index, the others
    only when the page reaches them (a join that keeps them cannot be walked that way)."""
    order = column.desc() if descending else column.asc()
    predicted = _list_query(kind, segment, inner=True).where(column.is_not(None))
    rows = session.execute(predicted.order_by(order, Customer.id).offset(offset).limit(limit)).all()
    if len(rows) == limit:
        return rows
    skip = 0
    if not rows:  # the page starts past the predicted rows: how far past
        before = session.scalar(sa.select(sa.func.count()).select_from(predicted.subquery()))
        skip = max(offset - before, 0)
    unpredicted = _list_query(kind, segment).where(column.is_(None)).order_by(Customer.id)
    return rows + session.execute(unpredicted.offset(skip).limit(limit - len(rows))).all()


def _list_row(row, today: date) -> dict:
    metrics, prediction = row.CustomerMetrics, row.CustomerPrediction
    return {
        "customer_id": row.external_id,
        "profile_id": metrics.customer_id,  # ours, for links to the profile
        "name": row.name,
        "email": row.email,
        "segment": metrics.segment,
        "orders_count": metrics.orders_count,
        "lifetime_value": metrics.lifetime_value,
        "aov": metrics.aov,
        "last_order_at": metrics.last_order_at,
        "recency_days": _days_since(metrics.last_order_date, today),
        "churn_risk": prediction.churn_risk if prediction else None,
        "vip_tier": metrics.vip_tier,
        "p_alive": prediction.p_alive if prediction else None,
        "expected_orders_90d": prediction.expected_orders_90d if prediction else None,
        "clv_12m": prediction.clv_12m if prediction else None,
        "value_at_risk": prediction.value_at_risk if prediction else None,
    }


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


def alive_matrix(session: Session) -> dict[tuple[str, str], tuple[int, int]]:
    """(segment, P(alive) band) → (customers, value at risk), for customers with a prediction,
    as the last rescoring stored it (`store_alive_matrix`)."""
    rows = session.execute(
        sa.select(
            AliveMatrixCell.segment,
            AliveMatrixCell.band,
            AliveMatrixCell.customers,
            AliveMatrixCell.value_at_risk,
        )
    )
    return {(segment, band): (int(n), int(value)) for segment, band, n, value in rows}
