"""Property: for any history of visits whose events arrive in any order and in several
batches, the refresher's per-visit funnel rows (`funnel_sessions`) are the in-order walk of
each visit's events, the day figures are their sums, and both agree with the SQL formulation
(`conversion_funnel`) and with a derivation from scratch.

Visits start around the spring daylight-saving change of a New York shop; steps come in and
out of order, some before the entry page view, some at the same instant as the step before,
some a second either side of the 14-day window's end. The expected rows are a plain Python
walk of what was sent.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.analytics import funnel
from app.analytics.funnel import (
    DEFAULT_WINDOW_DAYS,
    conversion_funnel,
    funnel_summary,
    refresh_session_funnels,
    session_paths,
)
from app.analytics.periods import DateRange
from app.extensions import db
from app.models import FunnelConversionTime, FunnelDaily, FunnelSession
from app.models.enums import EVENT_TYPES
from tests.conftest import wipe
from tests.factories import EventFactory
from tests.refresh import refresh

ZONE = ZoneInfo("America/New_York")
# Three days before the clocks go forward (2026-03-08 02:00 local).
START = datetime(2026, 3, 5, 20, tzinfo=ZONE).astimezone(UTC)
WINDOW = timedelta(days=DEFAULT_WINDOW_DAYS)
CHANNELS = ["web", "mobile", "email", None]
SPRING = DateRange(date(2026, 2, 1), date(2026, 4, 30))

# Offsets of a step from the visit's first event: minutes, or just inside / outside the
# window's end (measured from the entry page view, which is the first event's instant).
step_offset = st.one_of(
    st.integers(-120, 6 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes)),
    st.sampled_from([WINDOW - timedelta(seconds=1), WINDOW + timedelta(seconds=1)]),
    st.just(timedelta(0)),  # the same instant as the entry
)
event_spec = st.fixed_dictionaries(
    {
        "step": st.integers(0, len(EVENT_TYPES) - 1),
        "offset": step_offset,
        "millis": st.sampled_from([0, 0, 1, 999, 500]),
        "batch": st.integers(0, 2),
    }
)
visit_spec = st.fixed_dictionaries(
    {
        "start_minutes": st.integers(0, 4 * 24 * 60),
        "channel": st.sampled_from(CHANNELS),
        # Beside the entry page view at the visit's start, events come in any order.
        "events": st.lists(event_spec, min_size=0, max_size=7),
        "entry_batch": st.integers(0, 2),
        # Without it, a visit is entered only if one of its other events is a page view.
        "has_entry": st.booleans(),
    }
)


def _instant(visit: dict, event: dict) -> datetime:
    start = START + timedelta(minutes=visit["start_minutes"])
    return start + event["offset"] + timedelta(milliseconds=event["millis"])


def _send(visits: list[dict], refresh_after: list[bool]) -> dict[str, list[tuple]]:
    """Write the events batch by batch (a refresher pass after the chosen batches); returns
    each visit's events as (instant, step)."""
    sent: dict[str, list[tuple]] = {}
    batches: dict[int, list[tuple]] = {}
    for number, visit in enumerate(visits):
        session_id = f"visit-{number}"
        start = START + timedelta(minutes=visit["start_minutes"])
        events = [(_instant(visit, e), e["step"], e["batch"]) for e in visit["events"]]
        if visit["has_entry"]:
            events.append((start, 0, visit["entry_batch"]))
        sent[session_id] = [(at, step) for at, step, _ in events]
        for at, step, batch in events:
            batches.setdefault(batch, []).append((session_id, at, step, visit["channel"]))
    for batch in sorted(batches):
        for session_id, at, step, channel in batches[batch]:
            EventFactory(
                session_id=session_id,
                event_type=EVENT_TYPES[step],
                occurred_at=at,
                channel=channel,
                page="/" if step == 0 else None,
            )
        if refresh_after[batch]:
            refresh()
    refresh()
    return sent


def _walk(events: list[tuple], channel: str | None) -> tuple | None:
    """The funnel row of one visit by hand: (entry day, channel, step reached, minutes)."""
    ordered = sorted(events)
    entries = [at for at, step in ordered if step == 0]
    if not entries:
        return None
    entered_at, reached, converted_at = entries[0], 0, None
    for at, step in ordered:
        if at < entered_at or at > entered_at + WINDOW:
            continue
        if step == reached + 1:
            reached = step
            if step == len(EVENT_TYPES) - 1:
                converted_at = at
    minutes = None
    if converted_at is not None:
        minutes = round((converted_at - entered_at).total_seconds()) // 60
    return (entered_at.astimezone(ZONE).date(), channel or "unknown", reached, minutes)


