"""`flask analytics`: recompute on demand, backfill history, show the job record."""

from __future__ import annotations

import functools
from datetime import date, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError

from app.analytics.clv import fit_shop
from app.analytics.freshness import figures_as_of
from app.analytics.periods import DateRange
from app.database import begin_write, is_lock_timeout
from app.extensions import db
from app.models import CustomerPrediction, JobRun, Order, StaleKey
from app.pipeline.jobs import recompute, run_claimed, run_nightly
from app.pipeline.refresher import RefreshSettings, drain
from app.pipeline.restamp import restamp, zone_warning
from app.pipeline.stale import Keys, mark
from app.pipeline.verify import verify
from app.timeutil import shop_today

analytics_cli = AppGroup("analytics", help="Refresh, rebuild and inspect the analytics tables.")
ISO_DAY = click.DateTime(["%Y-%m-%d"])


class DatabaseBusy(click.ClickException):
    """Exit code 2: nothing was wrong, the database stayed busy (verify's differences are 1)."""

    exit_code = 2


def waits_for_the_database(command):
    """Another writer held the lock past BATCH_LOCK_WAIT_MS: say so, without a traceback."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except OperationalError as error:
            if not is_lock_timeout(error):
                raise
            raise DatabaseBusy(
                "the database stayed busy (another writer held it for 10 minutes); nothing "
                "was changed: try again"
            ) from None

    return run


def _outcome(what: str, outcome: str) -> None:
    if outcome == "skipped":
        click.echo(f"{what}: running in another process (or already done); nothing to do")
    elif outcome != "succeeded":
        raise click.ClickException(f"{what} {outcome}; see `flask analytics status`")
    else:
        click.echo(f"{what}: {outcome}")


def _settings() -> RefreshSettings:
    return RefreshSettings.from_config(current_app.config)


def _today() -> date:
    return shop_today(_settings().zone)


@analytics_cli.command("refresh")
@waits_for_the_database
def refresh_command() -> None:
    """Recompute every figure a write has made stale, now (the scheduler does it every few
    seconds)."""
    taken = drain(db.engine, _settings())
    as_of = figures_as_of(db.session)
    click.echo(f"refreshed {taken:,} stale key(s); figures as of {as_of:%Y-%m-%d %H:%M:%S} UTC")


@analytics_cli.command("verify")
@waits_for_the_database
def verify_command() -> None:
    """Check every figure against a from-scratch recompute (changes nothing); exit 1 if any
    differs."""
    checks = verify(db.engine, _settings())
    failed = False
    for check in checks:
        state = "ok" if not check.differences else f"{len(check.differences):,} DIFFER"
        click.echo(f"{check.table:<28} {check.rows:>9,} rows  {state}")
        for key, stored, expected in check.differences[:5]:
            click.echo(f"    {key}: stored {stored}, recomputed {expected}")
        failed = failed or bool(check.differences)
    if failed:
        raise click.ClickException(
            "figures differ from a recompute; run `flask analytics backfill --sessions`"
        )


@analytics_cli.command("restamp")
@waits_for_the_database
def restamp_command() -> None:
    """After SHOP_TIMEZONE changed: derive every business date again in the zone configured
    now, and recompute the days that moved."""
    settings = _settings()
    begin_write(db.session)
    changed = restamp(db.session, settings.zone)
    db.session.commit()
    click.echo(
        f"Business dates now in {settings.zone.key}: "
        + ", ".join(f"{count:,} {table}" for table, count in changed.items())
        + " moved. Refreshing the figures…"
    )
    drain(db.engine, settings)
    click.echo("done")


@analytics_cli.command("update")
@click.option("--date", "day", type=ISO_DAY, help="Business day to recompute (default: yesterday).")
@waits_for_the_database
def update(day) -> None:
    """Recompute one business day and every customer now, even if the nightly job already did."""
    target = day.date() if day else _today() - timedelta(days=1)
    _outcome(
        f"update for {target}", run_nightly(db.session, target, _today(), _settings(), force=True)
    )


@analytics_cli.command("backfill")
@click.option("--start", type=ISO_DAY, help="First day (default: the first order's day).")
@click.option("--end", type=ISO_DAY, help="Last day (default: yesterday).")
@click.option(
    "--sessions",
    is_flag=True,
    help="Also derive every visit's funnel row from its events again (each write keeps "
    "its visits' rows; this repairs what `verify` reports in funnel_sessions).",
)
@waits_for_the_database
def backfill(start, end, sessions: bool) -> None:
    """Recompute every day of a range: marks it stale and refreshes it, set-based.

    Safe while orders arrive: the refresher, not the backfill, writes the figures.
    """
    first = (
        start.date() if start else db.session.scalar(sa.select(sa.func.min(Order.business_date)))
    )
    last = end.date() if end else _today() - timedelta(days=1)
    if first is None:
        raise click.ClickException("no orders yet: nothing to backfill")
    if last < first:
        raise click.ClickException(f"--end {last} is before --start {first}")
    days = DateRange(first, last)
    click.echo(f"Backfilling {first} to {last} ({days.days:,} days)…")
    outcome = run_claimed(
        db.session,
        "backfill",
        f"{first}..{last}",
        lambda: recompute(db.session, days, _today(), _settings(), sessions=sessions),
        force=True,
    )
    _outcome(f"backfill {first}..{last}", outcome)


@analytics_cli.command("status")
@click.option("--limit", default=15, show_default=True, type=click.IntRange(min=1))
def status(limit: int) -> None:
    """How fresh the figures are, and the most recent job runs."""
    pending = db.session.scalar(sa.select(sa.func.count()).select_from(StaleKey))
    warning = zone_warning(db.session, _settings().zone)
    if warning:
        click.echo(f"WARNING: {warning}", err=True)
    click.echo(
        f"figures as of {figures_as_of(db.session):%Y-%m-%d %H:%M:%S} UTC; "
        f"{pending:,} stale key(s) waiting for the refresher"
    )
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


@analytics_cli.command("fit-clv")
@click.option(
    "--calibration-end",
    type=ISO_DAY,
    help="Last day the models learn from (default: yesterday); later orders check the fit.",
)
def fit_clv(calibration_end) -> None:
    """Fit BG/NBD + Gamma-Gamma now; the refresher then scores every customer with them."""
    settings = _settings()
    end = calibration_end.date() if calibration_end else _today() - timedelta(days=1)
    model = fit_shop(db.session, end, settings.currency_exponent)
    db.session.commit()
    if model.status != "fitted":
        raise click.ClickException(f"no model: {model.message}. Churn risk stays rule-based.")
    click.echo(
        f"BG/NBD on {model.customers:,} customers to {end}: r={model.r:.3f} "
        f"alpha={model.alpha:.3f} a={model.a:.3f} b={model.b:.3f} "
        f"(LL {model.bgnbd_log_likelihood:.1f})"
    )
    click.echo(
        f"Gamma-Gamma on {model.repeat_customers:,} repeat customers: p={model.p:.2f} "
        f"q={model.q:.2f} gamma={model.gamma:.2f} (LL {model.gamma_gamma_log_likelihood:.1f})"
    )
    if model.calibration:
        weeks = model.calibration["weeks"][-1]
        click.echo(
            f"Check, {weeks} weeks after {end}: predicted "
            f"{model.calibration['predicted_cumulative'][-1]:,.0f} repeat purchase days, "
            f"actual {model.calibration['actual_cumulative'][-1]:,}"
        )
    # Scores are figures: the refresher writes them, with every customer's other scores.
    mark(db.session, Keys(scores=True))
    db.session.commit()
    drain(db.engine, settings)
    scored = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CustomerPrediction)
        .where(CustomerPrediction.p_alive.is_not(None))
    )
    click.echo(f"Scored {scored:,} customers.")
