"""The single refresher: the one writer of every derived figure.

A pass runs alone across all processes — a session-level advisory lock on PostgreSQL, the
database's write lock (BEGIN IMMEDIATE) on SQLite — and in one transaction that sees one
snapshot of the commerce tables (REPEATABLE READ on PostgreSQL; SQLite has no other writer
while the pass holds the write lock). It reads the pending stale keys, recomputes what they
name set-based from the commerce tables, and deletes exactly the keys it read. A key written
by a transaction that commits during the pass is not seen, so it stays for the next pass:
nothing is lost, and nothing older is ever written over something newer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.campaigns import rebuild_campaign_performance
from app.analytics.clv import refresh_predictions
from app.analytics.cohorts import rebuild_cohorts
from app.analytics.customers import first_order_dates, refresh_order_figures, rescore_customers
from app.analytics.daily import rebuild_daily
from app.analytics.funnel import rebuild_funnel, refresh_session_funnels
from app.analytics.periods import DateRange, month_of
from app.analytics.product_figures import rebuild_products
from app.analytics.traffic import rebuild_page_views
from app.database import BATCH_LOCK_WAIT_MS, LOCK_WAIT, WRITER, is_lock_timeout, is_retryable
from app.formatting import minor_unit_exponent
from app.models import ConversionEvent, Order, StaleKey
from app.pipeline.purchases import reconcile_purchases
from app.pipeline.stale import Keys
from app.timeutil import shop_today, utc_now

log = logging.getLogger(__name__)
STALE = StaleKey.__table__
EVENTS = ConversionEvent.__table__
# Any constant works; it only has to be the same in every process of the shop.
ADVISORY_LOCK_KEY = 0x5F_A11_7
# Keys taken per pass: a flood (a large import) is worked off in several shorter passes, each
# holding SQLite's write lock for a while only.
MAX_KEYS_PER_PASS = 20_000
CHUNK = 5_000
PASS_ATTEMPTS = 5
# How long a scheduler tick waits for SQLite's write lock before leaving it to the next tick.
TRY_LOCK_MS = 2_000
# Recomputing a day nothing changed on is harmless (the same rows come out), and one
# set-based rebuild of a range costs far less than one per day: bridge gaps up to this long.
BRIDGED_GAP_DAYS = 31


@dataclass(frozen=True)
class RefreshSettings:
    """What the refresher needs from the shop's configuration."""

    zone: ZoneInfo
    currency_exponent: int
    clv_monthly_rate: float

    @classmethod
    def from_config(cls, config: Mapping) -> RefreshSettings:
        return cls(
            zone=ZoneInfo(config["SHOP_TIMEZONE"]),
            currency_exponent=minor_unit_exponent(config["SHOP_CURRENCY"]),
            clv_monthly_rate=config["CLV_MONTHLY_DISCOUNT_RATE"],
        )


@dataclass(frozen=True)
class PassResult:
    keys: int
    days: int = 0
    visit_days: int = 0
    customers: int = 0
    cohort_months: int = 0
    scores: bool = False
    everything: bool = False
    seconds: float = 0.0


def refresh(
    engine: sa.Engine, settings: RefreshSettings, *, wait: bool = True, today: date | None = None
) -> PassResult | None:
    """One pass; None when another process is refreshing and `wait` is False."""
    started = time.perf_counter()
    if not _anything_pending(engine):
        # Nothing to take: no lock (on SQLite the write lock) for an idle tick. A key committed
        # just after this look is taken by the next pass.
        return PassResult(keys=0)
    for attempt in range(PASS_ATTEMPTS):
        try:
            result = _locked_pass(engine, settings, wait, today)
            break
        except sa.exc.OperationalError as error:
            # A REPEATABLE READ pass that met a concurrent update of a row it locks (a
            # foreign-key check of a purchase event, say) runs again from a new snapshot.
            if not is_retryable(error) or attempt == PASS_ATTEMPTS - 1:
                raise
            log.info("refresher pass retried after %s", error.orig.__class__.__name__)
    if result is None:
        return None
    result = PassResult(**{**result.__dict__, "seconds": time.perf_counter() - started})
    if result.keys:
        level = logging.INFO if result.everything or result.seconds > 1 else logging.DEBUG
        log.log(level, "refreshed %s", result)
    return result


def _locked_pass(
    engine: sa.Engine, settings: RefreshSettings, wait: bool, today: date | None
) -> PassResult | None:
    with exclusive(engine, wait) as connection:
        if connection is None:
            return None
        with Session(bind=connection) as session:
            result = refresh_pass(session, settings, today or shop_today(settings.zone))
            session.flush()
    return result


