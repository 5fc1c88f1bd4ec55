"""`flask analytics` and the scheduler, as an operator uses them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import DailyAnalyticsSnapshot, FunnelDaily, FunnelSession, JobRun, RevenueStream
from scheduler import build_scheduler, run_due_days
from tests.factories import EventFactory, OrderFactory
from tests.refresh import refresh


def snapshot_rows() -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        sa.select(
            DailyAnalyticsSnapshot.business_date,
            DailyAnalyticsSnapshot.orders,
            DailyAnalyticsSnapshot.net_revenue,
        )
        .where(DailyAnalyticsSnapshot.orders > 0)
        .order_by(DailyAnalyticsSnapshot.business_date)
    ).all()


def test_update_recomputes_a_day_on_demand_even_twice(runner):
    OrderFactory(subtotal=2_000)
    db.session.execute(sa.delete(DailyAnalyticsSnapshot))
    db.session.commit()
    for _ in range(2):
        result = runner.invoke(args=["analytics", "update", "--date", "2026-03-10"])
        assert result.exit_code == 0, result.output
        assert "succeeded" in result.output
    assert snapshot_rows() == [(date(2026, 3, 10), 1, 2_000)]
    run = db.session.scalar(sa.select(JobRun))
    assert (run.period, run.status, run.attempts) == ("2026-03-10", "succeeded", 2)


def test_backfill_rebuilds_history_and_a_rerun_changes_nothing(runner):
    OrderFactory(subtotal=1_000, placed_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    OrderFactory(subtotal=3_000, placed_at=datetime(2026, 2, 20, 9, tzinfo=UTC))
    db.session.execute(sa.delete(DailyAnalyticsSnapshot))
    db.session.commit()
    args = ["analytics", "backfill", "--end", "2026-02-28"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    rows = snapshot_rows()
    assert rows == [(date(2026, 1, 5), 1, 1_000), (date(2026, 2, 20), 1, 3_000)]
    assert runner.invoke(args=args).exit_code == 0
    assert snapshot_rows() == rows
    # Days with nothing on them have no row, and every reader sees them as zero.
    from app.analytics.dashboard import daily_series
    from app.analytics.periods import DateRange

    series = daily_series(db.session, DateRange(date(2026, 1, 5), date(2026, 2, 28)))
    assert len(series) == 55 and sum(day.net_revenue for day in series) == 4_000
    assert sum(day.orders == 0 for day in series) == 53


def test_backfill_refuses_an_inverted_range_and_an_empty_shop(runner):
    empty = runner.invoke(args=["analytics", "backfill"])
    assert empty.exit_code != 0 and "no orders yet" in empty.output
    OrderFactory()
    inverted = runner.invoke(
        args=["analytics", "backfill", "--start", "2026-03-10", "--end", "2026-03-01"]
    )
    assert inverted.exit_code != 0 and "before" in inverted.output


def test_status_lists_recent_runs(runner):
    assert "no job has run yet" in runner.invoke(args=["analytics", "status"]).output
    OrderFactory()
    runner.invoke(args=["analytics", "update", "--date", "2026-03-10"])
    output = runner.invoke(args=["analytics", "status"]).output
    assert "nightly-aggregates" in output and "2026-03-10" in output and "succeeded" in output


def test_scheduler_has_the_nightly_retry_and_catch_up_jobs_in_shop_time(make_app):
    app = make_app(SHOP_TIMEZONE="Europe/Berlin")
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"refresh", "nightly", "retry", "catch-up", "tell", "digests"}
    assert str(jobs["refresh"].trigger) == "interval[0:00:01]"
    assert str(jobs["nightly"].trigger) == "cron[hour='0', minute='15']"
    assert str(jobs["digests"].trigger) == "cron[hour='7', minute='0']"
    assert str(jobs["tell"].trigger) == "interval[0:30:00]"
    assert str(scheduler.timezone) == "Europe/Berlin"


def test_the_scheduled_call_runs_the_due_day_once(make_app, app):
    run_due_days(make_app())
    run_due_days(make_app())
    db.session.expire_all()
    runs = db.session.scalars(sa.select(JobRun)).all()
    assert len(runs) == 1 and runs[0].status == "succeeded" and runs[0].attempts == 1


def test_scheduler_process_catches_up_at_start_and_stops_cleanly(app, database_url, tmp_path):
    root = Path(__file__).resolve().parents[2]
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "scheduler-test",
        "INSTANCE_PATH": str(tmp_path),
    }
    process = subprocess.Popen(
        [sys.executable, "scheduler.py"],
        cwd=root,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        run = None
        while time.monotonic() < deadline and run is None:
            time.sleep(0.5)
            db.session.expire_all()
            run = db.session.scalar(sa.select(JobRun).where(JobRun.status == "succeeded"))
        assert run is not None, "the scheduler process recorded no successful run"
        yesterday = datetime.now(UTC).date() - timedelta(days=1)
        assert run.period == yesterday.isoformat()
        # An order written while it runs reaches the figures within seconds: its refresher.
        OrderFactory(subtotal=4_321, placed_at=datetime.now(UTC) - timedelta(days=3))
        while time.monotonic() < deadline and not any(r[2] == 4_321 for r in snapshot_rows()):
            time.sleep(0.2)
        assert any(row[2] == 4_321 for row in snapshot_rows()), "the refresher did not run"
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output
    assert "scheduler running: refresh, nightly, retry, catch-up" in output


def _scheduler(database_url: str, instance: Path) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "scheduler-test",
        "INSTANCE_PATH": str(instance),
    }
    return subprocess.Popen(
        [sys.executable, "scheduler.py"],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(predicate, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError("timed out")


def test_a_scheduler_killed_mid_run_leaves_no_partial_day_and_the_next_start_catches_up(
    app, database_url, tmp_path
):
    """PostgreSQL: the test holds one channel row of yesterday locked, so the run is caught
    between its first writes (the day's snapshot) and the rest when it is killed."""
    if not database_url.startswith("postgresql"):
        pytest.skip("needs a server-side row lock (PostgreSQL)")
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    OrderFactory(
        subtotal=5_000,
        placed_at=datetime.combine(yesterday, datetime.min.time(), UTC) + timedelta(hours=12),
    )
    db.session.execute(sa.delete(DailyAnalyticsSnapshot))
    db.session.execute(sa.delete(RevenueStream))
    db.session.add(
        RevenueStream(business_date=yesterday, channel="web", amount=0, transaction_count=0)
    )
    db.session.commit()
    blocker = db.engine.connect()
    blocking = blocker.begin()
    blocker.execute(
        sa.select(RevenueStream.id)
        .where(RevenueStream.business_date == yesterday)
        .with_for_update()
    )
    process = _scheduler(database_url, tmp_path)
    try:
        run = _wait_for(
            lambda: db.session.scalar(sa.select(JobRun).where(JobRun.status == "running"))
        )
        _wait_for(  # the run is now waiting on our lock, its snapshot written but not committed
            lambda: db.session.execute(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            ).scalar()
        )
        process.kill()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        blocking.rollback()
        blocker.close()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(DailyAnalyticsSnapshot.id))) == 0
    assert db.session.get(JobRun, run.id).status == "running"  # the dead process's claim

    restarted = _scheduler(database_url, tmp_path)
    try:
        _wait_for(lambda: db.session.scalar(sa.select(JobRun).where(JobRun.status == "succeeded")))
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=30)
    finished = db.session.get(JobRun, run.id)
    assert (finished.status, finished.attempts) == ("succeeded", 2)
    snapshot = db.session.scalar(
        sa.select(DailyAnalyticsSnapshot).where(DailyAnalyticsSnapshot.business_date == yesterday)
    )
    assert (snapshot.orders, snapshot.net_revenue) == (1, 5_000)


