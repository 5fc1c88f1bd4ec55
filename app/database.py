"""Engine-level settings that every connection needs, and how a writer starts its transaction."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

# Execution option naming a transaction that will write shared rows (see begin_write).
WRITER = "storefront_writer"
# Execution option: how long a writer waits for a lock (SQLite's write lock, a PostgreSQL row
# lock) before giving up with an OperationalError, in milliseconds.
LOCK_WAIT = "storefront_lock_wait_ms"
# How long any other transaction on SQLite waits for the write lock.
SQLITE_BUSY_TIMEOUT_MS = 15_000
# Batch work (imports, backfills, the refresher by hand) waits its turn this long.
BATCH_LOCK_WAIT_MS = 600_000


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


def _begin(connection: sa.Connection) -> None:
    """A writer's transaction begins with BEGIN IMMEDIATE on SQLite; any other as pysqlite
    begins it. A writer's lock waits are bounded by its LOCK_WAIT on both databases.

    On SQLite a writer takes the write lock up front, and gets real SAVEPOINTs: pysqlite's own
    handling (which SQLAlchemy's documented recipe turns off the same way) would let a
    savepoint rollback leave earlier work committed. Other transactions keep pysqlite's: reads
    run outside a transaction and BEGIN comes with the first write, so a read-then-write never
    holds a snapshot another writer can make stale (an immediate "database is locked").
    """
    options = connection.get_execution_options()
    writer, wait_ms = options.get(WRITER, False), options.get(LOCK_WAIT)
    if connection.dialect.name == "postgresql":
        if writer and wait_ms is not None:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait_ms)}")
        return
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.dbapi_connection
    wait = int(wait_ms) if writer and wait_ms is not None else SQLITE_BUSY_TIMEOUT_MS
    driver.execute(f"PRAGMA busy_timeout={wait}")
    if writer:
        driver.isolation_level = None
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        driver.isolation_level = ""


def configure_engine_events() -> None:
    if not event.contains(sa.engine.Engine, "connect", _configure_sqlite):
        event.listen(sa.engine.Engine, "connect", _configure_sqlite)
        event.listen(sa.engine.Engine, "begin", _begin)


def begin_write(session: Session, lock_wait_ms: int = BATCH_LOCK_WAIT_MS) -> None:
    """Start the session's next transaction as a writer (SQLite: BEGIN IMMEDIATE) that waits
    at most `lock_wait_ms` for a lock.

    A transaction already open (a request's token lookup, say) is committed first: what it
    did was only reading, and a write must not start from its older snapshot.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITER: True, LOCK_WAIT: lock_wait_ms})


def is_lock_timeout(error: sa.exc.OperationalError) -> bool:
    """The lock wait ran out (another writer held on longer): waiting again will not help."""
    if getattr(error.orig, "sqlstate", None) == "55P03":
        return True
    return "database is locked" in str(error.orig) or "database is busy" in str(error.orig)


def is_retryable(error: sa.exc.DBAPIError) -> bool:
    """A deadlock victim or a serialization failure: the same work again will go through."""
    return getattr(error.orig, "sqlstate", None) in ("40001", "40P01")


def render_migration_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our UTCDateTime into migrations as the plain type it is stored as."""
    from app.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# The tables a bulk load fills; their planner statistics decide every refresher query's plan.
BULK_LOADED_TABLES = ("customers", "orders", "payments", "refunds", "conversion_events")


def analyze_after_bulk_load(session: Session) -> None:
    """Bring PostgreSQL's planner statistics up to date after a bulk load (demo seed, a large
    import), in the caller's transaction.

    Until autovacuum gets to it (and on a server where it is off), a table just filled looks
    empty to the planner, which then picks sequential scans over millions of rows: measured on
    the bench shop, one refresher query took 557 ms before and 0.3 ms after. SQLite plans
    without statistics well enough here, so it is left alone.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in BULK_LOADED_TABLES:
        session.execute(sa.text(f"ANALYZE {table}"))
