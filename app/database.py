"""Engine-level settings that every connection needs."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from sqlalchemy import event


def _configure_sqlite(dbapi_connection: object, _record: object) -> None:
    # SQLite enforces foreign keys only when asked; WAL lets readers run beside the writer.
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def configure_engine_events() -> None:
    if not event.contains(sa.engine.Engine, "connect", _configure_sqlite):
        event.listen(sa.engine.Engine, "connect", _configure_sqlite)


def render_migration_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our UTCDateTime into migrations as the plain type it is stored as."""
    from app.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
