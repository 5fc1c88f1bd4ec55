"""Customer metrics: orders, lifetime value, RFM scores and segments, churn risk, loyalty."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.sql import (
    counted,
    day_number,
    delete_keys,
    put_rows,
    raw_rows,
    update_rows,
    upsert_select,
)
from app.models import (
    AliveMatrixCell,
    Customer,
    CustomerMetrics,
    CustomerPrediction,
    LoyaltyAccount,
    Order,
    Referral,
    Refund,
)
from app.timeutil import utc_now

METRICS = CustomerMetrics.__table__
PREDICTIONS = CustomerPrediction.__table__
# Kept current by the refresher as orders arrive; the nightly refresh adds scores and
# segment here, the churn risk and predictions in PREDICTIONS.
REAL_TIME_COLUMNS = (
    "customer_id",
    "orders_count",
    "lifetime_value",
    "aov",
    "first_order_at",
    "last_order_at",
    "first_order_date",
    "last_order_date",
    "purchase_days",
    "repeat_day_sales",
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


def order_stats(customer_ids: Collection[int] | None, until: date | None = None) -> sa.Subquery:
    """One row per customer with a counted order: orders, sales, first and last order (instant
    and business day), purchase days and the sales of the purchase days after the first.

    Orders are grouped by customer and day first: the day rows give the purchase days, and
    their order within each customer tells the first day's sales apart from the repeat days'.
    """
    day_sales = sa.func.sum(Order.subtotal - Order.discount)
    days = sa.select(
        Order.customer_id.label("customer_id"),
        Order.business_date.label("day"),
        sa.func.count().label("orders"),
        day_sales.label("sales"),
        sa.func.min(Order.placed_at).label("first_at"),
        sa.func.max(Order.placed_at).label("last_at"),
        sa.func.row_number()
        .over(partition_by=Order.customer_id, order_by=Order.business_date)
        .label("nth"),
    ).where(counted(Order.status), Order.customer_id.is_not(None))
    if customer_ids is not None:
        days = days.where(Order.customer_id.in_(customer_ids))
    if until is not None:
        days = days.where(Order.business_date <= until)
    days = days.group_by(Order.customer_id, Order.business_date).subquery("purchase_days")
    return (
        sa.select(
            days.c.customer_id,
            # Sums of sums are NUMERIC on PostgreSQL: back to whole numbers for the arithmetic.
            sa.cast(sa.func.sum(days.c.orders), sa.Integer).label("orders_count"),
            sa.cast(sa.func.sum(days.c.sales), sa.BigInteger).label("sales"),
            sa.func.min(days.c.first_at).label("first_order_at"),
            sa.func.max(days.c.last_at).label("last_order_at"),
            sa.func.min(days.c.day).label("first_day"),
            sa.func.max(days.c.day).label("last_day"),
            sa.func.count().label("purchase_days"),
            sa.cast(
                sa.func.coalesce(sa.func.sum(sa.case((days.c.nth > 1, days.c.sales))), 0),
                sa.BigInteger,
            ).label("repeat_day_sales"),
        )
        .group_by(days.c.customer_id)
        .subquery("sales")
    )


def _refund_stats(customer_ids: Collection[int] | None) -> sa.Subquery:
    refunds = sa.select(
        Order.customer_id.label("customer_id"), sa.func.sum(Refund.amount).label("refunded")
    ).join(Order, Order.id == Refund.order_id)
    if customer_ids is not None:
        refunds = refunds.where(Order.customer_id.in_(customer_ids))
    return refunds.group_by(Order.customer_id).subquery("refunds")


def refresh_order_figures(session: Session, customer_ids: Collection[int] | None) -> None:
    """Real-time part — orders, lifetime value, AOV, first/last order and the summary the
    scores read — of some customers (None: every customer), written where it changed."""
    if customer_ids is None:
        _refresh_order_figures(session, None)
        return
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


def _refresh_order_figures(session: Session, ids: list[int] | None) -> None:
    sales, refunds = order_stats(ids), _refund_stats(ids)
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
            sa.func.coalesce(sales.c.purchase_days, 0),
            sa.func.coalesce(sales.c.repeat_day_sales, 0),
            sa.literal(utc_now(), METRICS.c.updated_at.type),
        )
        .select_from(Customer)
        .outerjoin(sales, sales.c.customer_id == Customer.id)
        .outerjoin(refunds, refunds.c.customer_id == Customer.id)
    )
    columns = [*REAL_TIME_COLUMNS, "updated_at"]
    if ids is not None:
        upsert_select(
            session,
            METRICS,
            columns,
            select.where(Customer.id.in_(ids)),
            ["customer_id"],
            changed_only=True,
        )
        return
    # Everyone: an UPDATE of the rows that changed. An upsert would lock every row it meets,
    # changed or not — on PostgreSQL that is a write to every page of the table.
    _add_missing_rows(session)
    computed = select.subquery("computed")
    figures = dict(zip(columns, computed.c, strict=True))
    compared = [name for name in REAL_TIME_COLUMNS if name != "customer_id"]
    session.execute(
        METRICS.update()
        .where(
            METRICS.c.customer_id == figures["customer_id"],
            sa.or_(*(METRICS.c[name].is_distinct_from(figures[name]) for name in compared)),
        )
        .values({name: figures[name] for name in columns if name != "customer_id"})
    )


def _aov(sales):
    # Integer arithmetic rounds half up to whole minor units on both databases.
    total = sa.cast(sales.c.sales, sa.BigInteger)
    count = sales.c.orders_count
    return sa.case((count > 0, (2 * total + count) // (2 * count)), else_=0)


def refresh_customer_metrics(session: Session, as_of: date) -> int:
    """Every customer's row from the orders, then scored across all buyers as of a day: what a
    fresh database gets (a backfill, `verify`)."""
    refresh_order_figures(session, None)
    return rescore_customers(session, as_of)


def rescore_customers(session: Session, as_of: date, scored_until: date | None = None) -> int:
    """The figures that move with time or with other customers — R/F/M scores and segment,
    the rule-based churn risk, loyalty and referrals — from one row per customer (the
    maintained summary), never from the orders, computed in numpy. Only rows whose figures
    changed are written: the quintiles move only when someone buys, so most nights few rows
    are. (Days since the last order are derived at read time, from the last order's day.)

    `scored_until`: the day the CLV predictions were scored as of; the model's row (churn
    risk 1 − P(alive)) stands for customers who had bought by then, the rule's churn risk
    is written for the other buyers. Returns the number of customers.
    """
    _add_missing_rows(session)
    rows = raw_rows(
        session,
        sa.select(
            METRICS.c.customer_id,
            METRICS.c.orders_count,
            day_number(METRICS.c.first_order_date),
            day_number(METRICS.c.last_order_date),
            METRICS.c.lifetime_value,
            *(METRICS.c[name] for name in RESCORED),
            PREDICTIONS.c.churn_risk,
            PREDICTIONS.c.p_alive,
        )
        .select_from(
            METRICS.outerjoin(PREDICTIONS, PREDICTIONS.c.customer_id == METRICS.c.customer_id)
        )
        .order_by(METRICS.c.customer_id),
    )
    if not rows:
        return 0
    ids, orders, first, last, value = (
        np.array([row[i] if row[i] is not None else -1 for row in rows], dtype=np.int64)
        for i in range(5)
    )
    stored = [row[5:-2] for row in rows]
    buyers = orders > 0
    scores = _quintiles(ids, buyers, (last, orders, value))
    churn = _rule_churn(orders, first, last, _day(as_of), buyers)
    keep_model = buyers & (first <= _day(scored_until)) if scored_until else None
    tiers, points = _loyalty(session)
    referrals = _referrals(session)
    changed, rule_rows, gone = [], [], []
    for index, customer_id in enumerate(ids.tolist()):
        r, f, m = (int(column[index]) or None for column in scores)
        figures = (
            r,
            f,
            m,
            segment_for(r, f) if r else None,
            tiers.get(customer_id),
            points.get(customer_id, 0),
            *referrals.get(customer_id, (0, 0)),
        )
        if figures != tuple(stored[index]):
            changed.append((customer_id, *figures))
        stored_churn, stored_alive = rows[index][-2:]
        if not buyers[index]:
            if stored_churn is not None:
                gone.append(customer_id)
        elif keep_model is None or not keep_model[index] or stored_alive is None:
            rule = float(churn[index])
            if stored_alive is not None or stored_churn != rule:
                rule_rows.append((customer_id, rule))
    update_rows(session, METRICS, "customer_id", list(RESCORED), changed)
    delete_keys(session, PREDICTIONS, "customer_id", gone)
    put_rows(session, PREDICTIONS, "customer_id", ["churn_risk"], rule_rows)
    store_alive_matrix(session)
    return len(rows)


# P(alive) bands of the segment matrix: (label, low inclusive, high exclusive).
ALIVE_BANDS = (
    ("< 25%", 0.0, 0.25),
    ("25–50%", 0.25, 0.5),
    ("50–75%", 0.5, 0.75),
    ("≥ 75%", 0.75, 1.01),
)
MATRIX = AliveMatrixCell.__table__


def store_alive_matrix(session: Session) -> None:
    """(segment, P(alive) band) → customers and value at risk of those with a prediction,
    written whole: segments and predictions change only where customers are rescored."""
    p_alive = PREDICTIONS.c.p_alive
    band = sa.case(
        *((sa.and_(p_alive >= low, p_alive < high), label) for label, low, high in ALIVE_BANDS),
        else_=None,
    )
    cells = (
        sa.select(
            METRICS.c.segment,
            band,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(PREDICTIONS.c.value_at_risk), 0),
        )
        .join(METRICS, METRICS.c.customer_id == PREDICTIONS.c.customer_id)
        .where(p_alive.is_not(None), METRICS.c.segment.is_not(None), band.is_not(None))
        .group_by(METRICS.c.segment, band)
    )
    session.execute(MATRIX.delete())
    session.execute(
        MATRIX.insert().from_select(["segment", "band", "customers", "value_at_risk"], cells)
    )


# What rescore_customers writes to METRICS, in its order.
RESCORED = (
    "r_score",
    "f_score",
    "m_score",
    "segment",
    "vip_tier",
    "loyalty_points",
    "referrals_count",
    "referral_revenue",
)


def _day(value: date) -> int:
    return (value - date(1970, 1, 1)).days


def _quintiles(ids, buyers, columns) -> list[np.ndarray]:
    """NTILE(5) over the buyers ordered by each column, ties split by customer id (0 for
    customers without orders)."""
    count = int(buyers.sum())
    quotient, extra = divmod(count, 5)
    position = np.arange(count)
    big = extra * (quotient + 1)  # the first `extra` tiles hold one more
    with np.errstate(divide="ignore", invalid="ignore"):
        tile = (
            np.where(
                position < big,
                position // (quotient + 1),
                extra + (position - big) // max(quotient, 1),
            )
            + 1
        )
    result = []
    for column in columns:
        order = np.lexsort((ids[buyers], column[buyers]))
        scores = np.zeros(len(ids), dtype=np.int64)
        ranked = np.empty(count, dtype=np.int64)
        ranked[order] = tile
        scores[np.flatnonzero(buyers)] = ranked
        result.append(scores)
    return result


def _rule_churn(orders, first, last, today: int, buyers) -> np.ndarray:
    """0 while a customer is within their usual interval, rising to 1 at three intervals
    overdue; one-order customers are held to the shop's typical interval."""
    span = (last - first).astype(float)
    repeat = orders > 1
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(span < orders - 1, 1.0, span / np.maximum(orders - 1, 1))
    typical = float(own[repeat].mean()) if repeat.any() else DEFAULT_PURCHASE_INTERVAL_DAYS
    interval = np.where(repeat, own, typical)
    recency = (today - last).astype(float)
    overdue = (recency / interval - 1.0) / (CHURN_FULL_AT_INTERVALS - 1.0)
    return np.where(buyers, np.clip(overdue, 0.0, 1.0), np.nan)


