"""API tokens at the gate: looked up by their SHA-256 on each call, refused once revoked or
once their owner is deactivated."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import ApiToken
from app.timeutil import utc_now

# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def find_active_token(session: Session, secret: str) -> ApiToken | None:
    """The unrevoked token with this secret, whose owner (if any) is active, its last use
    recorded; None for anything else."""
    if not secret.startswith(ApiToken.PREFIX):
        return None
    token = session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == ApiToken.digest(secret))
    )
    if token is None or token.revoked_at is not None:
        return None
    if token.owner is not None and not token.owner.active:
        return None  # whoever answers for it has left: so has the token
    now = utc_now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.commit()
    return token
