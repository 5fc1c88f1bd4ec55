"""Everything the nightly job recomputes, for one day or a range of days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from app.analytics.campaigns import rebuild_campaign_performance
from app.analytics.cohorts import rebuild_cohorts
from app.analytics.customers import refresh_customer_metrics
from app.analytics.daily import rebuild_daily
from app.analytics.funnel import DEFAULT_WINDOW_DAYS, rebuild_funnel
from app.analytics.periods import DateRange
from app.analytics.traffic import rebuild_page_views


def rebuild_steps(session: Session, days: DateRange, today: date) -> list[Callable[[], int]]:
    """Each metric family as one set-based step over the whole range."""
    return [
        lambda: rebuild_daily(session, days),
        lambda: rebuild_campaign_performance(session, days),
        lambda: rebuild_page_views(session, days),
        # A session can still progress for a window after it entered: redo those days too.
        lambda: rebuild_funnel(
            session, DateRange(days.start - timedelta(days=DEFAULT_WINDOW_DAYS), days.end)
        ),
        lambda: refresh_customer_metrics(session, as_of=today),
        lambda: rebuild_cohorts(session),
    ]


def rebuild_range(
    session: Session, days: DateRange, today: date, advance: Callable[[int], None] = lambda n: None
) -> int:
    """Every family for the range; `advance(1)` after each step, for a progress bar."""
    rows = 0
    for step in rebuild_steps(session, days, today):
        rows += step()
        advance(1)
    return rows