def drain(engine: sa.Engine, settings: RefreshSettings, today: date | None = None) -> int:
    """Pass after pass until everything written before the drain began is in the figures;
    returns the keys taken. Writes that keep arriving meanwhile are left to the next pass (a
    drain that waited for a quiet moment could wait for ever)."""
    began, taken = utc_now(), 0
    while True:
        result = refresh(engine, settings, wait=True, today=today)
        taken += result.keys if result else 0
        if not _pending_since(engine, began):
            return taken


def _anything_pending(engine: sa.Engine) -> bool:
    with engine.connect() as connection:
        return connection.scalar(sa.select(STALE.c.id).limit(1)) is not None


def _pending_since(engine: sa.Engine, moment) -> bool:
    """Whether a key written before `moment` is still waiting."""
    with engine.connect() as connection:
        key = connection.scalar(sa.select(STALE.c.id).where(STALE.c.created_at <= moment).limit(1))
    return key is not None


@contextmanager
def exclusive(engine: sa.Engine, wait: bool) -> Iterator[sa.Connection | None]:
    """A connection in a transaction that no other refresher runs beside, or None."""
    with engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            yield from _sqlite_exclusive(connection, wait)
            return
        # Locked before the transaction starts, so its snapshot is taken after the previous
        # refresher committed: a pass never starts from data older than the last one wrote.
        connection.execution_options(isolation_level="AUTOCOMMIT")
        function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
        acquired = connection.scalar(
            sa.text(f"SELECT {function}(:key)"), {"key": ADVISORY_LOCK_KEY}
        )
        connection.commit()
        if acquired is False:
            yield None
            return
        try:
            connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                yield connection
        finally:
            _unlock(connection)


def _sqlite_exclusive(connection: sa.Connection, wait: bool) -> Iterator[sa.Connection | None]:
    """BEGIN IMMEDIATE: SQLite's one write lock is the refresher's lock too. Not waiting means
    waiting only as long as a writer's batch takes, not a whole backfill."""
    wait_ms = BATCH_LOCK_WAIT_MS if wait else TRY_LOCK_MS
    writer = connection.execution_options(**{WRITER: True, LOCK_WAIT: wait_ms})
    try:
        transaction = writer.begin()
    except sa.exc.OperationalError as error:
        if wait or not is_lock_timeout(error):
            raise
        yield None
        return
    with transaction:
        yield writer


def _unlock(connection: sa.Connection) -> None:
    try:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
        connection.commit()
    except sa.exc.DBAPIError:
        # The connection is gone, and the session-level lock with it.
        connection.invalidate()


def _read_pending(session: Session) -> tuple[list[int], Keys]:
    """The ids of the pending keys (the oldest first, at most MAX_KEYS_PER_PASS) and what
    they name."""
    ids, keys = [], Keys()
    rows = session.execute(
        sa.select(
            STALE.c.id,
            STALE.c.kind,
            STALE.c.business_date,
            STALE.c.customer_id,
            STALE.c.session_id,
            STALE.c.first_order_id,
            STALE.c.last_order_id,
        )
        .order_by(STALE.c.id)
        .limit(MAX_KEYS_PER_PASS)
    )
    for key_id, kind, day, customer_id, session_id, first_id, last_id in rows:
        ids.append(key_id)
        if kind == "day":
            keys.days.add(day)
        elif kind == "visit_day":
            keys.visit_days.add(day)
        elif kind == "customer":
            keys.customers.add(customer_id)
        elif kind == "session" and session_id is None:
            keys.all_sessions = True
        elif kind == "session":
            keys.sessions.add(session_id)
        elif kind == "orders":
            keys.order_ranges.append((first_id, last_id))
        elif kind == "scores":
            keys.scores = True
        elif kind == "everything":
            keys.everything = True
    return ids, keys


def refresh_pass(session: Session, settings: RefreshSettings, today: date) -> PassResult:
    """Take the pending keys, recompute what they name, and delete exactly those keys."""
    ids, keys = _read_pending(session)
    if not ids:
        return PassResult(keys=0)
    _plan_settings(session)
    order_ids = _orders_in(session, keys.order_ranges, keys.days, keys.customers)
    keys.sessions |= reconcile_purchases(session, order_ids, settings.zone)
    months = _refresh_customers(session, keys, today)
    keys.visit_days |= _page_view_days(session, keys.sessions)
    if keys.sessions or keys.all_sessions:
        # Their funnel rows, and the entry days those rows were and are counted on.
        keys.visit_days |= refresh_session_funnels(
            session, None if keys.all_sessions else keys.sessions
        )
    _rebuild_days(session, keys)
    rebuild_cohorts(session, None if keys.everything else months)
    if keys.scores or keys.everything:
        _rescore(session, settings, today)
    _delete(session, ids)
    return PassResult(
        keys=len(ids),
        days=len(keys.days),
        visit_days=len(keys.visit_days),
        customers=len(keys.customers),
        cohort_months=-1 if keys.everything else len(months),
        scores=keys.scores or keys.everything,
        everything=keys.everything,
    )


