"""The conversion funnel: sessions that reach each step in order within a conversion window."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.periods import DateRange
from app.analytics.sql import epoch_seconds
from app.models import ConversionEvent
from app.models.enums import EVENT_TYPES

DEFAULT_WINDOW_DAYS = 14


@dataclass(frozen=True)
class FunnelStep:
    event_type: str
    sessions: int
    step_conversion: float | None  # share of the previous step that reached this one
    overall_conversion: float | None  # share of entered sessions that reached this one
    drop_off: int  # sessions of the previous step that stopped before this one


@dataclass(frozen=True)
class Funnel:
    days: DateRange
    window_days: int
    steps: list[FunnelStep]
    median_seconds_to_convert: float | None


def conversion_funnel(
    session: Session,
    days: DateRange,
    window_days: int = DEFAULT_WINDOW_DAYS,
    channel: str | None = None,
) -> Funnel:
    """Step counts, conversions and drop-off of sessions entered in the range."""
    step_ctes = _funnel_ctes(days, window_days, channel)
    counts = [session.scalar(sa.select(sa.func.count()).select_from(cte)) for cte in step_ctes]
    steps = []
    for index, (event_type, count) in enumerate(zip(EVENT_TYPES, counts, strict=True)):
        before = counts[index - 1] if index else count
        steps.append(
            FunnelStep(
                event_type=event_type,
                sessions=count,
                step_conversion=count / before if before else None,
                overall_conversion=count / counts[0] if counts[0] else None,
                drop_off=before - count,
            )
        )
    return Funnel(days, window_days, steps, _median_seconds(session, step_ctes))


def _funnel_ctes(days: DateRange, window_days: int, channel: str | None) -> list:
    events = ConversionEvent.__table__
    entry = events.alias("entry")
    entered = (
        sa.select(entry.c.session_id, sa.func.min(epoch_seconds(entry.c.occurred_at)).label("t0"))
        .where(entry.c.event_type == EVENT_TYPES[0])
        .group_by(entry.c.session_id)
        .having(sa.func.min(entry.c.business_date).between(days.start, days.end))
    )
    if channel:
        entered = entered.where(entry.c.channel == channel)
    ctes = [entered.cte("step0")]
    window = window_days * 86400
    for index, event_type in enumerate(EVENT_TYPES[1:], start=1):
        previous, step = ctes[-1], events.alias(f"e{index}")
        reached_at = epoch_seconds(step.c.occurred_at)
        ctes.append(
            sa.select(previous.c.session_id, previous.c.t0, sa.func.min(reached_at).label("t"))
            .join(step, step.c.session_id == previous.c.session_id)
            .where(
                step.c.event_type == event_type,
                reached_at >= (previous.c.t if index > 1 else previous.c.t0),
                reached_at <= previous.c.t0 + window,
            )
            .group_by(previous.c.session_id, previous.c.t0)
            .cte(f"step{index}")
        )
    return ctes


def _median_seconds(session: Session, step_ctes: list) -> float | None:
    """Median seconds from entry to purchase, by ORDER BY/OFFSET so both databases agree."""
    converted = step_ctes[-1]
    duration = (converted.c.t - converted.c.t0).label("duration")
    count = session.scalar(sa.select(sa.func.count()).select_from(converted))
    if not count:
        return None
    ordered = sa.select(duration).order_by(duration)
    middle = session.scalars(ordered.offset((count - 1) // 2).limit(2 - count % 2)).all()
    return float(sum(middle) / len(middle))
