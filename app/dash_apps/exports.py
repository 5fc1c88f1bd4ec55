"""CSV and Excel downloads of a page's tables; every download is written to the audit log."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

import xlsxwriter
from dash import ctx, dcc
from dash.exceptions import MissingCallbackContextException
from flask import request

from app import audit
from app.analytics.periods import DateRange
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


# Columns named like `net_revenue_USD` hold money in major units; these hold ratios.
MONEY_COLUMN = re.compile(r"_[A-Z]{3}$")
RATIO_WORDS = ("share", "rate", "margin", "conversion", "retention", "roi", "roas")


def column_kind(name: str) -> str:
    if MONEY_COLUMN.search(name):
        return "money"
    if any(word in name.lower() for word in RATIO_WORDS):
        return "ratio"
    return "text"


def _number(value: object) -> float | None:
    """A money or ratio cell as a number Excel can add up (None: leave the cell empty)."""
    if value in (None, ""):
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return None


def xlsx_bytes(columns: Sequence[str], rows: Sequence[Sequence], title: str | None = None) -> bytes:
    """The table as a workbook: a title row saying what it covers (when given), the column
    names, then the rows; money and ratios as numbers with formats, every text cell as text."""
    buffer = io.BytesIO()
    # Every text cell is written as text: never a formula, never a link.
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(buffer, options)
    sheet = workbook.add_worksheet("data")
    formats = {
        "money": workbook.add_format({"num_format": "#,##0.00"}),
        "ratio": workbook.add_format({"num_format": "0.0%"}),
    }
    kinds = [column_kind(name) for name in columns]
    first = 0
    if title:
        sheet.write_string(0, 0, title, workbook.add_format({"italic": True}))
        first = 1
    sheet.write_row(first, 0, columns, workbook.add_format({"bold": True}))
    for index, row in enumerate(rows, start=first + 1):
        for column, (value, kind) in enumerate(zip(row, kinds, strict=False)):
            number = _number(value) if kind != "text" else None
            if number is not None:
                sheet.write_number(index, column, number, formats[kind])
            elif kind != "text" and value in (None, ""):
                sheet.write_blank(index, column, None)
            else:
                sheet.write(index, column, value)
    for column, name in enumerate(columns):
        sheet.set_column(column, column, max(12, min(40, len(name) + 2)))
    sheet.freeze_panes(first + 1, 0)
    workbook.close()
    return buffer.getvalue()


def cover(covers: DateRange | date | None, currency: str | None) -> tuple[str, str | None]:
    """What a table covers, for its file name and in words:
    (`revenue…_2026-03-01_to_2026-03-31_USD` part, "2026-03-01 to 2026-03-31, amounts in USD")."""
    if isinstance(covers, DateRange):
        parts = [(f"{covers.start}_to_{covers.end}", f"{covers.start} to {covers.end}")]
    elif isinstance(covers, date):
        parts = [(f"as-of_{covers}", f"as of {covers}")]
    else:
        parts = []
    if currency:
        parts.append((currency, f"amounts in {currency}"))
    stem = "_".join(part for part, _ in parts)
    return stem, ", ".join(words for _, words in parts) or None


def download(
    name: str,
    fmt: str,
    columns: Sequence[str],
    rows: Sequence[Sequence],
    *,
    covers: DateRange | date | None = None,
    currency: str | None = None,
) -> dict:
    """A dcc.Download payload of the table, after recording who took it.

    The file name says what range (or day) the table covers and in which currency; the Excel
    file repeats it in a title row above the column names.
    """
    audit_export(name, fmt, len(rows))
    suffix, title = cover(covers, currency)
    stem = f"{name}_{suffix}" if suffix else name
    if fmt == "xlsx":
        heading = name.replace("-", " ").capitalize() + (f": {title}" if title else "")
        return dcc.send_bytes(xlsx_bytes(columns, rows, heading), f"{stem}.xlsx")
    return dcc.send_string(csv_text(columns, rows), f"{stem}.csv")


def requested_format(xlsx_button_id: str) -> str:
    """Which download button was pressed; CSV when called outside a callback (tests, scripts)."""
    try:
        return "xlsx" if ctx.triggered_id == xlsx_button_id else "csv"
    except MissingCallbackContextException:
        return "csv"
