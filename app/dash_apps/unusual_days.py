"""The range's unusual days of net revenue, marked on the daily trends that show it."""

from __future__ import annotations

from app.analytics.insights import anomalies_in
from app.analytics.periods import DateRange
from app.dash_apps import context, figures
from app.extensions import db
from app.models.enums import ALL_CHANNELS


def mark_unusual_days(figure: figures.Figure, days: DateRange, grain: str) -> figures.Figure:
    """By day only: a week or month holds no single unusual day to point at."""
    if grain != "day":
        return figure
    flagged = anomalies_in(db.session, days, "net_revenue", ALL_CHANNELS)
    return figures.mark_anomalies(figure, flagged, context.currency())
