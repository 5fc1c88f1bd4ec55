"""`flask analytics` and the scheduler, as an operator uses them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.models import DailyAnalyticsSnapshot, JobRun
from scheduler import build_scheduler, run_due_days
from tests.factories import OrderFactory


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
    days = db.session.scalar(sa.select(sa.func.count()).select_from(DailyAnalyticsSnapshot))
    assert days == (date(2026, 2, 28) - date(2026, 1, 5)).days + 1


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
    assert set(jobs) == {"nightly", "retry", "catch-up"}
    assert str(jobs["nightly"].trigger) == "cron[hour='0', minute='15']"
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
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output
    assert "scheduler running: nightly, retry, catch-up" in output
