"""Who receives which e-mail: the settings page's one write."""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import EmailSubscription
from app.models.enums import SUBSCRIPTION_KINDS


def subscriptions_of(session: Session, user_id: int) -> list[str]:
    kinds = set(
        session.scalars(
            sa.select(EmailSubscription.kind).where(EmailSubscription.user_id == user_id)
        )
    )
    return [kind for kind in SUBSCRIPTION_KINDS if kind in kinds]


def set_subscriptions(session: Session, user_id: int, kinds: Collection[str]) -> None:
    """Exactly these kinds from now on (unknown ones refused); the caller commits."""
    unknown = set(kinds) - set(SUBSCRIPTION_KINDS)
    if unknown:
        raise ValueError(f"unknown e-mail kinds: {', '.join(sorted(unknown))}")
    session.execute(
        sa.delete(EmailSubscription).where(
            EmailSubscription.user_id == user_id, EmailSubscription.kind.not_in(list(kinds))
        )
    )
    have = set(subscriptions_of(session, user_id))
    session.add_all(EmailSubscription(user_id=user_id, kind=k) for k in kinds if k not in have)
