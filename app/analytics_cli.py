"""`flask analytics`: recompute on demand, backfill history, show the job record."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from app.analytics.periods import DateRange
from app.analytics.rebuild import rebuild_range, rebuild_steps
from app.extensions import db
from app.jobs import run_claimed, run_nightly
from app.models import JobRun, Order
from app.timeutil import shop_today

analytics_cli = AppGroup("analytics", help="Rebuild and inspect the analytics tables.")
ISO_DAY = click.DateTime(["%Y-%m-%d"])


def _today() -> date:
    return shop_today(ZoneInfo(current_app.config["SHOP_TIMEZONE"]))


@analytics_cli.command("update")
@click.option("--date", "day", type=ISO_DAY, help="Business day to recompute (default: yesterday).")
def update(day) -> None:
    """Recompute one business day now, even if the nightly job already did."""
    target = day.date() if day else _today() - timedelta(days=1)
    outcome = run_nightly(db.session, target, _today(), force=True)
    click.echo(f"{target}: {outcome}")
    if outcome != "succeeded":
        raise click.ClickException(f"update for {target} {outcome}; see `flask analytics status`")


@analytics_cli.command("backfill")
@click.option("--start", type=ISO_DAY, help="First day (default: the first order's day).")
@click.option("--end", type=ISO_DAY, help="Last day (default: yesterday).")
def backfill(start, end) -> None:
    """Recompute every day of a range, set-based, in one transaction."""
    first = (
        start.date() if start else db.session.scalar(sa.select(sa.func.min(Order.business_date)))
    )
    last = end.date() if end else _today() - timedelta(days=1)
    if first is None:
        raise click.ClickException("no orders yet: nothing to backfill")
    if last < first:
        raise click.ClickException(f"--end {last} is before --start {first}")
    days = DateRange(first, last)
    steps = len(rebuild_steps(db.session, days, _today()))
    with click.progressbar(length=steps, label=f"Backfilling {first} to {last}") as bar:
        outcome = run_claimed(
            db.session,
            "backfill",
            f"{first}..{last}",
            lambda: rebuild_range(db.session, days, _today(), bar.update),
            force=True,
        )
    click.echo(f"backfill {first}..{last}: {outcome}")
    if outcome != "succeeded":
        raise click.ClickException("backfill failed; see `flask analytics status`")


@analytics_cli.command("status")
@click.option("--limit", default=15, show_default=True, type=click.IntRange(min=1))
def status(limit: int) -> None:
    """The most recent job runs."""
    runs = db.session.scalars(
        sa.select(JobRun).order_by(JobRun.started_at.desc()).limit(limit)
    ).all()
    if not runs:
        click.echo("no job has run yet")
        return
    click.echo(f"{'job':<20} {'period':<24} {'status':<10} {'tries':>5} {'rows':>9}  started (UTC)")
    for run in runs:
        click.echo(
            f"{run.job:<20} {run.period:<24} {run.status:<10} {run.attempts:>5}"
            f" {run.rows or 0:>9}  "
            f"{run.started_at:%Y-%m-%d %H:%M:%S}"
        )
        if run.status == "failed" and run.error:
            click.echo("    " + run.error.strip().splitlines()[-1])
