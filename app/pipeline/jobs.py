"""Scheduled work with run bookkeeping: each period runs once, failures are recorded and retried.

The nightly job and a backfill compute nothing themselves: they mark keys stale and run the
refresher (app/pipeline/refresher.py), the one writer of figures.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.analytics.periods import DateRange
from app.database import begin_write
from app.models import JobRun
from app.pipeline.refresher import RefreshSettings, drain
from app.pipeline.stale import Keys, mark
from app.timeutil import shop_today, utc_now

NIGHTLY_JOB = "nightly-aggregates"
# A claim older than this whose process never finished (killed, machine lost) may be retaken.
STALE_CLAIM = timedelta(hours=2)
log = logging.getLogger(__name__)


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _dead_owners(session: Session, job: str, period: str) -> list[str]:
    """Owners of this period's running claim that were processes of this host now gone."""
    host = socket.gethostname()
    owners = session.scalars(
        sa.select(JobRun.owner).where(
            JobRun.job == job, JobRun.period == period, JobRun.status == "running"
        )
    ).all()
    dead = []
    for owner in owners:
        owner_host, _, pid = (owner or "").rpartition(":")
        if owner_host == host and pid.isdigit() and not _alive(int(pid)):
            dead.append(owner)
    return dead


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim(session: Session, job: str, period: str, *, force: bool = False) -> bool:
    """Take the run for (job, period) in its own committed transaction; False if someone has it.

    A running claim is retaken when its process (on this host) is gone, e.g. killed in the
    middle of a run, or else after STALE_CLAIM (a process on another machine that was lost).
    """
    owner = process_owner()
    begin_write(session)  # waits its turn behind a long import or refresh on SQLite
    try:
        session.add(
            JobRun(job=job, period=period, status="running", started_at=utc_now(), owner=owner)
        )
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
    begin_write(session)
    retakeable = [
        JobRun.status == "failed",
        sa.and_(JobRun.status == "running", JobRun.started_at < utc_now() - STALE_CLAIM),
    ]
    dead = _dead_owners(session, job, period)
    if dead:
        retakeable.append(sa.and_(JobRun.status == "running", JobRun.owner.in_(dead)))
    if force:
        retakeable.append(JobRun.status == "succeeded")
    result = session.execute(
        sa.update(JobRun)
        .where(JobRun.job == job, JobRun.period == period, sa.or_(*retakeable))
        .values(
            status="running",
            attempts=JobRun.attempts + 1,
            started_at=utc_now(),
            finished_at=None,
            error=None,
            owner=owner,
        )
    )
    session.commit()
    return result.rowcount == 1


def _finish(session: Session, job: str, period: str, **values: object) -> None:
    session.execute(
        sa.update(JobRun)
        .where(JobRun.job == job, JobRun.period == period)
        .values(finished_at=utc_now(), **values)
    )


def run_claimed(
    session: Session, job: str, period: str, work: Callable[[], int], *, force: bool = False
) -> str:
    """Run `work` once for the period: its writes and the success mark commit together."""
    if not claim(session, job, period, force=force):
        log.info("job %s for %s: already done or running elsewhere", job, period)
        return "skipped"
    started = time.perf_counter()
    try:
        rows = work()
        begin_write(session)
        _finish(session, job, period, status="succeeded", rows=rows)
        session.commit()
    except Exception:
        session.rollback()
        begin_write(session)
        _finish(session, job, period, status="failed", error=traceback.format_exc(limit=5)[-4000:])
        session.commit()
        log.exception("job %s for %s failed", job, period)
        return "failed"
    log.info("job %s for %s: %d rows in %.2f s", job, period, rows, time.perf_counter() - started)
    return "succeeded"


def run_nightly(
    session: Session, day: date, today: date, settings: RefreshSettings, *, force: bool = False
) -> str:
    """Make one business day, and every customer's time-dependent figures, stale; refresh.

    The day's work only: the day's figures again (a safety net behind the real-time path)
    and the scores every customer's summary row gives as time passes. Nothing reads all
    orders, so the job costs the same in a shop twice as old.
    """
    return run_claimed(
        session,
        NIGHTLY_JOB,
        day.isoformat(),
        lambda: mark_and_drain(session, nightly_keys(day), today, settings),
        force=force,
    )


def nightly_keys(day: date) -> Keys:
    """What the nightly job makes stale for a day."""
    return Keys(days={day}, visit_days={day}, scores=True)


def recompute(
    session: Session,
    days: DateRange,
    today: date,
    settings: RefreshSettings,
    *,
    sessions: bool = False,
) -> int:
    """Mark the days (sales and visits) and everything customer-wide stale, then drain the
    refresher; returns the keys it took (the work of any other writer included). With
    `sessions`, every visit's funnel row is derived again from the events too (after a bulk
    load, which marks nothing; otherwise the `session` keys of each write keep them)."""
    keys = Keys(days=set(days), visit_days=set(days), everything=True, all_sessions=sessions)
    return mark_and_drain(session, keys, today, settings)


def mark_and_drain(session: Session, keys: Keys, today: date, settings: RefreshSettings) -> int:
    begin_write(session)
    mark(session, keys)
    session.commit()
    return drain(session.get_bind(), settings, today)


def due_days(session: Session, today: date) -> list[date]:
    """Yesterday and every earlier day missed since the last successful nightly run."""
    yesterday = today - timedelta(days=1)
    last = session.scalar(
        sa.select(sa.func.max(JobRun.period)).where(
            JobRun.job == NIGHTLY_JOB, JobRun.status == "succeeded"
        )
    )
    first = min(date.fromisoformat(last) + timedelta(days=1), yesterday) if last else yesterday
    done = set(
        session.scalars(
            sa.select(JobRun.period).where(
                JobRun.job == NIGHTLY_JOB,
                JobRun.status == "succeeded",
                JobRun.period >= first.isoformat(),
            )
        )
    )
    return [day for day in DateRange(first, yesterday) if day.isoformat() not in done]


def run_due(session: Session, settings: RefreshSettings) -> dict[date, str]:
    """What the scheduler calls: every due day, oldest first."""
    today = shop_today(settings.zone)
    return {day: run_nightly(session, day, today, settings) for day in due_days(session, today)}