def _plan_settings(session: Session) -> None:
    """PostgreSQL planner settings for the rest of the pass's transaction."""
    if session.get_bind().dialect.name != "postgresql":
        return
    # The pass's statements are few and planned on estimates that can be far off (a
    # referral join estimated at 617 M rows switched JIT compilation on: 2.4 s of compiling
    # for a 1 s query). Compiling never pays off here.
    session.execute(sa.text("SET LOCAL jit = off"))
    # Every row a pass fetches through a server-side cursor (yield_per) is read: planned for
    # its first rows instead, the nightly funnel's events walked the whole session index
    # (0.6 s) where a hash of the day's sessions takes 0.25 s.
    session.execute(sa.text("SET LOCAL cursor_tuple_fraction = 1.0"))


def _refresh_customers(session: Session, keys: Keys, today: date) -> set[int]:
    """The stale customers' order figures (everyone's, with `everything`); adds the days whose
    new customers changed, and returns the cohort months (month numbers) to recount."""
    before = first_order_dates(session, keys.customers)
    refresh_order_figures(session, None if keys.everything else keys.customers)
    after = first_order_dates(session, keys.customers)
    # A customer's first counted day moved: both days' new-customer counts change.
    for customer_id in keys.customers:
        if before[customer_id] != after[customer_id]:
            keys.days |= {before[customer_id], after[customer_id]} - {None}
    firsts = {day for day in (*before.values(), *after.values()) if day is not None}
    return {month_of(day) for day in firsts}


def _rescore(session: Session, settings: RefreshSettings, today: date) -> None:
    """Every customer's time-dependent figures from the per-customer summary: the CLV
    predictions as of yesterday, then recency, scores, segments and the rule-based churn risk
    of those the model did not score."""
    scored = refresh_predictions(
        session, today, settings.currency_exponent, settings.clv_monthly_rate
    )
    rescore_customers(
        session, as_of=today, scored_until=today - timedelta(days=1) if scored else None
    )


def _rebuild_days(session: Session, keys: Keys) -> None:
    """Snapshots and channels of every stale day; visits, page views and the funnel of the
    visit days; campaign and product days of the sales days."""
    for days_range in rebuild_ranges(keys.days | keys.visit_days):
        rebuild_daily(session, days_range, session_days=keys.visit_days)
    for days_range in rebuild_ranges(keys.visit_days):
        rebuild_page_views(session, days_range)
        rebuild_funnel(session, days_range)
    for days_range in rebuild_ranges(keys.days):
        rebuild_campaign_performance(session, days_range)
        rebuild_products(session, days_range)


def _orders_in(
    session: Session, ranges: list[tuple[int, int]], days: set[date], customers: set[int]
) -> list[int]:
    """The orders of the ranges; their days and customers join the stale ones."""
    ids: list[int] = []
    for first, last in ranges:
        for order_id, day, customer_id in session.execute(
            sa.select(Order.id, Order.business_date, Order.customer_id).where(
                Order.id.between(first, last)
            )
        ):
            ids.append(order_id)
            days.add(day)
            if customer_id is not None:
                customers.add(customer_id)
    return ids


def _page_view_days(session: Session, session_ids: Collection[str]) -> set[date]:
    """Every day with a page view of these visits: their entry day, now and before, is one.

    A late page view can move a visit's entry day earlier; the day it was counted on before
    is a page-view day of the same visit, so recomputing all of them is exact.
    """
    ids = sorted(session_ids)
    found: set[date] = set()
    for start in range(0, len(ids), CHUNK):
        found.update(
            session.scalars(
                sa.select(EVENTS.c.business_date)
                .where(
                    EVENTS.c.session_id.in_(ids[start : start + CHUNK]),
                    EVENTS.c.event_type == "page_view",
                )
                .distinct()
            )
        )
    return found


def _delete(session: Session, ids: list[int]) -> None:
    for start in range(0, len(ids), CHUNK):
        session.execute(STALE.delete().where(STALE.c.id.in_(ids[start : start + CHUNK])))


def rebuild_ranges(days: Collection[date]) -> list[DateRange]:
    """The days as a few ranges to rebuild, bridging short gaps between affected days."""
    runs: list[DateRange] = []
    for day in sorted(days):
        if runs and (day - runs[-1].end).days <= BRIDGED_GAP_DAYS:
            runs[-1] = DateRange(runs[-1].start, day)
        else:
            runs.append(DateRange(day, day))
    return runs
