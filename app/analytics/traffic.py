"""Page-view analytics per day and page, from the tracked page_view events."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.periods import DateRange
from app.models import ConversionEvent, PageViewAnalytics

PAGE_VIEWS = PageViewAnalytics.__table__


def rebuild_page_views(session: Session, days: DateRange) -> int:
    """Views and unique visitors (distinct sessions) per page and day, replacing the range."""
    session.execute(
        PAGE_VIEWS.delete().where(PAGE_VIEWS.c.business_date.between(days.start, days.end))
    )
    select = (
        sa.select(
            ConversionEvent.business_date,
            ConversionEvent.page,
            sa.func.count(),
            sa.func.count(sa.distinct(ConversionEvent.session_id)),
        )
        .where(
            ConversionEvent.event_type == "page_view",
            ConversionEvent.page.is_not(None),
            ConversionEvent.business_date.between(days.start, days.end),
        )
        .group_by(ConversionEvent.business_date, ConversionEvent.page)
    )
    result = session.execute(
        PAGE_VIEWS.insert().from_select(
            ["business_date", "page", "views", "unique_visitors"], select
        )
    )
    return result.rowcount
