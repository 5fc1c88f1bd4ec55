"""`flask demo`: a believable demo shop, and the first-run login."""

from __future__ import annotations

import secrets
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from app.analytics.clv import fit_shop
from app.analytics.periods import DateRange
from app.database import analyze_after_bulk_load
from app.demo import DemoError, DemoSpec, generate_shop, load_shop
from app.extensions import db
from app.models import Order, User
from app.pipeline.jobs import mark_and_drain, recompute
from app.pipeline.refresher import RefreshSettings
from app.pipeline.restamp import record_zone
from app.pipeline.stale import Keys

demo_cli = AppGroup("demo", help="Generate a believable demo shop.")

DEMO_ADMIN_EMAIL = "admin@example.com"


@demo_cli.command("seed")
@click.option("--orders", default=50_000, show_default=True, type=click.IntRange(min=1))
@click.option("--days", default=730, show_default=True, type=click.IntRange(min=1))
@click.option("--customers", type=click.IntRange(min=1), help="Default: one per ten orders.")
@click.option("--seed", default=42, show_default=True, type=int)
@click.option(
    "--end-date", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: yesterday)."
)
@click.option(
    "--event-days",
    default=90,
    show_default=True,
    type=click.IntRange(min=0),
    help="Days, counted back from the end, that get per-session funnel events.",
)
@click.option("--reset", is_flag=True, help="Delete the existing shop data first.")
def seed_demo(
    orders: int, days: int, customers: int | None, seed: int, end_date, event_days: int, reset: bool
) -> None:
    """Fill an empty database with a demo shop; the same seed gives the same shop."""
    last_day: date | None = end_date.date() if end_date else None
    spec = DemoSpec.build(
        orders=orders,
        days=days,
        customers=customers,
        seed=seed,
        end_date=last_day,
        event_days=event_days,
        timezone=current_app.config["SHOP_TIMEZONE"],
    )
    started = time.perf_counter()
    shop = generate_shop(spec)
    with click.progressbar(length=shop.row_count, label="Loading demo shop") as bar:
        try:
            counts = load_shop(db.session, shop, reset=reset, advance=bar.update)
        except DemoError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
    elapsed = time.perf_counter() - started
    # Its business dates are in the zone configured now; bulk loading marks nothing stale:
    # mark the whole shop, and refresh it now.
    record_zone(db.session, ZoneInfo(current_app.config["SHOP_TIMEZONE"]))
    analyze_after_bulk_load(db.session)
    db.session.commit()
    days = DateRange(spec.start_date, spec.end_date)
    settings = RefreshSettings.from_config(current_app.config)
    today = spec.end_date + timedelta(days=1)
    recompute(db.session, days, today, settings, sessions=True)
    # Then the predictive model, from the customers' summary rows the recompute built, and
    # every customer scored with it: every part of every page has figures on the first visit.
    # The last 12 weeks (when the shop is long enough) are held out to check its predictions.
    holdout = timedelta(weeks=12) if days.days >= 180 else timedelta(0)
    model = fit_shop(db.session, spec.end_date - holdout, settings.currency_exponent)
    db.session.commit()
    mark_and_drain(db.session, Keys(scores=True), today, settings)
    click.echo(
        f"Seeded {spec.start_date} to {spec.end_date} in {elapsed:.1f} s"
        f" (analytics built in {time.perf_counter() - started - elapsed:.1f} s): "
        + ", ".join(f"{count:,} {name}" for name, count in counts.items())
    )
    if model.status == "fitted":
        click.echo(f"Predictive model fitted on {model.customers:,} customers.")
    else:
        click.echo(f"No predictive model: {model.message}. Churn risk stays rule-based.")


@demo_cli.command("init")
@click.option("--orders", default=50_000, show_default=True, type=click.IntRange(min=1))
@click.option("--email", default=DEMO_ADMIN_EMAIL, show_default=True)
def init_demo(orders: int, email: str) -> None:
    """First run: load the demo shop if the database is empty, and print a demo admin login."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("demo data is for development; APP_ENV is production")
    if db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0:
        click.get_current_context().invoke(seed_demo, orders=orders)
    password = demo_admin_password(Path(current_app.instance_path), email)
    click.echo(f"\n  Sign in at the address below as {email} with password {password}\n")


def demo_admin_password(instance: Path, email: str) -> str:
    """The demo admin's password, created once and kept in the instance folder."""
    login_file = instance / "demo-admin-password"
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None and login_file.exists():
        return login_file.read_text().strip()
    password = secrets.token_urlsafe(12)
    user = user or User(email=email, role="admin")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    instance.mkdir(parents=True, exist_ok=True)
    login_file.write_text(password)
    login_file.chmod(0o600)
    return password
