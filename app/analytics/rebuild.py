"""Everything the nightly job recomputes, for one day or a range of days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from app.analytics.campaigns import rebuild_campaign_performance
from app.analytics.cohorts import rebuild_cohorts
from app.analytics.customers import refresh_customer_metrics
from app.analytics.daily import rebuild_daily
from app.analytics.periods import DateRange
from app.analytics.traffic import rebuild_page_views

CHUNK_DAYS = 92


def rebuild_range(
    session: Session, days: DateRange, today: date, advance: Callable[[int], None] = lambda n: None
) -> int:
    """Day-based families for the range in chunks, then the customer-wide ones once."""
    rows = 0
    start = days.start
    while start <= days.end:
        chunk = DateRange(start, min(days.end, start + timedelta(days=CHUNK_DAYS - 1)))
        rows += rebuild_daily(session, chunk)
        rows += rebuild_campaign_performance(session, chunk)
        rows += rebuild_page_views(session, chunk)
        advance(chunk.days)
        start = chunk.end + timedelta(days=1)
    rows += refresh_customer_metrics(session, as_of=today)
    rows += rebuild_cohorts(session)
    return rows
