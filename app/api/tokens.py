"""API tokens: created once and shown once, stored only as a SHA-256, checked on each call."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, request
from flask_login import current_user
from sqlalchemy.orm import Session

from app.models import ApiToken
from app.timeutil import utc_now

# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def find_active_token(session: Session, secret: str) -> ApiToken | None:
    """The unrevoked token with this secret, its last use recorded; None for anything else."""
    if not secret.startswith(ApiToken.PREFIX):
        return None
    token = session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == ApiToken.digest(secret))
    )
    if token is None or token.revoked_at is not None:
        return None
    now = utc_now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.commit()
    return token


def api_caller() -> str:
    """Rate-limit key: the token, else the signed-in user, else the address."""
    token = getattr(g, "api_token", None)
    if token is not None:
        return f"token:{token.id}"
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{request.remote_addr}"


def api_rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]
