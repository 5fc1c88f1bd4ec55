"""Engine figures: each metric family beside the raw SQL aggregates it needs.

A baseline runs the same aggregates as bare SQL text over the same rows, results fetched and
nothing written: the ratio is what the engine's bookkeeping (upserts, stale keys, Python)
costs on top of the work itself. The statements are spelled for the database they run on.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.campaigns import rebuild_campaign_performance
from app.analytics.cohorts import rebuild_cohorts
from app.analytics.customers import refresh_order_figures, rescore_customers
from app.analytics.daily import rebuild_daily
from app.analytics.funnel import rebuild_funnel, refresh_session_funnels
from app.analytics.periods import DateRange
from app.analytics.product_figures import rebuild_products
from app.analytics.traffic import rebuild_page_views
from app.models import ConversionEvent
from app.pipeline.jobs import nightly_keys
from app.pipeline.refresher import RefreshSettings, refresh_pass
from app.pipeline.stale import Keys, mark
from bench.report import Figure, median_seconds

SETTINGS = RefreshSettings(zone=ZoneInfo("UTC"), currency_exponent=2, clv_monthly_rate=0.01)

COUNTED = "status IN ('completed', 'refunded')"
# Issue 16: the backfill's funnel pass at 1M orders (it was 14 s, walking every event).
FUNNEL_BUDGET_SECONDS = 3.0

RAW_DAILY = [
    f"SELECT business_date, channel, COUNT(*), SUM(subtotal), SUM(discount), SUM(tax), SUM(shipping)"
    f" FROM orders WHERE business_date BETWEEN :s AND :e AND {COUNTED} GROUP BY business_date, channel",
    "SELECT r.business_date, o.channel, SUM(r.amount) FROM refunds r JOIN orders o ON o.id = r.order_id"
    " WHERE r.business_date BETWEEN :s AND :e GROUP BY r.business_date, o.channel",
    "SELECT p.method, o.business_date, COUNT(*), SUM(p.amount) FROM payments p JOIN orders o"
    f" ON o.id = p.order_id WHERE o.business_date BETWEEN :s AND :e AND o.{COUNTED}"
    " GROUP BY p.method, o.business_date",
    f"SELECT business_date, COUNT(DISTINCT customer_id) FROM orders"
    f" WHERE business_date BETWEEN :s AND :e AND {COUNTED} GROUP BY business_date",
    # New customers of each day: the day's buyers without a counted order before it.
    f"SELECT o.business_date, COUNT(DISTINCT o.customer_id) FROM orders o"
    f" WHERE o.business_date BETWEEN :s AND :e AND o.{COUNTED} AND NOT EXISTS (SELECT 1 FROM orders p"
    f" WHERE p.customer_id = o.customer_id AND p.business_date < o.business_date AND p.{COUNTED})"
    " GROUP BY o.business_date",
    # Visits by entry day: every event of the sessions seen in the range.
    "SELECT entered, COUNT(*), SUM(bought) FROM (SELECT MIN(CASE WHEN event_type = 'page_view'"
    " THEN business_date END) AS entered, MAX(CASE WHEN event_type = 'purchase' THEN 1 ELSE 0 END)"
    " AS bought FROM conversion_events WHERE session_id IN (SELECT session_id FROM conversion_events"
    " WHERE business_date BETWEEN :s AND :e) GROUP BY session_id) AS visits"
    " WHERE entered BETWEEN :s AND :e GROUP BY entered",
]
RAW_CAMPAIGNS = [
    f"SELECT campaign_id, business_date, COUNT(*), COUNT(DISTINCT customer_id), SUM(subtotal - discount),"
    f" SUM(discount) FROM orders WHERE campaign_id IS NOT NULL AND {COUNTED}"
    f" AND business_date BETWEEN :s AND :e GROUP BY campaign_id, business_date",
    "SELECT o.campaign_id, r.business_date, SUM(r.amount) FROM refunds r JOIN orders o ON o.id = r.order_id"
    " WHERE o.campaign_id IS NOT NULL AND r.business_date BETWEEN :s AND :e GROUP BY o.campaign_id, r.business_date",
]
RAW_PAGE_VIEWS = [
    "SELECT business_date, page, COUNT(*), COUNT(DISTINCT session_id) FROM conversion_events"
    " WHERE event_type = 'page_view' AND page IS NOT NULL AND business_date BETWEEN :s AND :e"
    " GROUP BY business_date, page",
]
# The funnel's day figures: the visits' funnel rows summed by entry day and channel.
RAW_FUNNEL = [
    "SELECT business_date, channel, COUNT(*), SUM(CASE WHEN reached >= 1 THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN reached >= 2 THEN 1 ELSE 0 END), SUM(CASE WHEN reached >= 3 THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN reached >= 4 THEN 1 ELSE 0 END) FROM funnel_sessions"
    " WHERE business_date BETWEEN :s AND :e GROUP BY business_date, channel",
    "SELECT business_date, channel, minutes, COUNT(*) FROM funnel_sessions WHERE minutes IS NOT NULL"
    " AND business_date BETWEEN :s AND :e GROUP BY business_date, channel, minutes",
]
# What a visit's funnel row is walked from: every event of the visits seen in the range, in
# visit and time order.
RAW_VISIT_EVENTS = [
    "SELECT session_id, event_type, occurred_at, business_date, channel FROM conversion_events"
    " WHERE session_id IN (SELECT session_id FROM conversion_events WHERE business_date"
    " BETWEEN :s AND :e) ORDER BY session_id, occurred_at",
]
RAW_EVERY_EVENT = [
    "SELECT session_id, event_type, occurred_at, business_date, channel FROM conversion_events"
    " ORDER BY session_id, occurred_at",
]
# Every customer's figures from the orders: per customer and day, then per customer.
RAW_CUSTOMERS = [
    "SELECT customer_id, SUM(n), SUM(sales), MIN(first_at), MAX(last_at), MIN(day), MAX(day), COUNT(*),"
    " SUM(CASE WHEN nth > 1 THEN sales END) FROM (SELECT customer_id, business_date AS day, COUNT(*) AS n,"
    " SUM(subtotal - discount) AS sales, MIN(placed_at) AS first_at, MAX(placed_at) AS last_at,"
    " ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY business_date) AS nth FROM orders"
    f" WHERE {COUNTED} AND customer_id IS NOT NULL GROUP BY customer_id, business_date) AS days"
    " GROUP BY customer_id",
    "SELECT o.customer_id, SUM(r.amount) FROM refunds r JOIN orders o ON o.id = r.order_id GROUP BY o.customer_id",
]
# What rescoring reads: one row per customer (quintiles, the typical interval, referrals) and
# the CLV model's summary columns.
RAW_SCORES = [
    "SELECT customer_id, NTILE(5) OVER (ORDER BY last_order_date, customer_id),"
    " NTILE(5) OVER (ORDER BY orders_count, customer_id), NTILE(5) OVER (ORDER BY lifetime_value, customer_id)"
    " FROM customer_metrics WHERE orders_count > 0",
    "SELECT AVG(last_order_date - first_order_date) FROM customer_metrics WHERE orders_count > 1",
    "SELECT r.referrer_id, COUNT(*), SUM(m.lifetime_value) FROM referrals r JOIN customer_metrics m"
    " ON m.customer_id = r.referred_id GROUP BY r.referrer_id",
    "SELECT customer_id, purchase_days, first_order_date, last_order_date, repeat_day_sales"
    " FROM customer_metrics WHERE orders_count > 0",
    # The customers page's segment × P(alive) matrix, written by every rescoring.
    "SELECT m.segment, CASE WHEN p.p_alive < 0.25 THEN 0 WHEN p.p_alive < 0.5 THEN 1"
    " WHEN p.p_alive < 0.75 THEN 2 ELSE 3 END, COUNT(*), SUM(p.value_at_risk)"
    " FROM customer_predictions p JOIN customer_metrics m ON m.customer_id = p.customer_id"
    " WHERE p.p_alive IS NOT NULL AND m.segment IS NOT NULL GROUP BY 1, 2",
]
RAW_COHORTS = {
    "sqlite": "strftime('%Y-%m', business_date)",
    "postgresql": "to_char(business_date, 'YYYY-MM')",
}
RAW_PRODUCTS = [
    "SELECT o.business_date, l.product_id, COUNT(DISTINCT o.id), SUM(l.quantity),"
    " SUM(l.quantity * l.unit_price), SUM(l.discount), SUM(CASE WHEN l.unit_cost IS NOT NULL"
    " THEN l.quantity * l.unit_cost ELSE 0 END), SUM(CASE WHEN l.unit_cost IS NOT NULL THEN"
    " l.quantity * l.unit_price - l.discount ELSE 0 END) FROM orders o JOIN order_lines l"
    f" ON l.order_id = o.id WHERE o.business_date BETWEEN :s AND :e AND o.{COUNTED}"
    " GROUP BY o.business_date, l.product_id",
    "SELECT r.business_date, l.product_id, SUM(rl.quantity), SUM(rl.amount) FROM refunds r"
    " JOIN refund_lines rl ON rl.refund_id = r.id JOIN order_lines l ON l.id = rl.order_line_id"
    " WHERE r.business_date BETWEEN :s AND :e GROUP BY r.business_date, l.product_id",
    "SELECT o.business_date, COUNT(DISTINCT o.id), COUNT(*), SUM(l.quantity) FROM orders o"
    f" JOIN order_lines l ON l.order_id = o.id WHERE o.business_date BETWEEN :s AND :e AND o.{COUNTED}"
    " GROUP BY o.business_date",
    "SELECT o.business_date, a.product_id, b.product_id, COUNT(DISTINCT o.id) FROM orders o"
    " JOIN order_lines a ON a.order_id = o.id JOIN order_lines b ON b.order_id = o.id"
    f" AND b.product_id > a.product_id WHERE o.business_date BETWEEN :s AND :e AND o.{COUNTED}"
    " GROUP BY o.business_date, a.product_id, b.product_id",
]
RAW_DAY_FAMILIES = RAW_DAILY + RAW_CAMPAIGNS + RAW_PAGE_VIEWS + RAW_FUNNEL + RAW_PRODUCTS


def raw_cohorts(dialect: str) -> list[str]:
    month = RAW_COHORTS[dialect]
    return [
        f"SELECT customer_id, MIN({month}) FROM orders WHERE {COUNTED} GROUP BY customer_id",
        f"SELECT DISTINCT customer_id, {month} FROM orders WHERE {COUNTED}",
    ]


def raw_sql(session: Session, statements: list[str], days: DateRange):
    """The same aggregates as bare SQL text, results fetched, nothing written."""
    params = {"s": days.start, "e": days.end}

    def run() -> None:
        for sql in statements:
            session.execute(sa.text(sql), params).fetchall()

    return run


def measure(session: Session, name: str, work, raw, budget: float | None, repeat: int) -> Figure:
    def engine_run() -> None:
        work()
        session.rollback()  # leave the bench database as it was

    return Figure(name, median_seconds(engine_run, repeat), median_seconds(raw, repeat), budget)


def refresh_once(session: Session, keys: Keys, today: date) -> int:
    """Mark the keys and run one refresher pass over them, in the session's transaction."""
    mark(session, keys)
    return refresh_pass(session, SETTINGS, today).keys


