"""`flask import`: orders and their lines from CSV files."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError

from app import audit, shop
from app.database import analyze_after_bulk_load, begin_write, is_lock_timeout, is_retryable
from app.extensions import db
from app.pipeline.importer import ImportFileError, import_orders, read_text
from app.pipeline.line_import import import_lines

IMPORT_ATTEMPTS = 3
import_cli = AppGroup("import", help="Load data from files.")


# From this many new orders on, an import refreshes the planner statistics (PostgreSQL).
BULK_IMPORT_ROWS = 10_000
SKIP_INVALID = click.option(
    "--skip-invalid",
    is_flag=True,
    help="Load the valid rows and report the rest (default: a bad row stops the whole file).",
)
CSV_FILE = click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))


def _run_import(path: Path, load: Callable[[io.StringIO, Callable[[int], None]], object]):
    """The whole file as one transaction (all of it, or nothing), retried when another writer
    collided with it; returns the loader's result with the transaction still open."""
    try:
        text = read_text(path)
    except ImportFileError as error:
        raise click.ClickException(f"{path}: {error}") from None
    rows = max(text.count("\n") - 1, 0)
    for attempt in range(IMPORT_ATTEMPTS):
        begin_write(db.session)
        try:
            with click.progressbar(
                length=rows, label=f"Importing {path.name}", file=sys.stderr
            ) as bar:
                return load(io.StringIO(text, newline=""), bar.update)
        except ImportFileError as error:
            db.session.rollback()
            raise click.ClickException(f"{path}: {error}") from None
        except OperationalError as error:
            db.session.rollback()
            if is_lock_timeout(error):
                raise click.ClickException(
                    f"{path}: the database stayed busy; nothing was imported, try again"
                ) from None
            if not is_retryable(error) or attempt == IMPORT_ATTEMPTS - 1:
                raise
            reason = error.orig.__class__.__name__
            click.echo(f"another writer collided with the import ({reason}); again", err=True)
    raise AssertionError("unreachable")


def _refuse_rejected(result, skip_invalid: bool, subject: str) -> None:
    for rejected in result.rejected:
        click.echo(
            f"line {rejected.line}: {rejected.order_id or '(no order_id)'}: {rejected.message}",
            err=True,
        )
    if result.rejected and not skip_invalid:
        db.session.rollback()
        raise click.ClickException(
            f"{len(result.rejected)} {subject} rejected; nothing was imported "
            "(fix them, or use --skip-invalid to import the rest)"
        )


@import_cli.command("orders")
@CSV_FILE
@SKIP_INVALID
def import_orders_command(path: Path, skip_invalid: bool) -> None:
    """Import orders from a CSV file; see `app/pipeline/importer.py` or the README for the
    columns.

    Re-importing the same file changes nothing. Rejected rows are listed with their line
    numbers; without --skip-invalid nothing at all is written when any row is rejected.
    """
    zone, currency = shop.zone(), shop.currency()
    started = time.perf_counter()
    result = _run_import(
        path,
        lambda stream, progress: import_orders(
            db.session, stream, zone, currency, skip_invalid, progress
        ),
    )
    _refuse_rejected(result, skip_invalid, "row(s)")
    audit.record(
        "import.orders",
        path.name,
        {
            "created": result.created,
            "unchanged": result.unchanged,
            "rejected": len(result.rejected),
        },
    )
    if result.created >= BULK_IMPORT_ROWS:
        analyze_after_bulk_load(db.session)
    db.session.commit()
    click.echo(
        f"{result.created} orders created, {result.unchanged} already there, "
        f"{result.refunds} refunds, {len(result.rejected)} rejected "
        f"in {time.perf_counter() - started:.1f} s"
    )


@import_cli.command("lines")
@CSV_FILE
@SKIP_INVALID
def import_lines_command(path: Path, skip_invalid: bool) -> None:
    """Import order lines from a CSV file (one row per line, orders imported already); see
    `app/pipeline/line_import.py` or the README for the columns.

    Each order's lines must add up to its subtotal. Re-importing the same file changes
    nothing; without --skip-invalid nothing is written when any order's lines are rejected.
    """
    currency = shop.currency()
    started = time.perf_counter()
    result = _run_import(
        path, lambda stream, _progress: import_lines(db.session, stream, currency, skip_invalid)
    )
    _refuse_rejected(result, skip_invalid, "order(s) or row(s)")
    audit.record(
        "import.lines",
        path.name,
        {"orders": result.orders, "lines": result.lines, "rejected": len(result.rejected)},
    )
    if result.lines >= BULK_IMPORT_ROWS:
        analyze_after_bulk_load(db.session)
    db.session.commit()
    click.echo(
        f"{result.lines} lines for {result.orders} orders, {result.unchanged} orders already "
        f"had them, {len(result.rejected)} rejected in {time.perf_counter() - started:.1f} s"
    )
