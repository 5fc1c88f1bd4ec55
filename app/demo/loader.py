"""Bulk loading of column tables: executemany on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.demo.generator import Columns, DemoShop
from app.models import Base, Customer, Order

CHUNK_ROWS = 50_000
# Staff accounts, tokens and the audit trail survive a demo reset.
KEPT_TABLES = frozenset({"users", "api_tokens", "audit_log"})


class DemoError(RuntimeError):
    """The demo shop cannot be loaded as asked."""


def load_shop(
    session: Session,
    shop: DemoShop,
    *,
    reset: bool = False,
    advance: Callable[[int], None] = lambda rows: None,
) -> dict[str, int]:
    """Insert every table of the shop in one transaction; the caller commits."""
    connection = session.connection()
    if reset:
        wipe_shop_data(connection)
    elif connection.scalar(sa.select(sa.func.count()).select_from(Order)) or connection.scalar(
        sa.select(sa.func.count()).select_from(Customer)
    ):
        raise DemoError("the database already holds shop data; pass --reset to replace it")
    tables = [Base.metadata.tables[name] for name in shop.tables]
    counts = {}
    with _indexes_built_after(connection, tables):
        for table in tables:
            counts[table.name] = insert_columns(connection, table, shop.tables[table.name], advance)
    if connection.dialect.name == "postgresql":
        _advance_sequences(connection, shop.tables)
    return counts


@contextmanager
def _indexes_built_after(connection: sa.Connection, tables: list[sa.Table]) -> Iterator[None]:
    """Drop secondary indexes while loading and build each once at the end: far fewer writes."""
    indexes = [index for table in tables for index in table.indexes if not index.unique]
    if connection.dialect.name == "sqlite":
        # A bigger page cache keeps the unique indexes in memory while rows stream in.
        connection.exec_driver_sql("PRAGMA cache_size=-262144")
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)


def wipe_shop_data(connection: sa.Connection) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in KEPT_TABLES:
            connection.execute(table.delete())


def insert_columns(
    connection: sa.Connection, table: sa.Table, columns: Columns, advance: Callable[[int], None]
) -> int:
    names = [name for name in columns if not name.startswith("_") and name in table.c]
    total = len(columns[names[0]])
    for start in range(0, total, CHUNK_ROWS):
        chunk = [
            _python_values(columns[name][start : start + CHUNK_ROWS], connection.dialect.name)
            for name in names
        ]
        rows = list(zip(*chunk, strict=True))
        if connection.dialect.name == "postgresql":
            _copy_rows(connection, table.name, names, rows)
        else:
            placeholders = ", ".join("?" for _ in names)
            connection.connection.driver_connection.executemany(
                f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({placeholders})", rows
            )
        advance(len(rows))
    return total


def _python_values(values: np.ndarray, dialect: str) -> list:
    """Plain Python values in the text form SQLAlchemy itself writes for each type."""
    if values.dtype.kind == "O":
        return [item.item() if isinstance(item, np.generic) else item for item in values]
    if values.dtype.kind != "M":
        return values.tolist()
    missing = np.isnat(values)
    if np.datetime_data(values.dtype)[0] == "D":
        text = np.datetime_as_string(values, unit="D")
    else:
        text = np.datetime_as_string(values, unit="us")
        suffix = "+00" if dialect == "postgresql" else ""
        text = np.char.add(np.char.replace(text, "T", " "), suffix)
    return [
        None if gap else item for gap, item in zip(missing.tolist(), text.tolist(), strict=True)
    ]


def _copy_rows(connection: sa.Connection, table: str, names: list[str], rows: list[tuple]) -> None:
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _advance_sequences(connection: sa.Connection, tables: dict[str, Columns]) -> None:
    for table_name in tables:
        connection.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table_name}), 1), "
                f"(SELECT MAX(id) FROM {table_name}) IS NOT NULL)"
            )
        )
