"""Nightly runs: once per period, failures recorded and retried, missed days caught up."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import DailyAnalyticsSnapshot, JobRun
from app.pipeline import refresher
from app.pipeline.jobs import NIGHTLY_JOB, claim, due_days, run_nightly
from tests.conftest import app_config
from tests.factories import OrderFactory
from tests.refresh import settings

DAY = date(2026, 3, 10)
TODAY = date(2026, 3, 11)


def runs() -> list[JobRun]:
    db.session.expire_all()
    return db.session.scalars(sa.select(JobRun).order_by(JobRun.period)).all()


def test_a_period_is_claimed_once(app):
    assert claim(db.session, NIGHTLY_JOB, "2026-03-10") is True
    assert claim(db.session, NIGHTLY_JOB, "2026-03-10") is False


def test_a_stale_running_claim_is_taken_over(app):
    assert claim(db.session, NIGHTLY_JOB, "2026-03-10")
    db.session.execute(sa.update(JobRun).values(started_at=datetime.now(UTC) - timedelta(hours=3)))
    db.session.commit()
    assert claim(db.session, NIGHTLY_JOB, "2026-03-10") is True
    assert runs()[0].attempts == 2


def test_nightly_run_records_success_and_a_second_run_skips(app):
    OrderFactory(subtotal=4_000)
    assert run_nightly(db.session, DAY, TODAY, settings()) == "succeeded"
    assert run_nightly(db.session, DAY, TODAY, settings()) == "skipped"
    (run,) = runs()
    assert (run.status, run.attempts, run.rows > 0) == ("succeeded", 1, True)


def test_a_failed_run_is_recorded_with_its_error_writes_nothing_and_is_retried(app, monkeypatch):
    OrderFactory(subtotal=4_000)
    db.session.execute(sa.delete(DailyAnalyticsSnapshot))
    db.session.commit()

    def broken_cohorts(session, months=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(refresher, "rebuild_cohorts", broken_cohorts)
    assert run_nightly(db.session, DAY, TODAY, settings()) == "failed"
    (run,) = runs()
    assert run.status == "failed" and "disk full" in run.error
    # The day's rows written before the failure were rolled back with it.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DailyAnalyticsSnapshot)) == 0
    monkeypatch.undo()
    assert run_nightly(db.session, DAY, TODAY, settings()) == "succeeded"
    (run,) = runs()
    assert (run.status, run.attempts, run.error) == ("succeeded", 2, None)
    assert db.session.scalar(sa.select(DailyAnalyticsSnapshot.net_revenue)) == 4_000


def test_due_days_catch_up_everything_missed_since_the_last_success(app):
    assert due_days(db.session, TODAY) == [DAY]
    run_nightly(db.session, date(2026, 3, 6), TODAY, settings())
    assert due_days(db.session, TODAY) == [date(2026, 3, d) for d in (7, 8, 9, 10)]


def _run_in_process(database_url: str, barrier) -> str:
    app = create_app(app_config(database_url))
    with app.app_context():
        barrier.wait()
        outcome = run_nightly(db.session, DAY, TODAY, settings())
        db.engine.dispose()
    return outcome


def test_four_processes_racing_for_the_same_day_run_it_once(app, database_url):
    OrderFactory(subtotal=4_000)
    OrderFactory(subtotal=6_000, placed_at=datetime(2026, 3, 10, 18, tzinfo=UTC))
    db.session.execute(sa.delete(DailyAnalyticsSnapshot))
    db.session.commit()
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(4)
        with context.Pool(4) as pool:
            outcomes = pool.starmap(_run_in_process, [(database_url, barrier)] * 4)
    assert sorted(outcomes) == ["skipped", "skipped", "skipped", "succeeded"]
    (run,) = runs()
    assert (run.status, run.attempts) == ("succeeded", 1)
    snapshot = db.session.scalar(
        sa.select(DailyAnalyticsSnapshot).where(DailyAnalyticsSnapshot.business_date == DAY)
    )
    assert (snapshot.orders, snapshot.net_revenue) == (2, 10_000)
