"""What the scheduler does every second, on demand: tests read figures after refreshing."""

from __future__ import annotations

from datetime import date

from flask import current_app

from app.analytics.periods import DateRange
from app.extensions import db
from app.pipeline.jobs import recompute
from app.pipeline.refresher import RefreshSettings, drain


def settings() -> RefreshSettings:
    return RefreshSettings.from_config(current_app.config)


def refresh(today: date | None = None) -> int:
    """Commit the test's own writes, then take in every pending key; returns how many."""
    db.session.commit()
    taken = drain(db.engine, settings(), today)
    db.session.expire_all()
    return taken


def backfill(days: DateRange, today: date) -> int:
    """`flask analytics backfill` for the range, as of `today`."""
    db.session.commit()
    taken = recompute(db.session, days, today, settings())
    db.session.expire_all()
    return taken
