"""`flask` commands: staff users and demo data."""

from __future__ import annotations

import secrets
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from app import audit, shop
from app.analytics.periods import DateRange
from app.analytics.rebuild import rebuild_range
from app.api.tokens import issue_token
from app.auth.passwords import password_problems
from app.demo import DemoError, DemoSpec, generate_shop, load_shop
from app.erasure import NotFound, erase_customer
from app.extensions import db
from app.importer import ImportFileError, import_orders
from app.models import ApiToken, Order, User
from app.models.enums import ROLES, TOKEN_SCOPES
from app.timeutil import utc_now

users_cli = AppGroup("users", help="Manage staff logins.")
demo_cli = AppGroup("demo", help="Generate a believable demo shop.")

DEMO_ADMIN_EMAIL = "admin@example.com"


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user(email: str, role: str, password: str) -> None:
    """Create a staff login (prompts for the password unless --password is given)."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.BadParameter("not an email address", param_hint="EMAIL")
    problems = password_problems(password, email)
    if problems:
        raise click.BadParameter("; ".join(problems), param_hint="--password")
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise click.ClickException(f"a user with email {email} already exists")
    user = User(email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}")


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
    # Bulk loading bypasses real-time tracking: compute the analytics tables in the same go.
    days = DateRange(spec.start_date, spec.end_date)
    rebuild_range(db.session, days, today=spec.end_date + timedelta(days=1))
    db.session.commit()
    click.echo(
        f"Seeded {spec.start_date} to {spec.end_date} in {elapsed:.1f} s"
        f" (analytics built in {time.perf_counter() - started - elapsed:.1f} s): "
        + ", ".join(f"{count:,} {name}" for name, count in counts.items())
    )


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


def init_app(app: Flask) -> None:
    from app.analytics_cli import analytics_cli

    app.cli.add_command(analytics_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(customers_cli)


tokens_cli = AppGroup("tokens", help="API tokens for external tools.")


@tokens_cli.command("create")
@click.option("--name", required=True, help="Who or what uses the token.")
@click.option("--scope", type=click.Choice(TOKEN_SCOPES), default="read", show_default=True)
@click.option("--owner", help="Email of the staff member responsible for it.")
def create_token(name: str, scope: str, owner: str | None) -> None:
    """Create a token; the secret is printed once, as the last line, and never stored."""
    owner_id = None
    if owner:
        owner_id = db.session.scalar(sa.select(User.id).where(User.email == owner.strip().lower()))
        if owner_id is None:
            raise click.BadParameter(f"no staff user {owner}", param_hint="--owner")
    token, secret = issue_token(db.session, name, scope, owner_id)
    audit.record("token.create", f"token:{token.id}", {"name": name, "scope": scope})
    db.session.commit()
    click.echo(f"Created {scope} token {token.id} ({token.prefix}…) for {name}. Copy it now:")
    click.echo(secret)


@tokens_cli.command("list")
def list_tokens() -> None:
    """Every token with its scope, last use and whether it is revoked."""
    for token in db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id)):
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        state = "revoked" if token.revoked_at else "active"
        click.echo(
            f"{token.id:>4}  {token.prefix}…  {token.scope:<5}  {state:<7}"
            f"  last used {used}  {token.name}"
        )


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke a token at once; calls with it get 401 from then on."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"no token {token_id}")
    token.revoked_at = token.revoked_at or utc_now()
    audit.record("token.revoke", f"token:{token.id}", {"name": token.name})
    db.session.commit()
    click.echo(f"Revoked token {token.id} ({token.name})")


import_cli = AppGroup("import", help="Load data from files.")


@import_cli.command("orders")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Load the valid rows and report the rest (default: a bad row stops the whole file).",
)
def import_orders_command(path: Path, skip_invalid: bool) -> None:
    """Import orders from a CSV file; see `app/importer.py` or the README for the columns.

    Re-importing the same file changes nothing. Rejected rows are listed with their line
    numbers; without --skip-invalid nothing at all is written when any row is rejected.
    """
    zone, currency = shop.zone(), shop.currency()
    with path.open(newline="", encoding="utf-8-sig") as counting:
        rows = max(sum(1 for _ in counting) - 1, 0)
    started = time.perf_counter()
    try:
        with (
            path.open(newline="", encoding="utf-8-sig") as stream,
            click.progressbar(length=rows, label=f"Importing {path.name}", file=sys.stderr) as bar,
        ):
            result = import_orders(db.session, stream, zone, currency, skip_invalid, bar.update)
    except ImportFileError as error:
        db.session.rollback()
        raise click.ClickException(f"{path}: {error}") from None
    except UnicodeDecodeError as error:
        db.session.rollback()
        raise click.ClickException(f"{path}: not UTF-8 text ({error.reason})") from None
    for rejected in result.rejected:
        click.echo(
            f"line {rejected.line}: {rejected.order_id or '(no order_id)'}: {rejected.message}",
            err=True,
        )
    if result.rejected and not skip_invalid:
        db.session.rollback()
        raise click.ClickException(
            f"{len(result.rejected)} row(s) rejected; nothing was imported "
            "(fix them, or use --skip-invalid to import the rest)"
        )
    audit.record(
        "import.orders",
        path.name,
        {
            "created": result.created,
            "unchanged": result.unchanged,
            "rejected": len(result.rejected),
        },
    )
    db.session.commit()
    click.echo(
        f"{result.created} orders created, {result.unchanged} already there, "
        f"{result.refunds} refunds, {len(result.rejected)} rejected "
        f"in {time.perf_counter() - started:.1f} s"
    )


customers_cli = AppGroup("customers", help="Customer records.")


@customers_cli.command("erase")
@click.argument("external_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_customer_command(external_id: str, yes: bool) -> None:
    """Erase a customer's personal data (email, name, shop id); every figure stays the same."""
    if not yes:
        click.confirm(f"Erase the personal data of customer {external_id}?", abort=True)
    try:
        customer = erase_customer(db.session, external_id)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Erased customer {external_id}; it is now {customer.external_id}.")
