"""Customer metrics: orders, lifetime value, RFM scores and segments, churn risk, loyalty."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.sql import counted, day_number, upsert_select
from app.models import Customer, CustomerMetrics, LoyaltyAccount, Order, Referral, Refund
from app.timeutil import utc_now

METRICS = CustomerMetrics.__table__
# Kept current by the refresher as orders arrive; the nightly refresh adds scores, segment,
# risk and predictions.
REAL_TIME_COLUMNS = (
    "customer_id",
    "orders_count",
    "lifetime_value",
    "aov",
    "first_order_at",
    "last_order_at",
    "first_order_date",
    "last_order_date",
)
# Used for one-order customers until the shop has repeat buyers to learn an interval from.
DEFAULT_PURCHASE_INTERVAL_DAYS = 90.0
# Churn risk reaches 1 when a customer is this many of their usual intervals overdue.
CHURN_FULL_AT_INTERVALS = 3.0

# R × F grid → segment (R and F scored 1–5, 5 best).
SEGMENT_RULES: tuple[tuple[tuple[int, ...], tuple[int, ...], str], ...] = (
    ((5,), (4, 5), "Champions"),
    ((3, 4), (4, 5), "Loyal"),
    ((4, 5), (2, 3), "Potential loyalists"),
    ((5,), (1,), "New"),
    ((4,), (1,), "Promising"),
    ((3,), (3,), "Need attention"),
    ((3,), (1, 2), "About to sleep"),
    ((1, 2), (3, 4), "At risk"),
    ((1, 2), (5,), "Can't lose"),
    ((1, 2), (1, 2), "Hibernating"),
)


def segment_for(r_score: int, f_score: int) -> str:
    """The segment of one R×F cell (the same rules the SQL uses)."""
    for recency, frequency, name in SEGMENT_RULES:
        if r_score in recency and f_score in frequency:
            return name
    raise ValueError(f"scores out of range: R={r_score} F={f_score}")


def _segment_case(r_score, f_score):
    return sa.case(
        *((sa.and_(r_score.in_(r), f_score.in_(f)), name) for r, f, name in SEGMENT_RULES),
        else_=None,
    )


def _order_stats(customer_ids: Collection[int] | None):
    sales = sa.select(
        Order.customer_id.label("customer_id"),
        sa.func.count().label("orders_count"),
        sa.func.sum(Order.subtotal - Order.discount).label("sales"),
        sa.func.min(Order.placed_at).label("first_order_at"),
        sa.func.max(Order.placed_at).label("last_order_at"),
        sa.func.min(Order.business_date).label("first_day"),
        sa.func.max(Order.business_date).label("last_day"),
    ).where(counted(Order.status), Order.customer_id.is_not(None))
    refunds = sa.select(
        Order.customer_id.label("customer_id"), sa.func.sum(Refund.amount).label("refunded")
    ).join(Order, Order.id == Refund.order_id)
    if customer_ids is not None:
        sales = sales.where(Order.customer_id.in_(customer_ids))
        refunds = refunds.where(Order.customer_id.in_(customer_ids))
    return (
        sales.group_by(Order.customer_id).subquery("sales"),
        refunds.group_by(Order.customer_id).subquery("refunds"),
    )


def refresh_order_figures(session: Session, customer_ids: Collection[int]) -> None:
    """Real-time part: orders, lifetime value, first/last order and AOV of some customers."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), ORDER_FIGURES_CHUNK):
        _refresh_order_figures(session, ids[start : start + ORDER_FIGURES_CHUNK])


# Bound parameters per statement stay well inside every driver's limit.
ORDER_FIGURES_CHUNK = 5_000


def first_order_dates(session: Session, customer_ids: Collection[int]) -> dict[int, date | None]:
    """The recorded business day of each customer's first counted order (None: no order)."""
    ids = sorted(set(customer_ids))
    found: dict[int, date | None] = dict.fromkeys(ids)
    for start in range(0, len(ids), ORDER_FIGURES_CHUNK):
        found.update(
            session.execute(
                sa.select(METRICS.c.customer_id, METRICS.c.first_order_date).where(
                    METRICS.c.customer_id.in_(ids[start : start + ORDER_FIGURES_CHUNK])
                )
            ).all()
        )
    return found


def _refresh_order_figures(session: Session, ids: list[int]) -> None:
    sales, refunds = _order_stats(ids)
    net = sa.func.coalesce(sales.c.sales, 0) - sa.func.coalesce(refunds.c.refunded, 0)
    select = (
        sa.select(
            Customer.id,
            sa.func.coalesce(sales.c.orders_count, 0),
            net,
            _aov(sales),
            sales.c.first_order_at,
            sales.c.last_order_at,
            sales.c.first_day,
            sales.c.last_day,
            sa.literal(utc_now(), METRICS.c.updated_at.type),
        )
        .select_from(Customer)
        .outerjoin(sales, sales.c.customer_id == Customer.id)
        .outerjoin(refunds, refunds.c.customer_id == Customer.id)
        .where(Customer.id.in_(ids))
    )
    upsert_select(session, METRICS, [*REAL_TIME_COLUMNS, "updated_at"], select, ["customer_id"])


