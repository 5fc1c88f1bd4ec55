"""`flask notify`: work out insights, announce anomalies and send digests on demand (the same
steps as the scheduler's morning round, each still once per period)."""

from __future__ import annotations

from datetime import date, timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.notify.alerts import announce
from app.notify.digest import send_digests
from app.pipeline.insights import InsightSettings, run_insights
from app.shop import today as shop_today

notify_cli = AppGroup("notify", help="Anomalies, forecasts, alerts and e-mail digests.")
ISO_DAY = click.DateTime(["%Y-%m-%d"])


def _today(value) -> date:
    return value.date() if value else shop_today()


@notify_cli.command("insights")
@click.option("--today", type=ISO_DAY, help="Judge the days before this one (default: today).")
@click.option("--force", is_flag=True, help="Run again even if this day's run succeeded.")
def insights_command(today, force: bool) -> None:
    """Judge recent days for anomalies and forecast the month (once per day)."""
    settings = InsightSettings.from_config(current_app.config)
    outcome = run_insights(db.session, _today(today), settings, force=force)
    click.echo(f"insights: {outcome}")


@notify_cli.command("announce")
@click.option("--today", type=ISO_DAY)
def announce_command(today) -> None:
    """Send yesterday's anomalies to the webhook and the alerts subscribers (once)."""
    outcomes = announce(db.session, _today(today) - timedelta(days=1), current_app.config)
    click.echo(f"alerts: {outcomes or 'no anomalies'}")


@notify_cli.command("digests")
@click.option("--kind", type=click.Choice(["daily", "weekly"]), required=True)
@click.option("--today", type=ISO_DAY)
def digests_command(kind: str, today) -> None:
    """Send each subscriber's digest of the period (once per user and period)."""
    outcomes = send_digests(db.session, kind, _today(today), current_app.config)
    for user_id, outcome in outcomes.items():
        click.echo(f"user {user_id}: {outcome}")
