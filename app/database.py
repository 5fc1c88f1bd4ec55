"""Engine-level settings that every connection needs, and how a writer starts its transaction."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

# Execution option naming a transaction that will write shared rows (see begin_write).
WRITER = "storefront_writer"
# How long a SQLite writer waits for the write lock before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 15_000


def _configure_sqlite(dbapi_connection: object, _record: object) -> None:
    # SQLite enforces foreign keys only when asked; WAL lets readers run beside the writer.
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin_sqlite(connection: sa.Connection) -> None:
    """A writer's transaction begins with BEGIN IMMEDIATE; any other as pysqlite begins it.

    A writer takes the write lock up front, and gets real SAVEPOINTs: pysqlite's own handling
    (which SQLAlchemy's documented recipe turns off the same way) would let a savepoint
    rollback leave earlier work committed. Other transactions keep pysqlite's: reads run
    outside a transaction and BEGIN comes with the first write, so a read-then-write never
    holds a snapshot another writer can make stale (an immediate "database is locked").
    """
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = connection.connection.dbapi_connection
    if connection.get_execution_options().get(WRITER, False):
        dbapi_connection.isolation_level = None
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        dbapi_connection.isolation_level = ""


def configure_engine_events() -> None:
    if not event.contains(sa.engine.Engine, "connect", _configure_sqlite):
        event.listen(sa.engine.Engine, "connect", _configure_sqlite)
        event.listen(sa.engine.Engine, "begin", _begin_sqlite)


def begin_write(session: Session) -> None:
    """Start the session's next transaction as a writer (SQLite: BEGIN IMMEDIATE).

    A transaction already open (a request's token lookup, say) is committed first: what it
    did was only reading, and a write must not start from its older snapshot.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITER: True})


def render_migration_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our UTCDateTime into migrations as the plain type it is stored as."""
    from app.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
