"""Checks that the figures equal a from-scratch recompute of the commerce tables.

Holding the refresher's lock, it first takes in whatever is pending, then recomputes every
derived table from scratch inside a savepoint it rolls back, and compares row by row. It
changes nothing (but the pending keys it refreshed): `flask analytics verify` and the
torture test run it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.campaigns import rebuild_campaign_performance
from app.analytics.cohorts import rebuild_cohorts
from app.analytics.customers import REAL_TIME_COLUMNS, refresh_customer_metrics
from app.analytics.daily import rebuild_daily
from app.analytics.funnel import rebuild_funnel, refresh_session_funnels
from app.analytics.periods import DateRange
from app.analytics.product_figures import rebuild_products
from app.analytics.products import SUMMED as PRODUCT_SUMS
from app.analytics.traffic import rebuild_page_views
from app.models import (
    AliveMatrixCell,
    BasketDaily,
    CampaignPerformance,
    CohortRetention,
    ConversionEvent,
    CustomerMetrics,
    DailyAnalyticsSnapshot,
    DailyBuyers,
    FunnelConversionTime,
    FunnelDaily,
    FunnelSession,
    Order,
    PageViewAnalytics,
    PaymentMethodDaily,
    ProductDaily,
    ProductMonthly,
    Refund,
    RevenueStream,
)
from app.models.enums import COUNTED_STATUSES
from app.pipeline.purchases import ORDER_SESSION_PREFIX
from app.pipeline.refresher import RefreshSettings, exclusive, refresh_pass
from app.timeutil import shop_today

# Each derived table: its key columns and the figure columns compared.
CHECKED: dict[sa.Table, tuple[tuple[str, ...], tuple[str, ...]]] = {
    DailyBuyers.__table__: (("business_date",), ("buyers", "customer_ids")),
    DailyAnalyticsSnapshot.__table__: (
        ("business_date",),
        (
            "orders",
            "gross",
            "discounts",
            "refunds",
            "net_revenue",
            "tax",
            "shipping",
            "customers",
            "new_customers",
            "returning_customers",
            "aov",
            "sessions",
            "converted_sessions",
        ),
    ),
    RevenueStream.__table__: (
        ("business_date", "channel"),
        ("gross", "discounts", "refunds", "amount", "transaction_count"),
    ),
    PaymentMethodDaily.__table__: (("business_date", "method"), ("orders", "amount")),
    CustomerMetrics.__table__: (("customer_id",), REAL_TIME_COLUMNS[1:]),
    AliveMatrixCell.__table__: (("segment", "band"), ("customers", "value_at_risk")),
    CampaignPerformance.__table__: (
        ("campaign_id", "business_date"),
        ("orders", "conversions", "revenue", "discount_cost"),
    ),
    CohortRetention.__table__: (("cohort_month", "months_since"), ("customers",)),
    PageViewAnalytics.__table__: (("business_date", "page"), ("views", "unique_visitors")),
    FunnelDaily.__table__: (
        ("business_date", "channel"),
        ("sessions", "product_views", "add_to_carts", "checkouts", "purchases"),
    ),
    FunnelConversionTime.__table__: (("business_date", "channel", "minutes"), ("sessions",)),
    FunnelSession.__table__: (("session_id",), ("business_date", "channel", "reached", "minutes")),
    ProductDaily.__table__: (("business_date", "product_id"), PRODUCT_SUMS),
    ProductMonthly.__table__: (("month", "product_id"), PRODUCT_SUMS),
    BasketDaily.__table__: (
        ("business_date",),
        ("orders", "lines", "units", "pair_keys", "pair_orders", "first_buyers"),
    ),
}


@dataclass
class TableCheck:
    table: str
    rows: int
    differences: list[tuple] = field(default_factory=list)  # (key, stored, recomputed)


def _figures(session: Session, table: sa.Table) -> dict[tuple, tuple]:
    """Key → figures, leaving out rows with nothing in them (absent and zero are the same)."""
    keys, values = CHECKED[table]
    rows = session.execute(sa.select(*(table.c[n] for n in keys + values))).all()
    return {
        tuple(row[: len(keys)]): tuple(row[len(keys) :])
        for row in rows
        if any(value not in (0, None) for value in row[len(keys) :])
    }


def _all_figures(session: Session) -> dict[str, dict[tuple, tuple]]:
    return {table.name: _figures(session, table) for table in CHECKED}


def _history(session: Session) -> DateRange | None:
    """Every business day anything happened on."""
    bounds = [
        session.execute(sa.select(sa.func.min(column), sa.func.max(column))).one()
        for column in (Order.business_date, Refund.business_date, ConversionEvent.business_date)
    ]
    firsts = [low for low, _ in bounds if low is not None]
    lasts = [high for _, high in bounds if high is not None]
    return DateRange(min(firsts), max(lasts)) if firsts else None


def recompute_everything(session: Session, today: date) -> None:
    """Every derived table from scratch (what a fresh database would get)."""
    days = _history(session)
    if days is not None:
        rebuild_daily(session, days)
        rebuild_page_views(session, days)
        refresh_session_funnels(session, None)
        rebuild_funnel(session, days)
        rebuild_campaign_performance(session, days)
        rebuild_products(session, days)
    refresh_customer_metrics(session, as_of=today)
    rebuild_cohorts(session)


def purchase_event_problems(session: Session) -> TableCheck:
    """Purchase events follow the rule in purchases.py: none for an order that does not count,
    at most one per order, and in the order's visit when it has one. (Orders the demo
    generator made without a tracked visit have none; no figure reads them.)"""
    events, orders = ConversionEvent.__table__, Order.__table__
    purchases = (
        sa.select(
            events.c.order_id,
            sa.func.count().label("n"),
            sa.func.min(events.c.session_id).label("sid"),
        )
        .where(events.c.event_type == "purchase", events.c.order_id.is_not(None))
        .group_by(events.c.order_id)
        .subquery()
    )
    visits = (
        sa.select(events.c.order_id, sa.func.min(events.c.session_id).label("visit"))
        .where(
            events.c.order_id.is_not(None),
            sa.not_(events.c.session_id.startswith(ORDER_SESSION_PREFIX)),
        )
        .group_by(events.c.order_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            orders.c.external_id, orders.c.status, purchases.c.n, purchases.c.sid, visits.c.visit
        )
        .join(purchases, purchases.c.order_id == orders.c.id)
        .outerjoin(visits, visits.c.order_id == orders.c.id)
    ).all()
    check = TableCheck("purchase events", len(rows))
    for external_id, status, count, placed, visit in rows:
        if status not in COUNTED_STATUSES or count > 1 or (visit is not None and placed != visit):
            check.differences.append(((external_id,), (status, count, placed), ("one", visit)))
    return check


def verify(engine: sa.Engine, settings: RefreshSettings) -> list[TableCheck]:
    """Compare every derived table with a from-scratch recompute; lists the differences."""
    today = shop_today(settings.zone)
    with exclusive(engine, wait=True) as connection, Session(bind=connection) as session:
        while refresh_pass(session, settings, today).keys:
            pass
        stored = _all_figures(session)
        purchases = purchase_event_problems(session)
        savepoint = connection.begin_nested()
        recompute_everything(session, today)
        recomputed = _all_figures(session)
        savepoint.rollback()
    checks = []
    for name, rows in stored.items():
        expected = recomputed[name]
        check = TableCheck(name, len(rows))
        for key in sorted(rows.keys() | expected.keys(), key=repr):
            if rows.get(key) != expected.get(key):
                check.differences.append((key, rows.get(key), expected.get(key)))
        checks.append(check)
    return [*checks, purchases]
