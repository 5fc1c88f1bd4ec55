"""`flask users`: staff logins."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.auth.passwords import password_problems
from app.extensions import db
from app.models import User
from app.models.enums import ROLES

users_cli = AppGroup("users", help="Manage staff logins.")


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