def test_a_new_shop_time_zone_is_noticed_and_restamp_moves_the_days(app, make_app):
    from zoneinfo import ZoneInfo

    from app.pipeline.restamp import record_zone

    record_zone(db.session, ZoneInfo("UTC"))  # as the migration records it on a new database
    # 02:00 UTC on 10 March is still 9 March in New York.
    OrderFactory(subtotal=4_000, placed_at=datetime(2026, 3, 10, 2, tzinfo=UTC))
    EventFactory(session_id="late-night", occurred_at=datetime(2026, 3, 10, 2, tzinfo=UTC))
    refresh()
    assert snapshot_rows() == [(date(2026, 3, 10), 1, 4_000)]
    assert funnel_days() == [(date(2026, 3, 10), 1)]
    new_york = make_app(SHOP_TIMEZONE="America/New_York")
    with new_york.app_context():
        runner = new_york.test_cli_runner()
        status = runner.invoke(args=["analytics", "status"])
        assert "stamped in UTC but SHOP_TIMEZONE is America/New_York" in status.output
        result = runner.invoke(args=["analytics", "restamp"])
        assert result.exit_code == 0 and "1 orders" in result.output, result.output
        assert "WARNING" not in runner.invoke(args=["analytics", "status"]).output
        assert runner.invoke(args=["analytics", "verify"]).exit_code == 0
        db.session.remove()
    assert snapshot_rows() == [(date(2026, 3, 9), 1, 4_000)]
    # The visit's entry day moved with it: its funnel row was derived again.
    assert funnel_days() == [(date(2026, 3, 9), 1)]


def funnel_days() -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        sa.select(FunnelDaily.business_date, FunnelDaily.sessions).order_by(
            FunnelDaily.business_date
        )
    ).all()


def test_verify_finds_a_wrong_visit_row_and_backfill_sessions_mends_it(app):
    start = datetime(2026, 3, 10, 12, tzinfo=UTC)
    for step, event_type in enumerate(("page_view", "product_view", "add_to_cart")):
        EventFactory(
            session_id="browser", event_type=event_type, occurred_at=start + timedelta(minutes=step)
        )
    OrderFactory(placed_at=start)
    refresh()
    # A row that no longer matches its events (as a bug in an older release might leave it).
    db.session.execute(sa.update(FunnelSession).values(reached=4, minutes=3))
    db.session.commit()
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["analytics", "verify"])
    assert checked.exit_code == 1 and "backfill --sessions" in checked.output
    assert "funnel_sessions" in checked.output and "1 DIFFER" in checked.output
    # A plain backfill sums the rows as they are; --sessions walks the events again.
    assert runner.invoke(args=["analytics", "backfill", "--end", "2026-03-10"]).exit_code == 0
    assert runner.invoke(args=["analytics", "verify"]).exit_code == 1
    mended = runner.invoke(args=["analytics", "backfill", "--end", "2026-03-10", "--sessions"])
    assert mended.exit_code == 0, mended.output
    assert runner.invoke(args=["analytics", "verify"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(sa.select(FunnelSession.reached)) == 2
