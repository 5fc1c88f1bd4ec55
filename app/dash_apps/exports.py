"""CSV and Excel downloads of a page's tables; every download is written to the audit log."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import xlsxwriter
from dash import ctx, dcc
from dash.exceptions import MissingCallbackContextException
from flask import request

from app import audit
from app.extensions import db


def audit_export(name: str, fmt: str, rows: int) -> None:
    audit.record("export", name, {"format": fmt, "rows": rows, "query": request.referrer})
    db.session.commit()


# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers
    (negative ones too) stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(columns: Sequence[str], rows: Sequence[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(name) for name in columns])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def xlsx_bytes(columns: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    buffer = io.BytesIO()
    # Every text cell is written as text: never a formula, never a link.
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(buffer, options)
    sheet = workbook.add_worksheet("data")
    sheet.write_row(0, 0, columns, workbook.add_format({"bold": True}))
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, row)
    workbook.close()
    return buffer.getvalue()


def download(name: str, fmt: str, columns: Sequence[str], rows: Sequence[Sequence]) -> dict:
    """A dcc.Download payload of the table, after recording who took it."""
    audit_export(name, fmt, len(rows))
    if fmt == "xlsx":
        return dcc.send_bytes(xlsx_bytes(columns, rows), f"{name}.xlsx")
    return dcc.send_string(csv_text(columns, rows), f"{name}.csv")


def requested_format(xlsx_button_id: str) -> str:
    """Which download button was pressed; CSV when called outside a callback (tests, scripts)."""
    try:
        return "xlsx" if ctx.triggered_id == xlsx_button_id else "csv"
    except MissingCallbackContextException:
        return "csv"