def _stored_sessions() -> dict[str, tuple]:
    rows = db.session.execute(
        sa.select(
            FunnelSession.session_id,
            FunnelSession.business_date,
            FunnelSession.channel,
            FunnelSession.reached,
            FunnelSession.minutes,
        )
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def _stored_days() -> tuple[dict, dict]:
    counts = {
        (row.business_date, row.channel): (
            row.sessions,
            row.product_views,
            row.add_to_carts,
            row.checkouts,
            row.purchases,
        )
        for row in db.session.scalars(sa.select(FunnelDaily))
    }
    times = {
        (row.business_date, row.channel, row.minutes): row.sessions
        for row in db.session.scalars(sa.select(FunnelConversionTime))
    }
    return counts, times


@pytest.fixture
def new_york_app(app, make_app):  # `app` wipes the tables afterwards
    return make_app(SHOP_TIMEZONE="America/New_York")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    visits=st.lists(visit_spec, min_size=1, max_size=6),
    refresh_after=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_visit_rows_are_the_in_order_walk_and_the_days_their_sums(
    new_york_app, monkeypatch, visits, refresh_after
):
    with new_york_app.app_context():
        with db.engine.begin() as connection:
            wipe(connection)
        sent = _send(visits, refresh_after)
        expected = {}
        for number, visit in enumerate(visits):
            row = _walk(sent[f"visit-{number}"], visit["channel"])
            if row is not None:
                expected[f"visit-{number}"] = row
        assert _stored_sessions() == expected

        # The day figures are the visits' rows summed by entry day and channel.
        counts: Counter = Counter()
        times: Counter = Counter()
        for day, channel, reached, minutes in expected.values():
            for step in range(reached + 1):
                counts[(day, channel, step)] += 1
            if minutes is not None:
                times[(day, channel, minutes)] += 1
        stored_counts, stored_times = _stored_days()
        assert stored_counts == {
            (day, channel): tuple(counts[(day, channel, step)] for step in range(5))
            for day, channel, step in counts
            if step == 0
        }
        assert stored_times == dict(times)

        # The SQL formulation counts the same sessions at every step, for each channel too.
        for channel in (None, "web", "email"):
            live = conversion_funnel(db.session, SPRING, channel=channel)
            stored = funnel_summary(db.session, SPRING, channel=channel)
            assert [s.sessions for s in stored.steps] == [s.sessions for s in live.steps]

        # A derivation of every visit from scratch writes the same rows the refresher kept,
        # also when its batches of events end inside a visit.
        kept = _stored_sessions()
        monkeypatch.setattr(funnel, "BATCH_ROWS", 3)
        refresh_session_funnels(db.session, None)
        assert _stored_sessions() == kept
        db.session.rollback()


def test_the_window_ends_at_the_microsecond_and_ties_go_in_step_order():
    """`session_paths` on rows as the database gives them: a step exactly at the window's
    end counts, a microsecond later does not; at one instant the earlier step counts first;
    events before the entry page view never count."""
    t0 = 1_773_000_000_123_456  # microseconds since 1970
    window = DEFAULT_WINDOW_DAYS * 86_400_000_000
    rows = [
        ("a", 0, t0, 20_000, "web"),
        ("a", 1, t0 + window, None, None),  # exactly at the end: counts
        ("b", 0, t0, 20_000, "email"),
        ("b", 1, t0 + window + 1, None, None),  # one microsecond late
        ("c", 2, t0, None, None),  # listed first, same instant: still after the view
        ("c", 1, t0, None, None),
        ("c", 0, t0, 20_001, "web"),
        ("c", 4, t0 + 90_500_000, None, None),  # 90.5 s: one whole minute
        ("c", 3, t0 + 30_000_000, None, None),
        ("d", 1, t0, None, None),  # no page view: never entered
        ("e", 1, t0 - 1, None, None),  # before the entry: does not count
        ("e", 0, t0, 20_000, "web"),
        ("e", 0, t0 + 5, 20_000, "mobile"),  # a later page view: not the entry
    ]
    paths = {path[0]: path[1:] for path in session_paths(rows)}
    day = date(1970, 1, 1) + timedelta(days=20_000)
    assert paths == {
        "a": (day, "web", 1, None),
        "b": (day, "email", 0, None),
        "c": (day + timedelta(days=1), "web", 4, 1),
        "e": (day, "web", 0, None),
    }
