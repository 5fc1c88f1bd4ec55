"""API tokens at the gate: looked up by their SHA-256 on each call, refused once revoked or
once their owner is deactivated."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.database import LOCK_WAIT, WRITER, is_lock_timeout
from app.models import ApiToken
from app.timeutil import utc_now

# Writing last_used_at on every call would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)
RECORD_USE_WAIT_MS = 200
log = logging.getLogger(__name__)


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
        _record_use(session, token.id, now)
    return token


def _record_use(session: Session, token_id: int, now) -> None:
    """Best effort, on a connection of its own with a short lock wait: a read must never wait
    (or fail) because a large import or a backfill holds the write lock."""
    try:
        with session.get_bind().connect() as connection:
            writer = connection.execution_options(**{WRITER: True, LOCK_WAIT: RECORD_USE_WAIT_MS})
            with writer.begin():
                writer.execute(
                    sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
                )
    except sa.exc.OperationalError as error:
        if not is_lock_timeout(error):
            raise
        log.debug("token %s: last use not recorded, the database is busy", token_id)
