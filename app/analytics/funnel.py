"""The conversion funnel: sessions that reach each step in order within a conversion window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.periods import DateRange
from app.analytics.sql import epoch_seconds
from app.models import ConversionEvent, FunnelConversionTime, FunnelDaily
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
    counts = list(session.execute(_counts_query(step_ctes)).one())
    return Funnel(days, window_days, _steps(counts), _median_seconds(session, step_ctes))


def _steps(counts: list[int]) -> list[FunnelStep]:
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
    return steps


def _funnel_ctes(days: DateRange, window_days: int, channel: str | None) -> list:
    events = ConversionEvent.__table__
    entry, seen = events.alias("entry"), events.alias("seen")
    # Only sessions with a page view in the range can have entered in it.
    candidates = sa.select(seen.c.session_id).where(
        seen.c.event_type == EVENT_TYPES[0], seen.c.business_date.between(days.start, days.end)
    )
    entered = (
        sa.select(
            entry.c.session_id,
            sa.func.min(epoch_seconds(entry.c.occurred_at)).label("t0"),
            sa.func.min(entry.c.business_date).label("day"),
            sa.func.coalesce(sa.func.min(entry.c.channel), "unknown").label("channel"),
        )
        .where(
            entry.c.event_type == EVENT_TYPES[0],
            entry.c.session_id.in_(candidates.scalar_subquery()),
        )
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


def _counts_query(step_ctes: list) -> sa.Select:
    """All step counts in one statement, so the chain of steps is evaluated once."""
    entered, *later = step_ctes
    query = sa.select(sa.func.count(), *(sa.func.count(step.c.t) for step in later)).select_from(
        entered
    )
    for step in later:
        query = query.outerjoin(step, step.c.session_id == entered.c.session_id)
    return query


def _median_seconds(session: Session, step_ctes: list) -> float | None:
    """Median seconds from entry to purchase, by ORDER BY/OFFSET so both databases agree."""
    converted = step_ctes[-1]
    duration = (converted.c.t - converted.c.t0).label("duration")
    count = session.scalar(sa.select(sa.func.count()).select_from(converted))
    if not count:
        return None
    ordered = sa.select(duration).order_by(duration)
    middle = session.scalars(ordered.offset((count - 1) // 2).limit(2 - count % 2)).all()
    # Whole seconds: julianday arithmetic on SQLite carries sub-millisecond float noise.
    return float(round(sum(middle) / len(middle)))


FUNNEL = FunnelDaily.__table__
TIMES = FunnelConversionTime.__table__
STEP_COLUMNS = ("sessions", "product_views", "add_to_carts", "checkouts", "purchases")


def rebuild_funnel(
    session: Session, days: DateRange, window_days: int = DEFAULT_WINDOW_DAYS
) -> int:
    """Per entry day and channel: step counts, and the minutes converted sessions took.

    Reaching steps *in order* is a sequence match, which SQL expresses only as a chain of
    self-joins whose plans degrade badly on large or unanalysed tables; here the events of the
    sessions that entered in the range stream once, in time order, through a small state
    machine. `conversion_funnel` is the SQL formulation; the tests hold the two to the same
    figures.
    """
    counts: dict[tuple, list[int]] = {}
    minutes: dict[tuple, int] = {}
    for path in _session_paths(session, days, window_days):
        key = (path.day, path.channel)
        steps = counts.setdefault(key, [0] * len(EVENT_TYPES))
        for index in range(path.reached + 1):
            steps[index] += 1
        if path.seconds_to_convert is not None:
            slot = (*key, round(path.seconds_to_convert) // 60)
            minutes[slot] = minutes.get(slot, 0) + 1
    for table in (FUNNEL, TIMES):
        session.execute(table.delete().where(table.c.business_date.between(days.start, days.end)))
    count_rows = [
        {"business_date": day, "channel": channel, **dict(zip(STEP_COLUMNS, steps, strict=True))}
        for (day, channel), steps in counts.items()
    ]
    time_rows = [
        {"business_date": day, "channel": channel, "minutes": whole, "sessions": number}
        for (day, channel, whole), number in minutes.items()
    ]
    for table, rows in ((FUNNEL, count_rows), (TIMES, time_rows)):
        if rows:
            session.execute(table.insert(), rows)
    return len(count_rows) + len(time_rows)


@dataclass
class SessionPath:
    day: object
    channel: str
    entered_at: object
    reached: int = 0
    seconds_to_convert: float | None = None


def _session_paths(session: Session, days: DateRange, window_days: int):
    """Each session whose first page view falls in the range, with the last step it reached."""
    events = ConversionEvent.__table__
    candidates = sa.select(events.c.session_id).where(
        events.c.event_type == EVENT_TYPES[0], events.c.business_date.between(days.start, days.end)
    )
    step_rank = sa.case(
        *((events.c.event_type == name, rank) for rank, name in enumerate(EVENT_TYPES))
    )
    rows = session.execute(
        sa.select(
            events.c.session_id,
            step_rank,
            events.c.occurred_at,
            events.c.business_date,
            events.c.channel,
        )
        .where(events.c.session_id.in_(candidates.scalar_subquery()))
        .order_by(events.c.session_id, events.c.occurred_at, step_rank)
        .execution_options(yield_per=20_000)
    )
    window = timedelta(days=window_days)
    current_id, path = None, None
    for session_id, rank, occurred_at, day, channel in rows:
        if session_id != current_id:
            if path is not None and days.start <= path.day <= days.end:
                yield path
            current_id, path = session_id, None
        if path is None:
            if rank == 0:
                path = SessionPath(day=day, channel=channel or "unknown", entered_at=occurred_at)
            continue
        if rank == path.reached + 1 and occurred_at <= path.entered_at + window:
            path.reached = rank
            if rank == len(EVENT_TYPES) - 1:
                path.seconds_to_convert = (occurred_at - path.entered_at).total_seconds()
    if path is not None and days.start <= path.day <= days.end:
        yield path


def funnel_summary(
    session: Session,
    days: DateRange,
    channel: str | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> Funnel:
    """The funnel of the range read from the nightly tables (the page's fast path)."""
    in_range = [FUNNEL.c.business_date.between(days.start, days.end)]
    if channel:
        in_range.append(FUNNEL.c.channel == channel)
    totals = session.execute(
        sa.select(
            *(sa.func.coalesce(sa.func.sum(FUNNEL.c[name]), 0) for name in STEP_COLUMNS)
        ).where(*in_range)
    ).one()
    counts = [int(value) for value in totals]
    time_filter = [TIMES.c.business_date.between(days.start, days.end)] + (
        [TIMES.c.channel == channel] if channel else []
    )
    histogram = session.execute(
        sa.select(TIMES.c.minutes, sa.func.sum(TIMES.c.sessions))
        .where(*time_filter)
        .group_by(TIMES.c.minutes)
        .order_by(TIMES.c.minutes)
    ).all()
    return Funnel(days, window_days, _steps(counts), _histogram_median(histogram))


def _histogram_median(histogram: list) -> float | None:
    """Median of whole minutes (as seconds) from a sorted (minutes, sessions) histogram."""
    total = sum(int(count) for _, count in histogram)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]
    values, seen = [], 0
    for minutes, count in histogram:
        for position in wanted[len(values) :]:
            if seen <= position < seen + int(count):
                values.append(minutes)
        seen += int(count)
    return float(sum(values) / len(values) * 60)
