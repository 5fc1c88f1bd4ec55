"""The conversion funnel: sessions that reach each step in order within a conversion window."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.periods import DateRange
from app.analytics.sql import (
    append_rows,
    day_number,
    epoch_micros,
    epoch_seconds,
    stream_raw_rows,
)
from app.models import ConversionEvent, FunnelConversionTime, FunnelDaily, FunnelSession
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
SESSIONS = FunnelSession.__table__
EVENTS = ConversionEvent.__table__
STEP_COLUMNS = ("sessions", "product_views", "add_to_carts", "checkouts", "purchases")
# Events walked at a time when every visit is derived: memory stays flat in the history.
BATCH_ROWS = 100_000
# Visits derived per statement when the refresher names them.
ID_CHUNK = 5_000
PATH_COLUMNS = ("session_id", "business_date", "channel", "reached", "minutes")


def rebuild_funnel(session: Session, days: DateRange) -> None:
    """Per entry day and channel: step counts, and the minutes converted sessions took —
    sums of the visits' funnel rows (`refresh_session_funnels` keeps those), written by two
    INSERT … SELECTs."""
    for table in (FUNNEL, TIMES):
        session.execute(table.delete().where(table.c.business_date.between(days.start, days.end)))
    entered = SESSIONS.c.business_date.between(days.start, days.end)
    by_day = (SESSIONS.c.business_date, SESSIONS.c.channel)
    reached = [
        sa.func.sum(sa.case((SESSIONS.c.reached >= step, 1), else_=0))
        for step in range(1, len(EVENT_TYPES))
    ]
    session.execute(
        FUNNEL.insert().from_select(
            ["business_date", "channel", *STEP_COLUMNS],
            sa.select(*by_day, sa.func.count(), *reached).where(entered).group_by(*by_day),
        )
    )
    session.execute(
        TIMES.insert().from_select(
            ["business_date", "channel", "minutes", "sessions"],
            sa.select(*by_day, SESSIONS.c.minutes, sa.func.count())
            .where(entered, SESSIONS.c.minutes.is_not(None))
            .group_by(*by_day, SESSIONS.c.minutes),
        )
    )


def refresh_session_funnels(session: Session, session_ids: Collection[str] | None) -> set[date]:
    """Derive the funnel row of each named visit (every visit with None) from its events;
    returns the entry days before and after, whose funnel figures are to be rebuilt.

    Reaching steps *in order* is a sequence match, which SQL expresses only as a chain of
    self-joins whose plans degrade badly on large tables; here each visit's events are
    walked in time order, a batch of visits at a time in numpy. `conversion_funnel` is the
    SQL formulation; the tests hold the two to the same figures.
    """
    if session_ids is None:
        days = set(session.scalars(sa.select(SESSIONS.c.business_date).distinct()))
        session.execute(SESSIONS.delete())
        batches = stream_raw_rows(session, _events_query(), BATCH_ROWS)
        return days | _write_paths(session, batches)
    ids, days = sorted(session_ids), set()
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        gone = SESSIONS.delete().where(SESSIONS.c.session_id.in_(chunk))
        days.update(session.scalars(gone.returning(SESSIONS.c.business_date)))
        rows = session.execute(_events_query().where(EVENTS.c.session_id.in_(chunk))).all()
        days |= _write_paths(session, [[tuple(row) for row in rows]])
    return days


def _events_query() -> sa.Select:
    """Every event as (visit, step, microseconds, and for page views the entry day number
    and channel), grouped by visit."""
    is_entry = EVENTS.c.event_type == EVENT_TYPES[0]
    return sa.select(
        EVENTS.c.session_id,
        sa.case(*((EVENTS.c.event_type == name, rank) for rank, name in enumerate(EVENT_TYPES))),
        epoch_micros(EVENTS.c.occurred_at),
        sa.case((is_entry, day_number(EVENTS.c.business_date))),
        sa.case((is_entry, sa.func.coalesce(EVENTS.c.channel, "unknown"))),
    ).order_by(EVENTS.c.session_id, EVENTS.c.occurred_at)


def _write_paths(session: Session, batches: Iterable[list[tuple]]) -> set[date]:
    """Walk batches of event rows (grouped by visit; a visit may run on into the next batch)
    and store each entered visit's row; returns the entry days written."""
    days: set[date] = set()
    carried: list[tuple] = []
    for batch in batches:
        rows = carried + batch
        # The last visit of a batch may go on in the next: keep it for then.
        last = len(rows) - 1
        while last > 0 and rows[last - 1][0] == rows[-1][0]:
            last -= 1
        carried = rows[last:]
        days |= _store(session, rows[:last])
    return days | _store(session, carried)


def _store(session: Session, rows: list[tuple]) -> set[date]:
    paths = session_paths(rows)
    append_rows(session, SESSIONS, PATH_COLUMNS, paths)
    return {path[1] for path in paths}


def session_paths(rows: list[tuple]) -> list[tuple]:
    """(session_id, entry day, channel, step reached, whole minutes to purchase or None) of
    each visit with a page view, from its events as `_events_query` gives them.

    The walk of the old streaming loop, vectorised: a visit enters at its first page view;
    step k is its first step-k event at or after step k−1 (events of one instant in step
    order) and no later than the entry plus the window.
    """
    if not rows:
        return []
    # Column by column: zip(*rows) builds the same lists but sets off full garbage
    # collections over millions of new tuples (five times slower).
    ids, steps, instants, day_numbers, channels = (
        list(map(itemgetter(column), rows)) for column in range(5)
    )
    count = len(rows)
    step = np.fromiter(steps, np.int8, count)
    micros = np.fromiter(instants, np.int64, count)
    first_row = np.ones(count, bool)
    visit_ids = np.array(ids, dtype=object)
    first_row[1:] = visit_ids[1:] != visit_ids[:-1]
    visit = np.cumsum(first_row) - 1
    order = np.lexsort((step, micros, visit))
    step, micros, visit = step[order], micros[order], visit[order]
    visits = int(visit[-1]) + 1
    views = np.flatnonzero(step == 0)
    entries = views[np.r_[True, visit[views][1:] != visit[views][:-1]]] if len(views) else views
    entered = np.zeros(visits, bool)
    entered[visit[entries]] = True
    entry_at = np.zeros(visits, np.int64)
    entry_at[visit[entries]] = micros[entries]
    deadline = entry_at + DEFAULT_WINDOW_DAYS * 86_400_000_000
    reached = np.zeros(visits, np.int8)
    at, alive = entry_at.copy(), entered
    for number in range(1, len(EVENT_TYPES)):
        candidates = np.flatnonzero(
            (step == number) & alive[visit] & (micros >= at[visit]) & (micros <= deadline[visit])
        )
        owners = visit[candidates]
        firsts = candidates[np.r_[True, owners[1:] != owners[:-1]]] if len(owners) else owners
        alive = np.zeros(visits, bool)
        alive[visit[firsts]] = True
        at[visit[firsts]] = micros[firsts]
        reached[alive] = number
    # Whole seconds rounded as Python's round() does (half to even), then whole minutes.
    minutes = np.round((at - entry_at) / 1_000_000) // 60
    converted = reached == len(EVENT_TYPES) - 1
    source, owners = order[entries].tolist(), visit[entries]
    days = np.array([day_numbers[row] for row in source], "datetime64[D]").astype(object)
    taken = np.where(converted[owners], minutes[owners], -1).tolist()
    return list(
        zip(
            [ids[row] for row in source],
            days.tolist(),
            [channels[row] for row in source],
            reached[owners].tolist(),
            [None if value < 0 else int(value) for value in taken],
            strict=True,
        )
    )


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
