"""Order lines from a CSV file: the API's rules for lines, one transaction for the file.

Columns (a header row names them, in any order; other columns are ignored):

    order_id, product_id, quantity, unit_price         required
    discount, unit_cost, product_name, category        optional

One row per line; an order's lines are its rows in file order. The orders must have been
imported already (`flask import orders`) and have no lines yet; the lines' quantity ×
unit_price must add up to the order's subtotal. Amounts are in major units ("12.50"). The
same file again changes nothing; different lines for an order that has some are refused.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from app.formatting import minor_unit_exponent
from app.models import Order
from app.pipeline.errors import IngestConflict, LinesRefused
from app.pipeline.importer import SURPLUS, ImportFileError, Rejected, amount_in_minor_units
from app.pipeline.lines import attach_lines, order_totals
from app.pipeline.records import LineIn

REQUIRED = ("order_id", "product_id", "quantity", "unit_price")
LINE_SCHEMA = LineIn()
ORDERS = Order.__table__


@dataclass
class LinesImportResult:
    orders: int = 0
    lines: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def _header(reader: csv.DictReader) -> list[str]:
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise ImportFileError("the file is empty: expected a header row")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(
            f"missing required column(s): {', '.join(missing)} (found: {', '.join(header)})"
        )
    return header


def _line(record: dict[str, str], exponent: int) -> dict:
    """One CSV row as the API's line (validated by LineIn)."""
    messages: dict[str, list[str]] = {}
    payload: dict[str, object] = {"product_id": (record.get("product_id") or "").strip()}
    quantity = (record.get("quantity") or "").strip()
    payload["quantity"] = int(quantity) if quantity.isdigit() else quantity
    for name in ("unit_price", "discount", "unit_cost"):
        raw = (record.get(name) or "").strip()
        if not raw and name != "unit_price":
            continue
        try:
            payload[name] = amount_in_minor_units(raw, exponent, name)
        except ValidationError as error:
            messages.update(error.normalized_messages())
    for column, name in (("product_name", "name"), ("category", "category")):
        if (record.get(column) or "").strip():
            payload[name] = record[column].strip()
    try:
        line = LINE_SCHEMA.load(payload) if not messages else None
    except ValidationError as error:
        messages.update(error.normalized_messages())
    if messages:
        raise ValidationError(messages)
    return line


def read_lines(
    stream: IO[str], currency: str
) -> tuple[dict[str, list[dict]], dict[str, int], list[Rejected]]:
    """The lines by order id (file order), each order's first line number, and the rejects."""
    reader = csv.DictReader(stream, restkey=SURPLUS)
    reader.fieldnames = _header(reader)
    exponent = minor_unit_exponent(currency)
    lines: dict[str, list[dict]] = defaultdict(list)
    first_line: dict[str, int] = {}
    rejected: list[Rejected] = []
    for record in reader:
        order_id = (record.get("order_id") or "").strip()
        if SURPLUS in record:
            rejected.append(Rejected(reader.line_num, order_id, "more values than columns"))
            continue
        try:
            lines[order_id].append(_line(record, exponent))
        except ValidationError as error:
            text = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in error.messages.items())
            rejected.append(Rejected(reader.line_num, order_id, text))
        first_line.setdefault(order_id, reader.line_num)
    return lines, first_line, rejected


def import_lines(
    session: Session, stream: IO[str], currency: str, skip_invalid: bool = False
) -> LinesImportResult:
    """Validate and attach the whole file's lines in the caller's transaction; with any
    rejected row (and no skip_invalid) the caller must roll back."""
    lines, first_line, rejected = read_lines(stream, currency)
    result = LinesImportResult(rejected=rejected)
    bad = {reject.order_id for reject in rejected}
    if rejected and not skip_invalid:
        return result
    wanted = {order_id: found for order_id, found in lines.items() if order_id not in bad}
    orders = order_totals(session, wanted)
    for order_id in sorted(set(wanted) - set(orders)):
        result.rejected.append(
            Rejected(first_line[order_id], order_id, "no such order; import the order first")
        )
        del wanted[order_id]
    while wanted:
        savepoint = session.begin_nested()
        try:
            attached, unchanged = attach_lines(
                session, [orders[order_id] for order_id in wanted], wanted
            )
        except (LinesRefused, IngestConflict) as error:
            savepoint.rollback()
            problems = error.errors if isinstance(error, LinesRefused) else error.conflicts
            result.rejected.extend(
                Rejected(first_line[order_id], order_id, message)
                for order_id, message in problems.items()
            )
            if not skip_invalid:
                break
            wanted = {k: v for k, v in wanted.items() if k not in problems}
            continue
        savepoint.commit()
        result.orders, result.unchanged = len(attached), len(unchanged)
        result.lines = sum(len(wanted[order_id]) for order_id in attached)
        break
    result.rejected.sort(key=lambda reject: reject.line)
    return result
