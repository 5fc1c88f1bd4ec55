"""Portable SQL pieces: the few expressions SQLite and PostgreSQL spell differently, and upserts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from app.models.enums import COUNTED_STATUSES


class epoch_seconds(FunctionElement):
    """Seconds since 1970 of a timestamp column."""

    type = sa.Float()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    return f"(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element, compiler, **kw):
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"


class epoch_micros(FunctionElement):
    """Whole microseconds since 1970 of a timestamp column, exactly (no float arithmetic)."""

    type = sa.BigInteger()
    inherit_cache = True


@compiles(epoch_micros, "sqlite")
def _micros_sqlite(element, compiler, **kw):
    # Stored as 'YYYY-MM-DD HH:MM:SS[.ffffff]': whole seconds, then the digits after the
    # point padded to six (julianday's double carries only ~40 µs at today's dates).
    column = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000"
        f" + CAST(substr(substr({column}, 21) || '000000', 1, 6) AS INTEGER))"
    )


@compiles(epoch_micros, "postgresql")
def _micros_postgresql(element, compiler, **kw):
    # EXTRACT gives an exact numeric (PostgreSQL 14 and later).
    column = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"


class day_number(FunctionElement):
    """Whole days since 1970 of a DATE column, so dates subtract as integers."""

    type = sa.Integer()
    inherit_cache = True


@compiles(day_number, "sqlite")
def _day_sqlite(element, compiler, **kw):
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(day_number, "postgresql")
def _day_postgresql(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


class month_number(FunctionElement):
    """year × 12 + month − 1 of a DATE column: months subtract as integers."""

    type = sa.Integer()
    inherit_cache = True


@compiles(month_number, "sqlite")
def _month_sqlite(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(strftime('%Y', {column}) AS INTEGER) * 12"
        f" + CAST(strftime('%m', {column}) AS INTEGER) - 1)"
    )


@compiles(month_number, "postgresql")
def _month_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return (
        f"(CAST(EXTRACT(YEAR FROM {column}) AS INTEGER) * 12"
        f" + CAST(EXTRACT(MONTH FROM {column}) AS INTEGER) - 1)"
    )


class unindexed(FunctionElement):
    """A column SQLite must not search an index by (`+column`, its documented way).

    Planning without statistics, SQLite takes any indexed range as selective: `orders_count
    > 0`, true of nearly every row, drove the customer lists, then sorted every buyer
    (100–150 ms) where a walk down the sort column's index stops after a page (1–6 ms).
    PostgreSQL plans from statistics; there it is the column itself.
    """

    inherit_cache = True

    def __init__(self, column: ColumnElement):
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _unindexed_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element, compiler, **kw):
    return f"+{compiler.process(element.clauses, **kw)}"


def counted(status: ColumnElement) -> ColumnElement[bool]:
    """Orders that reached completed: they count towards sales."""
    return status.in_(COUNTED_STATUSES)


def dialect_insert(session: Session, table: sa.Table):
    """INSERT with the ON CONFLICT clauses of the session's database."""
    name = session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(table)


def upsert_rows(
    session: Session, table: sa.Table, rows: Sequence[dict[str, Any]], keys: Iterable[str]
) -> int:
    """Insert rows, or overwrite every non-key column of rows whose keys already exist."""
    if not rows:
        return 0
    keys = list(keys)
    statement = dialect_insert(session, table)
    updates = {name: statement.excluded[name] for name in rows[0] if name not in keys}
    session.execute(statement.on_conflict_do_update(index_elements=keys, set_=updates), rows)
    return len(rows)


def upsert_select(
    session: Session,
    table: sa.Table,
    columns: Sequence[str],
    select: sa.Select,
    keys: Iterable[str],
    *,
    changed_only: bool = False,
) -> None:
    """INSERT … SELECT with overwrite on key conflict, run entirely in the database.

    `changed_only`: an existing row is written only when a figure differs (`updated_at` is
    not compared), so an unchanged row costs a read, not a write.
    """
    keys = list(keys)
    statement = dialect_insert(session, table).from_select(list(columns), select)
    updates = {name: statement.excluded[name] for name in columns if name not in keys}
    where = None
    if changed_only:
        compared = [name for name in updates if name != "updated_at"]
        where = sa.or_(
            *(table.c[name].is_distinct_from(statement.excluded[name]) for name in compared)
        )
    session.execute(statement.on_conflict_do_update(index_elements=keys, set_=updates, where=where))