def _aov(sales):
    # Integer arithmetic rounds half up to whole minor units on both databases.
    total = sa.cast(sales.c.sales, sa.BigInteger)
    count = sales.c.orders_count
    return sa.case((count > 0, (2 * total + count) // (2 * count)), else_=0)


def refresh_customer_metrics(session: Session, as_of: date) -> int:
    """Full nightly refresh of every customer's row, RFM scored across all buyers as of a day."""
    base = _base_figures(as_of).cte("base")
    buyers = base.c.orders_count > 0
    scores = (
        sa.select(
            base.c.customer_id,
            _quintile(base.c.last_day, base.c.customer_id).label("r_score"),
            _quintile(base.c.orders_count, base.c.customer_id).label("f_score"),
            _quintile(base.c.lifetime_value, base.c.customer_id).label("m_score"),
        )
        .where(buyers)
        .cte("scores")
    )
    referrals = _referral_figures(base).cte("referral_figures")
    typical = _typical_interval(base)
    select = (
        sa.select(
            base.c.customer_id,
            base.c.orders_count,
            base.c.lifetime_value,
            base.c.aov,
            base.c.first_order_at,
            base.c.last_order_at,
            base.c.first_day,
            base.c.last_day,
            base.c.recency_days,
            scores.c.r_score,
            scores.c.f_score,
            scores.c.m_score,
            _segment_case(scores.c.r_score, scores.c.f_score),
            sa.case((buyers, _churn_risk(base, typical)), else_=None),
            LoyaltyAccount.tier,
            sa.func.coalesce(LoyaltyAccount.points_balance, 0),
            sa.func.coalesce(referrals.c.referrals_count, 0),
            sa.func.coalesce(referrals.c.referral_revenue, 0),
            sa.literal(utc_now(), METRICS.c.updated_at.type),
        )
        .select_from(base)
        .outerjoin(scores, scores.c.customer_id == base.c.customer_id)
        .outerjoin(LoyaltyAccount, LoyaltyAccount.customer_id == base.c.customer_id)
        .outerjoin(referrals, referrals.c.referrer_id == base.c.customer_id)
    )
    upsert_select(session, METRICS, FULL_COLUMNS, select, ["customer_id"])
    return session.scalar(sa.select(sa.func.count()).select_from(Customer))


FULL_COLUMNS = [
    *REAL_TIME_COLUMNS,
    "recency_days",
    "r_score",
    "f_score",
    "m_score",
    "segment",
    "churn_risk",
    "vip_tier",
    "loyalty_points",
    "referrals_count",
    "referral_revenue",
    "updated_at",
]


def _base_figures(as_of: date) -> sa.Select:
    sales, refunds = _order_stats(None)
    net = sa.func.coalesce(sales.c.sales, 0) - sa.func.coalesce(refunds.c.refunded, 0)
    return (
        sa.select(
            Customer.id.label("customer_id"),
            sa.func.coalesce(sales.c.orders_count, 0).label("orders_count"),
            net.label("lifetime_value"),
            _aov(sales).label("aov"),
            sales.c.first_order_at,
            sales.c.last_order_at,
            sales.c.first_day,
            sales.c.last_day,
            (day_number(sa.literal(as_of, sa.Date)) - day_number(sales.c.last_day)).label(
                "recency_days"
            ),
        )
        .select_from(Customer)
        .outerjoin(sales, sales.c.customer_id == Customer.id)
        .outerjoin(refunds, refunds.c.customer_id == Customer.id)
    )


def _quintile(value, tiebreak):
    """Scores 1–5 by quintile of rank; equal values are split by customer id, not lumped."""
    return sa.func.ntile(5).over(order_by=(value, tiebreak))


def _interval_days(base):
    """A repeat customer's mean days between first and last order (at least one day)."""
    span = day_number(base.c.last_day) - day_number(base.c.first_day)
    return sa.case(
        (span < base.c.orders_count - 1, 1.0), else_=span * 1.0 / (base.c.orders_count - 1)
    )


def _typical_interval(base):
    mean = (
        sa.select(sa.func.avg(_interval_days(base)))
        .where(base.c.orders_count > 1)
        .scalar_subquery()
    )
    return sa.func.coalesce(mean, DEFAULT_PURCHASE_INTERVAL_DAYS)


def _churn_risk(base, typical):
    """0 while a customer is within their usual interval, rising to 1 at three intervals overdue."""
    interval = sa.case((base.c.orders_count > 1, _interval_days(base)), else_=typical)
    overdue = (base.c.recency_days * 1.0 / interval - 1.0) / (CHURN_FULL_AT_INTERVALS - 1.0)
    return sa.cast(sa.case((overdue <= 0, 0.0), (overdue >= 1, 1.0), else_=overdue), sa.Float)


def _referral_figures(base):
    return (
        sa.select(
            Referral.referrer_id,
            sa.func.count().label("referrals_count"),
            sa.func.sum(base.c.lifetime_value).label("referral_revenue"),
        )
        .join(base, base.c.customer_id == Referral.referred_id)
        .group_by(Referral.referrer_id)
    )
