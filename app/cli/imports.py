"""`flask import`: orders from CSV files."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError

from app import audit, shop
from app.database import analyze_after_bulk_load, begin_write, is_lock_timeout, is_retryable
from app.extensions import db
from app.pipeline.importer import ImportFileError, import_orders, read_text

IMPORT_ATTEMPTS = 3
import_cli = AppGroup("import", help="Load data from files.")


# From this many new orders on, an import refreshes the planner statistics (PostgreSQL).
BULK_IMPORT_ROWS = 10_000


@import_cli.command("orders")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Load the valid rows and report the rest (default: a bad row stops the whole file).",
)
def import_orders_command(path: Path, skip_invalid: bool) -> None:
    """Import orders from a CSV file; see `app/pipeline/importer.py` or the README for the
    columns.

    Re-importing the same file changes nothing. Rejected rows are listed with their line
    numbers; without --skip-invalid nothing at all is written when any row is rejected.
    """
    zone, currency = shop.zone(), shop.currency()
    try:
        text = read_text(path)
    except ImportFileError as error:
        raise click.ClickException(f"{path}: {error}") from None
    rows = max(text.count("\n") - 1, 0)
    started = time.perf_counter()
    for attempt in range(IMPORT_ATTEMPTS):
        # The whole file is one transaction: all of it, or nothing.
        begin_write(db.session)
        try:
            with click.progressbar(
                length=rows, label=f"Importing {path.name}", file=sys.stderr
            ) as bar:
                stream = io.StringIO(text, newline="")
                result = import_orders(db.session, stream, zone, currency, skip_invalid, bar.update)
            break
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
    for rejected in result.rejected:
        click.echo(
            f"line {rejected.line}: {rejected.order_id or '(no order_id)'}: {rejected.message}",
            err=True,
        )
    if result.rejected and not skip_invalid:
        db.session.rollback()
        raise click.ClickException(
            f"{len(result.rejected)} row(s) rejected; nothing was imported "
            "(fix them, or use --skip-invalid to import the rest)"
        )
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