def raw_rows(session: Session, query) -> list[tuple]:
    """Plain tuples from the driver: a hundred thousand SQLAlchemy Rows cost more than the
    query. For statements whose only parameters are our own dates, numbers and status names:
    it is compiled with literal values for the raw cursor."""
    with _raw_cursor(session, query) as cursor:
        return cursor.fetchall()


def stream_raw_rows(session: Session, query, batch: int) -> Iterator[list[tuple]]:
    """`raw_rows` a batch at a time, so memory stays flat however many rows come back (a
    server-side cursor on PostgreSQL, whose ordinary cursor holds the whole result)."""
    with _raw_cursor(session, query, batch) as cursor:
        while rows := cursor.fetchmany(batch):
            yield rows


@contextmanager
def _raw_cursor(session: Session, query, server_side_batch: int | None = None):
    """The driver's cursor with the query, compiled with literal values, executed on it."""
    connection = session.connection()
    sql = str(query.compile(connection, compile_kwargs={"literal_binds": True}))
    driver = connection.connection
    if server_side_batch and connection.dialect.name == "postgresql":
        cursor = driver.cursor(name="stream_raw_rows")
        cursor.itersize = server_side_batch
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(sql)
        yield cursor
    finally:
        cursor.close()


def append_rows(
    session: Session, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple]
) -> int:
    """Bulk-load rows (tuples in the order of `columns`) in the session's transaction."""
    if rows:
        _load(session.connection(), table.name, columns, rows)
    return len(rows)


# Rows are sent to the temporary table this many at a time.
UPDATE_CHUNK = 20_000


def update_rows(
    session: Session, table: sa.Table, key: str, columns: Sequence[str], rows: Sequence[tuple]
) -> int:
    """Set `columns` of the rows of `table` whose `key` is each row's first value: the rows go
    into a temporary table, then one UPDATE … FROM it (far cheaper than an UPDATE per row)."""
    if not rows:
        return 0
    values = sa.Table(
        f"new_{table.name}",
        sa.MetaData(),
        sa.Column(key, table.c[key].type, primary_key=True),
        *(sa.Column(name, table.c[name].type) for name in columns),
        prefixes=["TEMPORARY"],
    )
    connection = session.connection()
    values.drop(connection, checkfirst=True)
    values.create(connection)
    _load(connection, values.name, [key, *columns], rows)
    if connection.dialect.name == "postgresql":
        # The planner then knows the table's size (a hash join, not a guess).
        connection.exec_driver_sql(f"ANALYZE {values.name}")
    connection.execute(
        table.update()
        .where(table.c[key] == values.c[key])
        .values({name: values.c[name] for name in columns})
    )
    values.drop(connection)
    return len(rows)


def replace_rows(
    session: Session, table: sa.Table, columns: Sequence[str], rows: Sequence[tuple]
) -> int:
    """Make `rows` the whole content of `table`, in the session's transaction: a DELETE and
    a bulk load. Readers keep seeing the old rows until the transaction commits."""
    session.execute(table.delete())
    _load(session.connection(), table.name, columns, rows)
    return len(rows)


def put_rows(
    session: Session, table: sa.Table, key: str, columns: Sequence[str], rows: Sequence[tuple]
) -> int:
    """Insert rows (the key first), or replace the rows with their keys, by a DELETE of
    those keys and a bulk load: cheaper than an upsert with a parameter set per row."""
    delete_keys(session, table, key, [row[0] for row in rows])
    _load(session.connection(), table.name, [key, *columns], rows)
    return len(rows)


def delete_keys(session: Session, table: sa.Table, key: str, keys: Sequence) -> None:
    for start in range(0, len(keys), DELETE_CHUNK):
        session.execute(table.delete().where(table.c[key].in_(keys[start : start + DELETE_CHUNK])))


# Bound parameters per statement stay well inside every driver's limit.
DELETE_CHUNK = 5_000


def _load(connection: sa.Connection, table_name: str, columns: Sequence[str], rows) -> None:
    """Append rows (tuples in the order of `columns`) to a table the fastest way each
    database offers."""
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        # COPY: a fraction of an executemany's 1.6 s for 84,000 rows.
        cursor = connection.connection.cursor()
        with cursor, cursor.copy(f"COPY {table_name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    # Straight to the driver's executemany: building a parameter dict per row through the
    # ORM layer cost six times the insert itself (0.5 s for 95,000 rows).
    insert = f"INSERT INTO {table_name} ({names}) VALUES ({', '.join('?' * len(columns))})"
    for start in range(0, len(rows), UPDATE_CHUNK):
        connection.exec_driver_sql(insert, list(rows[start : start + UPDATE_CHUNK]))
