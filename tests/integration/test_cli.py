"""`flask users` and `flask demo` as an operator runs them."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from app.analytics.overview import shop_totals
from app.extensions import db
from app.models import ConversionEvent, Customer, Order, Refund, User


def test_users_create_makes_a_login_with_the_given_role(runner, auth):
    result = runner.invoke(
        args=["users", "create", "Boss@Shop.test", "--role", "admin", "--password", "long enough"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "boss@shop.test"))
    assert user.role == "admin" and user.check_password("long enough")
    assert auth.login("boss@shop.test", "long enough").status_code == 302


def test_users_create_prompts_for_the_password(runner):
    result = runner.invoke(
        args=["users", "create", "v@shop.test"], input="prompted pw\nprompted pw\n"
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User.role).where(User.email == "v@shop.test")) == "viewer"


def test_users_create_refuses_duplicates_and_short_passwords(runner, viewer):
    duplicate = runner.invoke(args=["users", "create", viewer.email, "--password", "long enough"])
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    short = runner.invoke(args=["users", "create", "x@shop.test", "--password", "short"])
    assert short.exit_code != 0 and "at least 10" in short.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_demo_seed_loads_a_shop_whose_figures_reconcile(runner):
    result = runner.invoke(
        args=[
            "demo",
            "seed",
            "--orders",
            "2000",
            "--days",
            "60",
            "--seed",
            "3",
            "--end-date",
            "2026-03-31",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 2000
    counted = db.session.scalars(
        sa.select(Order.subtotal - Order.discount).where(
            Order.status.in_(["completed", "refunded"])
        )
    ).all()
    refunds = db.session.scalars(sa.select(Refund.amount)).all()
    totals = shop_totals(db.session)
    assert totals.orders == len(counted)
    assert totals.net_revenue == sum(counted) - sum(refunds)
    assert totals.customers == 200
    never_completed = db.session.scalar(
        sa.select(sa.func.count()).where(Order.status.in_(["pending", "cancelled"]))
    )
    no_completion_time = db.session.scalar(
        sa.select(sa.func.count()).where(Order.completed_at.is_(None))
    )
    assert no_completion_time == never_completed > 0
    purchases = db.session.scalar(
        sa.select(sa.func.count()).where(ConversionEvent.event_type == "purchase")
    )
    assert purchases > 0


def test_demo_seed_refuses_a_shop_that_has_data_and_writes_nothing(runner):
    args = ["demo", "seed", "--orders", "300", "--days", "30", "--end-date", "2026-03-31"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=[*args, "--seed", "9"])
    assert again.exit_code != 0
    assert "--reset" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 300
    replaced = runner.invoke(args=[*args, "--orders", "400", "--reset"])
    assert replaced.exit_code == 0, replaced.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 40


def test_demo_init_seeds_once_and_prints_a_working_admin_login(runner, auth, app):
    first = runner.invoke(args=["demo", "init", "--orders", "300"])
    assert first.exit_code == 0, first.output
    password = re.search(r"with password (\S+)", first.output).group(1)
    again = runner.invoke(args=["demo", "init", "--orders", "300"])
    assert again.exit_code == 0, again.output
    assert f"with password {password}" in again.output
    assert "Seeded" in first.output and "Seeded" not in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 300
    assert auth.login("admin@example.com", password).status_code == 302
    (Path(app.instance_path) / "demo-admin-password").unlink()
