"""The nightly insights job: anomalies of recent days and the month-end forecasts.

It reads the daily tables the refresher keeps and writes only its own (anomalies,
month_forecasts); a run for a day happens once across processes (a JobRun claim).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.anomalies import DetectorSettings, judge
from app.analytics.forecast import MIN_HISTORY, TRAINING_DAYS, month_outlook
from app.analytics.insights import first_of_month, metric_series, month_end
from app.analytics.periods import DateRange
from app.database import begin_write
from app.models import Anomaly, MonthForecast
from app.models.enums import ALL_CHANNELS, CHANNELS, TARGET_METRICS, WATCHED_METRICS
from app.pipeline.jobs import run_claimed
from app.timeutil import utc_now

INSIGHTS_JOB = "insights"
ANOMALIES = Anomaly.__table__
FORECASTS = MonthForecast.__table__


@dataclass(frozen=True)
class InsightSettings:
    detector: DetectorSettings
    lookback_days: int  # each run judges this many days up to yesterday (late orders move them)

    @classmethod
    def from_config(cls, config: Mapping) -> InsightSettings:
        detector = DetectorSettings(
            threshold=config["ANOMALY_THRESHOLD"], min_history=config["ANOMALY_MIN_HISTORY"]
        )
        return cls(detector, config["ANOMALY_LOOKBACK_DAYS"])


def detect_anomalies(session: Session, judged: DateRange, detector: DetectorSettings) -> int:
    """Judge every watched figure, overall and per channel, on each day of the range; the
    range's rows are replaced by this run's verdicts. Returns the days flagged."""
    history = DateRange(judged.start - timedelta(days=detector.window), judged.end)
    rows = []
    for metric in WATCHED_METRICS:
        for channel in (ALL_CHANNELS, *CHANNELS):
            values = metric_series(session, history, metric, channel)
            rows += _flagged_rows(values, history, judged, metric, channel, detector)
    in_range = ANOMALIES.c.business_date.between(judged.start, judged.end)
    session.execute(sa.delete(ANOMALIES).where(in_range))
    if rows:
        session.execute(sa.insert(ANOMALIES), rows)
    return len(rows)


def _flagged_rows(values, history, judged, metric, channel, detector) -> list[dict]:
    rows = []
    now = utc_now()
    for offset, day in enumerate(history):
        if day < judged.start:
            continue
        verdict = judge(values[:offset], values[offset], detector)
        if verdict is None or not verdict.flagged:
            continue
        rows.append(
            {
                "business_date": day,
                "metric": metric,
                "channel": channel,
                "value": verdict.value,
                "expected": verdict.expected,
                "lower": verdict.lower,
                "upper": verdict.upper,
                "score": verdict.score,
                "detected_at": now,
            }
        )
    return rows


def forecast_month(session: Session, today: date) -> int:
    """The month-end outlook of each target figure for today's month, from the complete days
    before today; figures without enough history get none. Returns the rows written."""
    month, yesterday = first_of_month(today), today - timedelta(days=1)
    history = DateRange(yesterday - timedelta(days=TRAINING_DAYS + MIN_HISTORY), yesterday)
    done = DateRange(month, yesterday) if yesterday >= month else None
    days_left = (month_end(month) - today).days + 1
    rows = []
    for metric in TARGET_METRICS:
        values = np.array(metric_series(session, history, metric, ALL_CHANNELS))
        if np.count_nonzero(values) < MIN_HISTORY:
            continue
        mtd = int(values[-done.days :].sum()) if done else 0
        outlook = month_outlook(values, mtd, days_left, target=None)  # rated when read
        rows.append(_forecast_row(month, metric, yesterday, outlook))
    session.execute(sa.delete(FORECASTS).where(FORECASTS.c.month == month))
    if rows:
        session.execute(sa.insert(FORECASTS), rows)
    return len(rows)


def _forecast_row(month: date, metric: str, as_of: date, outlook) -> dict:
    return {
        "month": month,
        "metric": metric,
        "as_of": as_of,
        "month_to_date": int(outlook.month_to_date),
        "rest": outlook.rest,
        "forecast": outlook.forecast,
        "lower": outlook.lower,
        "upper": outlook.upper,
        "error_centre": outlook.error_centre,
        "error_spread": outlook.error_spread,
        "method": outlook.method,
        "mase": outlook.mase,
        "baseline_mase": outlook.baseline_mase,
        "computed_at": utc_now(),
    }


def compute_insights(session: Session, today: date, settings: InsightSettings) -> int:
    """Both parts in one write transaction (the caller commits)."""
    yesterday = today - timedelta(days=1)
    judged = DateRange(yesterday - timedelta(days=settings.lookback_days - 1), yesterday)
    begin_write(session)
    flagged = detect_anomalies(session, judged, settings.detector)
    return flagged + forecast_month(session, today)


def run_insights(
    session: Session, today: date, settings: InsightSettings, *, force: bool = False
) -> str:
    """Once per day across processes: judge the recent days and forecast the month."""
    period = (today - timedelta(days=1)).isoformat()
    return run_claimed(
        session,
        INSIGHTS_JOB,
        period,
        lambda: compute_insights(session, today, settings),
        force=force,
    )