def _loyalty(session: Session) -> tuple[dict[int, str], dict[int, int]]:
    tiers, points = {}, {}
    for customer_id, tier, balance in session.execute(
        sa.select(LoyaltyAccount.customer_id, LoyaltyAccount.tier, LoyaltyAccount.points_balance)
    ):
        tiers[customer_id], points[customer_id] = tier, balance or 0
    return tiers, points


def _referrals(session: Session) -> dict[int, tuple[int, int]]:
    referred = METRICS.alias("referred")
    rows = session.execute(
        sa.select(
            Referral.referrer_id,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(referred.c.lifetime_value), 0),
        )
        .join(referred, referred.c.customer_id == Referral.referred_id)
        .group_by(Referral.referrer_id)
    )
    return {referrer: (int(count), int(revenue)) for referrer, count, revenue in rows}


def _add_missing_rows(session: Session) -> None:
    """A row for every customer: one created without orders has none until now."""
    missing = sa.select(
        Customer.id,
        *(sa.literal(0) for _ in ZERO_COLUMNS),
        sa.literal(utc_now(), METRICS.c.updated_at.type),
    ).where(~sa.exists().where(METRICS.c.customer_id == Customer.id))
    session.execute(
        METRICS.insert().from_select(["customer_id", *ZERO_COLUMNS, "updated_at"], missing)
    )


ZERO_COLUMNS = (
    "orders_count",
    "lifetime_value",
    "aov",
    "purchase_days",
    "repeat_day_sales",
    "loyalty_points",
    "referrals_count",
    "referral_revenue",
)
