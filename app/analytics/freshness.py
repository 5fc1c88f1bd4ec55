"""How fresh the figures are: every change committed before this instant is in them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import StaleKey
from app.timeutil import utc_now


def figures_as_of(session: Session) -> datetime:
    """The creation time of the oldest change the refresher has not taken in yet, or now.

    A change's key is written before its transaction commits, so every change committed
    before this instant has been recomputed (the refresher deletes a key in the same
    transaction as the figures it recomputed for it).
    """
    oldest = session.scalar(sa.select(sa.func.min(StaleKey.created_at)))
    return oldest if oldest is not None else utc_now()
