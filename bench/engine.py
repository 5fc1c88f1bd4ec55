"""Engine figures: each nightly metric family beside the raw SQL aggregates it needs."""

from __future__ import annotations

import multiprocessing
import resource
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.campaigns import rebuild_campaign_performance
from app.analytics.cohorts import rebuild_cohorts
from app.analytics.customers import refresh_customer_metrics
from app.analytics.daily import rebuild_daily
from app.analytics.periods import DateRange
from app.analytics.traffic import rebuild_page_views
from app.pipeline.refresher import RefreshSettings, refresh_pass
from app.pipeline.stale import Keys, mark
from bench.report import Figure, median_seconds

SETTINGS = RefreshSettings(zone=ZoneInfo("UTC"), currency_exponent=2, clv_monthly_rate=0.01)

COUNTED = "status IN ('completed', 'refunded')"

RAW_DAILY = [
    f"SELECT business_date, channel, COUNT(*), SUM(subtotal), SUM(discount), SUM(tax), SUM(shipping)"
    f" FROM orders WHERE business_date BETWEEN :s AND :e AND {COUNTED} GROUP BY business_date, channel",
    "SELECT r.business_date, o.channel, SUM(r.amount) FROM refunds r JOIN orders o ON o.id = r.order_id"
    " WHERE r.business_date BETWEEN :s AND :e GROUP BY r.business_date, o.channel",
    f"SELECT business_date, COUNT(DISTINCT customer_id) FROM orders"
    f" WHERE business_date BETWEEN :s AND :e AND {COUNTED} GROUP BY business_date",
    f"SELECT first_day, COUNT(*) FROM (SELECT MIN(business_date) AS first_day FROM orders WHERE {COUNTED}"
    f" AND customer_id IN (SELECT customer_id FROM orders WHERE business_date BETWEEN :s AND :e AND {COUNTED})"
    f" GROUP BY customer_id) WHERE first_day BETWEEN :s AND :e GROUP BY first_day",
    "SELECT entered, COUNT(*), SUM(bought) FROM (SELECT MIN(CASE WHEN event_type = 'page_view'"
    " THEN business_date END) AS entered, MAX(CASE WHEN event_type = 'purchase' THEN 1 ELSE 0 END) AS bought"
    " FROM conversion_events WHERE session_id IN (SELECT session_id FROM conversion_events"
    " WHERE business_date BETWEEN :s AND :e) GROUP BY session_id) WHERE entered BETWEEN :s AND :e GROUP BY entered",
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
RAW_CUSTOMERS = [
    f"SELECT customer_id, COUNT(*), SUM(subtotal - discount), MIN(placed_at), MAX(placed_at),"
    f" MIN(business_date), MAX(business_date) FROM orders WHERE {COUNTED} GROUP BY customer_id",
    "SELECT o.customer_id, SUM(r.amount) FROM refunds r JOIN orders o ON o.id = r.order_id GROUP BY o.customer_id",
]
RAW_COHORTS = [
    f"SELECT customer_id, MIN(strftime('%Y-%m', business_date)) FROM orders WHERE {COUNTED} GROUP BY customer_id",
    f"SELECT DISTINCT customer_id, strftime('%Y-%m', business_date) FROM orders WHERE {COUNTED}",
]
# The events the in-order funnel walks: every event of the sessions that entered in the range.
RAW_FUNNEL = [
    "SELECT session_id, event_type, occurred_at, business_date, channel FROM conversion_events"
    " WHERE session_id IN (SELECT session_id FROM conversion_events WHERE event_type = 'page_view'"
    " AND business_date BETWEEN :s AND :e) ORDER BY session_id, occurred_at",
]
# What nightly CLV scoring reads: every counted purchase up to the day.
RAW_CLV = [
    f"SELECT customer_id, julianday(business_date), subtotal - discount FROM orders"
    f" WHERE {COUNTED} AND customer_id IS NOT NULL AND business_date <= :e",
]
ALL_RAW = (
    RAW_DAILY + RAW_CAMPAIGNS + RAW_PAGE_VIEWS + RAW_FUNNEL + RAW_CUSTOMERS + RAW_COHORTS + RAW_CLV
)
RAW_FULL_GROUP_BY = f"SELECT business_date, COUNT(*), SUM(subtotal), SUM(discount) FROM orders WHERE {COUNTED} GROUP BY business_date"


def _raw(session: Session, statements: list[str], days: DateRange):
    """The same aggregates as bare SQL text, results fetched, nothing written."""
    params = {"s": days.start.isoformat(), "e": days.end.isoformat()}

    def run() -> None:
        for sql in statements:
            session.execute(sa.text(sql), params).fetchall()

    return run


def _measure(session: Session, name: str, work, raw, budget: float | None, repeat: int) -> Figure:
    def engine_run() -> None:
        work()
        session.rollback()  # leave the bench database as it was

    return Figure(name, median_seconds(engine_run, repeat), median_seconds(raw, repeat), budget)


def refresh_once(session: Session, keys: Keys, today: date) -> int:
    """Mark the keys and run one refresher pass over them, in the session's transaction."""
    mark(session, keys)
    return refresh_pass(session, SETTINGS, today).keys


def nightly_keys(day: date) -> Keys:
    """What the nightly job marks for a day (app/pipeline/jobs.py, recompute)."""
    return Keys(days={day}, visit_days={day}, everything=True)


def engine_figures(session: Session, day: date, today: date, full: DateRange) -> list[Figure]:
    """Per family for information; the budget (≤ 2×) holds for the whole nightly job."""
    one = DateRange(day, day)
    plan = [
        (
            "nightly: daily snapshot + channels",
            lambda: rebuild_daily(session, one),
            RAW_DAILY,
            None,
            3,
        ),
        (
            "nightly: campaign performance",
            lambda: rebuild_campaign_performance(session, one),
            RAW_CAMPAIGNS,
            None,
            3,
        ),
        ("nightly: page views", lambda: rebuild_page_views(session, one), RAW_PAGE_VIEWS, None, 3),
        (
            "customer-metrics refresh (100k)",
            lambda: refresh_customer_metrics(session, today),
            RAW_CUSTOMERS,
            None,
            2,
        ),
        ("nightly: cohorts", lambda: rebuild_cohorts(session), RAW_COHORTS, None, 2),
        (
            "nightly job, one day: refresher pass, all families with CLV scoring",
            lambda: refresh_once(session, nightly_keys(day), today),
            ALL_RAW,
            2,
            2,
        ),
    ]
    figures = [
        _measure(session, name, work, _raw(session, raw, one), budget, repeat)
        for name, work, raw, budget, repeat in plan
    ]
    every_day = Keys(days=set(full), visit_days=set(full), everything=True)
    backfill = median_seconds(
        lambda: (refresh_once(session, every_day, today), session.commit()), 1
    )
    raw_same = median_seconds(_raw(session, ALL_RAW, full), 1)
    raw_full = median_seconds(_raw(session, [RAW_FULL_GROUP_BY], full), 3)
    figures.append(
        Figure(f"backfill, {full.days} days: refresher pass, all families", backfill, raw_same, 2)
    )
    figures.append(Figure("  the same, against one GROUP BY over orders", backfill, raw_full))
    return figures


def _nightly_peak_rss(database_uri: str, day: date, today: date, queue) -> None:
    from app import create_app
    from app.extensions import db

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        refresh_once(db.session, nightly_keys(day), today)
        db.session.rollback()
        queue.put((before / 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def nightly_memory(database_uri: str, day: date, today: date) -> list[Figure]:
    """Peak resident memory of a fresh process running the nightly job (the app itself included)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_nightly_peak_rss, args=(database_uri, day, today, queue))
    child.start()
    idle, peak = queue.get(timeout=600)
    child.join()
    return [
        Figure("nightly job peak memory (process)", peak, 300, 1, unit="MB"),
        Figure("  of which the app before the job", idle, unit="MB"),
    ]
