"""Reads for alerts and targets: the daily series the detector watches, the anomalies found,
and each month's targets beside its month-end forecast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.daily import round_half_up
from app.analytics.forecast import chance
from app.analytics.periods import DateRange
from app.models import (
    Anomaly,
    DailyAnalyticsSnapshot,
    FunnelDaily,
    MonthForecast,
    MonthlyTarget,
    RevenueStream,
)
from app.models.enums import ALL_CHANNELS, TARGET_METRICS

SNAPSHOT = DailyAnalyticsSnapshot
METRIC_LABELS = {
    "net_revenue": "Net revenue",
    "orders": "Orders",
    "aov": "Average order value",
    "conversion_rate": "Conversion rate",
    "refunds": "Refunds",
    "new_customers": "New customers",
}
MONEY_METRICS = frozenset({"net_revenue", "aov", "refunds"})


def _by_day(rows) -> dict[date, tuple]:
    return {row[0]: tuple(row[1:]) for row in rows}


NO_FIGURE = float("nan")  # an average of no orders, a rate of no visits: nothing to judge


def _rates(rows) -> dict[date, float]:
    """Converted over entered sessions per day; none on a day without tracked visits."""
    return {
        day: (done / total if total else NO_FIGURE) for day, (done, total) in _by_day(rows).items()
    }


def _overall(session: Session, days: DateRange, metric: str) -> dict[date, float]:
    if metric == "conversion_rate":
        columns = (SNAPSHOT.converted_sessions, SNAPSHOT.sessions)
    else:
        columns = (getattr(SNAPSHOT, metric),)
    if metric == "aov":
        columns = (SNAPSHOT.aov, SNAPSHOT.orders)
    rows = session.execute(
        sa.select(SNAPSHOT.business_date, *columns).where(
            SNAPSHOT.business_date.between(days.start, days.end)
        )
    )
    if metric == "conversion_rate":
        return _rates(rows)
    if metric == "aov":
        return {day: (aov if orders else NO_FIGURE) for day, (aov, orders) in _by_day(rows).items()}
    return {day: float(value) for day, (value,) in _by_day(rows).items()}


def _channel(session: Session, days: DateRange, metric: str, channel: str) -> dict[date, float]:
    if metric == "conversion_rate":
        rows = session.execute(
            sa.select(FunnelDaily.business_date, FunnelDaily.purchases, FunnelDaily.sessions).where(
                FunnelDaily.channel == channel,
                FunnelDaily.business_date.between(days.start, days.end),
            )
        )
        return _rates(rows)
    stream = RevenueStream
    rows = session.execute(
        sa.select(
            stream.business_date,
            stream.amount,
            stream.transaction_count,
            stream.gross - stream.discounts,
            stream.refunds,
        ).where(stream.channel == channel, stream.business_date.between(days.start, days.end))
    )
    figures = {}
    for day, (net, orders, sales, refunds) in _by_day(rows).items():
        figures[day] = {
            "net_revenue": net,
            "orders": orders,
            "aov": round_half_up(sales, orders) if orders else NO_FIGURE,
            "refunds": refunds,
        }[metric]
    return {day: float(value) for day, value in figures.items()}


def metric_series(session: Session, days: DateRange, metric: str, channel: str) -> list[float]:
    """One value per day of the range, as the pages show it (zero on a day without a row;
    NaN where an average or rate has nothing to divide by)."""
    if channel == ALL_CHANNELS:
        stored = _overall(session, days, metric)
    else:
        stored = _channel(session, days, metric, channel)
    missing = NO_FIGURE if metric in ("aov", "conversion_rate") else 0.0
    return [stored.get(day, missing) for day in days]


def anomalies_in(
    session: Session, days: DateRange, metric: str | None = None, channel: str | None = None
) -> list[Anomaly]:
    """Flagged days of the range, newest first, overall before channels."""
    query = sa.select(Anomaly).where(Anomaly.business_date.between(days.start, days.end))
    if metric:
        query = query.where(Anomaly.metric == metric)
    if channel:
        query = query.where(Anomaly.channel == channel)
    order = (Anomaly.business_date.desc(), Anomaly.channel != ALL_CHANNELS, Anomaly.channel)
    return list(session.scalars(query.order_by(*order, Anomaly.metric)))


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class TargetOutlook:
    """One figure's month: its target (if set) and the forecast (if there is enough history)."""

    metric: str
    month: date
    target: int | None
    forecast: MonthForecast | None

    @property
    def probability(self) -> float | None:
        """The chance of reaching the target, from the forecast's backtest errors."""
        if self.forecast is None or self.target is None:
            return None
        f = self.forecast
        return chance(f.month_to_date, f.rest, f.error_centre, f.error_spread, self.target)


def targets_of(session: Session, month: date) -> dict[str, int]:
    return dict(
        session.execute(
            sa.select(MonthlyTarget.metric, MonthlyTarget.target).where(
                MonthlyTarget.month == month
            )
        ).all()
    )


def month_outlooks(session: Session, month: date) -> list[TargetOutlook]:
    """Each target figure of the month, in TARGET_METRICS order."""
    targets = targets_of(session, month)
    forecasts = {
        f.metric: f
        for f in session.scalars(sa.select(MonthForecast).where(MonthForecast.month == month))
    }
    return [
        TargetOutlook(metric, month, targets.get(metric), forecasts.get(metric))
        for metric in TARGET_METRICS
    ]