def nightly(session: Session, day: date, today: date) -> Figure:
    """The nightly job for a day (what jobs.run_nightly marks, one refresher pass) against
    the raw aggregates of the day's families and the per-customer reads of the rescoring;
    min of three (the figure is the job, not the machine's noise)."""
    one = DateRange(day, day)
    work = lambda: (refresh_once(session, nightly_keys(day), today), session.rollback())  # noqa: E731
    runs = [median_seconds(work, 1) for _ in range(3)]
    raw = raw_sql(session, RAW_DAY_FAMILIES + RAW_SCORES, one)
    raw_runs = [median_seconds(raw, 1) for _ in range(3)]
    return Figure("nightly job, one day (min of 3)", min(runs), min(raw_runs), 2)


def family_figures(session: Session, day: date, today: date) -> list[Figure]:
    """Each family of the nightly job for one day, and the full customer refresh."""
    one = DateRange(day, day)
    dialect = session.get_bind().dialect.name
    plan = [
        (
            "  day: snapshot, channels, payments, visits",
            lambda: rebuild_daily(session, one),
            RAW_DAILY,
        ),
        (
            "  day: campaign performance",
            lambda: rebuild_campaign_performance(session, one),
            RAW_CAMPAIGNS,
        ),
        ("  day: page views", lambda: rebuild_page_views(session, one), RAW_PAGE_VIEWS),
        ("  day: funnel", lambda: rebuild_funnel(session, one), RAW_FUNNEL),
        (
            "  day: the day's visits' funnel rows (as their events arrive)",
            lambda: refresh_session_funnels(session, _visits_of(session, one)),
            RAW_VISIT_EVENTS,
        ),
        (
            "  day: products, baskets and pairs",
            lambda: rebuild_products(session, one),
            RAW_PRODUCTS,
        ),
        (
            "  every customer rescored from the summary",
            lambda: rescore_customers(session, today, scored_until=today - timedelta(days=1)),
            RAW_SCORES,
        ),
    ]
    figures = [
        measure(session, name, work, raw_sql(session, raw, one), None, 3)
        for name, work, raw in plan
    ]
    figures.append(
        measure(
            session,
            "customer metrics, full refresh from the orders",
            lambda: full_customer_refresh(session, today),
            raw_sql(session, RAW_CUSTOMERS + RAW_SCORES, one),
            1.5,
            2,
        )
    )
    figures.append(
        measure(
            session,
            "cohorts, every month",
            lambda: rebuild_cohorts(session),
            raw_sql(session, raw_cohorts(dialect), one),
            None,
            2,
        )
    )
    return figures


