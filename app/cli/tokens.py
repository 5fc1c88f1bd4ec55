"""`flask tokens`: API tokens for external tools."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app import audit
from app.extensions import db
from app.models import ApiToken, User
from app.models.enums import TOKEN_SCOPES
from app.timeutil import utc_now

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
    token, secret = ApiToken.issue(db.session, name, scope, owner_id)
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