def full_customer_refresh(session: Session, today: date) -> None:
    """What a backfill's refresher pass does for customers, the CLV scoring apart (measured on
    its own): every customer's figures from the orders, then the rescoring that keeps the
    model's churn risk (a bare refresh_customer_metrics would put the rule's back)."""
    refresh_order_figures(session, None)
    rescore_customers(session, today, scored_until=today - timedelta(days=1))


def backfill_families(session: Session, full: DateRange) -> list[Figure]:
    """The backfill's biggest families over the whole history, each against its raw SQL."""
    plan = [
        ("  backfill: daily rebuild", lambda: rebuild_daily(session, full), RAW_DAILY, 1.5),
        ("  backfill: funnel", lambda: rebuild_funnel(session, full), RAW_FUNNEL, None),
        (
            "  backfill: campaign performance",
            lambda: rebuild_campaign_performance(session, full),
            RAW_CAMPAIGNS,
            None,
        ),
        ("  backfill: page views", lambda: rebuild_page_views(session, full), RAW_PAGE_VIEWS, None),
        (
            "  backfill: products, baskets and pairs",
            lambda: rebuild_products(session, full),
            RAW_PRODUCTS,
            None,
        ),
    ]
    figures = [
        measure(session, name, work, raw_sql(session, raw, full), budget, 1)
        for name, work, raw, budget in plan
    ]
    funnel = next(figure for figure in figures if figure.name == "  backfill: funnel")
    figures.append(
        Figure("  backfill: funnel, against its budget", funnel.measured, FUNNEL_BUDGET_SECONDS, 1)
    )
    # Not the backfill's: after a bulk load, a restamp or `backfill --sessions`.
    figures.append(
        measure(
            session,
            "  every visit's funnel row from its events",
            lambda: refresh_session_funnels(session, None),
            raw_sql(session, RAW_EVERY_EVENT, full),
            None,
            1,
        )
    )
    return figures


def _visits_of(session: Session, days: DateRange) -> list[str]:
    """The visits with an event in the range: what the day's event batches mark stale."""
    events = ConversionEvent.__table__
    return list(
        session.scalars(
            sa.select(events.c.session_id)
            .where(events.c.business_date.between(days.start, days.end))
            .distinct()
        )
    )


def backfill_raw(session: Session, full: DateRange) -> float:
    """Every raw aggregate the backfill computes, over the whole history."""
    dialect = session.get_bind().dialect.name
    statements = RAW_DAY_FAMILIES + RAW_CUSTOMERS + raw_cohorts(dialect) + RAW_SCORES
    return median_seconds(raw_sql(session, statements, full), 1)
