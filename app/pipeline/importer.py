"""Orders from a CSV file: the API's validation and idempotency, one transaction for the file.

Columns (a header row names them, in any order; other columns are ignored):

    order_id, customer_id, placed_at, total            required
    status, channel, payment_method, discount,         optional
    refunded, customer_email

Amounts are in the shop currency's major units ("12.50"). `total` is what the customer paid
(merchandise after `discount`). `placed_at` is ISO 8601; without a UTC offset (or a bare
date) it is read in the shop's time zone. `refunded` books one merchandise refund for that
amount on the order's own date.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from app.formatting import minor_unit_exponent
from app.models import Order
from app.pipeline.ingest import IngestConflict, ensure_customers, ingest_orders
from app.pipeline.orders import RecordError, TransitionError, add_refund
from app.pipeline.records import OrderIn

REQUIRED = ("order_id", "customer_id", "placed_at", "total")
OPTIONAL = ("status", "channel", "payment_method", "discount", "refunded", "customer_email")
CHUNK = 1000
SURPLUS = "\x00surplus"  # where csv puts values beyond the header's columns
ORDER_SCHEMA = OrderIn()  # building a schema costs more than loading a row with it


class ImportFileError(Exception):
    """The file as a whole cannot be read (no header, required columns missing)."""


@dataclass
class Rejected:
    line: int
    order_id: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    unchanged: int = 0
    refunds: int = 0
    rejected: list[Rejected] = field(default_factory=list)


@dataclass
class ParsedRow:
    line: int
    order: dict
    refunded: int


# A plain decimal: "12.50". A comma is refused, not guessed: "12,50" is 12.50 in half the world
# and 1,250 in the other.
PLAIN_DECIMAL = re.compile(r"\d{1,13}(\.\d+)?")


def amount_in_minor_units(raw: str, exponent: int, name: str) -> int:
    text = raw.strip()
    if not text:
        return 0
    if text.startswith("-") and PLAIN_DECIMAL.fullmatch(text[1:]):
        raise ValidationError("must not be negative", name)
    if not PLAIN_DECIMAL.fullmatch(text):
        raise ValidationError(
            "not an amount like 1234.50 (a dot for decimals, no thousands separators)", name
        )
    minor = Decimal(text).scaleb(exponent)
    if minor != minor.to_integral_value():
        raise ValidationError(f"at most {exponent} decimal places", name)
    return int(minor)


def _moment(raw: str, zone: ZoneInfo) -> str:
    """ISO text with an offset, reading a naive time or a bare date in the shop's zone."""
    text = raw.strip()
    try:
        moment = (
            datetime.combine(date.fromisoformat(text), time())
            if len(text) == 10
            else datetime.fromisoformat(text)
        )
    except ValueError:
        raise ValidationError("not an ISO 8601 date or time", "placed_at") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).isoformat()


def _parse(record: dict[str, str], zone: ZoneInfo, exponent: int) -> tuple[dict, int]:
    """One CSV record as the API's order payload (validated by OrderIn) and its refund."""
    messages: dict[str, list[str]] = {}
    values: dict[str, object] = {}
    for name, convert in (
        ("total", lambda raw: amount_in_minor_units(raw, exponent, "total")),
        ("discount", lambda raw: amount_in_minor_units(raw, exponent, "discount")),
        ("refunded", lambda raw: amount_in_minor_units(raw, exponent, "refunded")),
        ("placed_at", lambda raw: _moment(raw, zone)),
    ):
        try:
            values[name] = convert(record.get(name) or "")
        except ValidationError as error:
            messages.update(error.normalized_messages())
    if "total" in values and "discount" in values:
        values["subtotal"] = values["total"] + values["discount"]
    payload = {
        "external_id": record.get("order_id", "").strip(),
        "customer_id": record.get("customer_id", "").strip(),
        **{k: v for k, v in values.items() if k != "refunded"},
    }
    for name in ("status", "channel", "payment_method", "customer_email"):
        if (record.get(name) or "").strip():
            payload[name] = record[name].strip()
    try:
        order = ORDER_SCHEMA.load(payload) if not messages else None
    except ValidationError as error:
        messages.update(error.normalized_messages())
    if messages:
        raise ValidationError(messages)
    refunded = int(values["refunded"])
    if refunded > order["subtotal"] - order["discount"]:
        raise ValidationError({"refunded": ["more than the order's merchandise"]})
    if refunded and order["status"] == "pending":
        raise ValidationError({"refunded": ["a pending order cannot be refunded"]})
    return order, refunded


def _describe(messages: dict) -> str:
    names = {"external_id": "order_id", "subtotal": "total"}
    return "; ".join(
        f"{names.get(name, name)}: {' '.join(map(str, text if isinstance(text, list) else [text]))}"
        for name, text in messages.items()
    )


def read_text(path: Path) -> str:
    """The file as UTF-8 text (a byte-order mark is fine); any other encoding is refused with
    the line of the first byte that is not UTF-8, rather than guessed."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            f"line {line}: byte 0x{data[error.start]:02X} is not UTF-8 text; save the file as "
            "UTF-8 (in Excel: CSV UTF-8)"
        ) from None


def read_orders(stream: IO[str], zone: ZoneInfo, currency: str) -> Iterator[ParsedRow | Rejected]:
    """Each data row, parsed or rejected with its line number (the header is line 1)."""
    reader = csv.DictReader(stream, restkey=SURPLUS)
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise ImportFileError("the file is empty: expected a header row")
    twice = sorted({name for name in header if name and header.count(name) > 1})
    if twice:
        raise ImportFileError(f"column(s) named more than once: {', '.join(twice)}")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(
            f"missing required column(s): {', '.join(missing)} (found: {', '.join(header)})"
        )
    reader.fieldnames = header
    exponent = minor_unit_exponent(currency)
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        order_id = (record.get("order_id") or "").strip()
        if SURPLUS in record:
            yield Rejected(
                line,
                order_id,
                f"{len(header) + len(record[SURPLUS])} values for {len(header)} columns"
                " (a comma inside an unquoted value?)",
            )
            continue
        if order_id in seen:
            yield Rejected(line, order_id, f"order_id: also on line {seen[order_id]}")
            continue
        try:
            order, refunded = _parse(record, zone, exponent)
        except ValidationError as error:
            yield Rejected(line, order_id, _describe(error.normalized_messages()))
            continue
        seen[order_id] = line
        yield ParsedRow(line, order, refunded)


def _chunks(rows: Iterable[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    chunk: list[ParsedRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _ingest_chunk(
    session: Session, chunk: list[ParsedRow], skip_invalid: bool, result: ImportResult
) -> None:
    """One chunk in a savepoint; with skip_invalid, conflicting rows are dropped and it reruns."""
    while chunk:
        savepoint = session.begin_nested()
        try:
            ingested = ingest_orders(session, [row.order for row in chunk])
            refunds = _refunds(session, chunk)
        except IngestConflict as error:
            savepoint.rollback()
            problems = error.conflicts
            refused = [row for row in chunk if row.order["external_id"] in problems]
            result.rejected.extend(
                Rejected(row.line, row.order["external_id"], problems[row.order["external_id"]])
                for row in refused
            )
            if not skip_invalid:
                return
            chunk = [row for row in chunk if row.order["external_id"] not in problems]
            continue
        savepoint.commit()
        result.refunds += refunds
        result.created += len(ingested.created)
        result.unchanged += len(ingested.unchanged)
        return


def _refunds(session: Session, chunk: list[ParsedRow]) -> int:
    """Book each row's `refunded` amount once (the refund id is derived from the order id);
    returns how many were new."""
    wanted = {row.order["external_id"]: row for row in chunk if row.refunded}
    if not wanted:
        return 0
    orders = dict(
        session.execute(
            sa.select(Order.external_id, Order.id).where(Order.external_id.in_(wanted))
        ).all()
    )
    problems: dict[str, str] = {}
    booked = 0
    for external_id, row in wanted.items():
        refund = {
            "refund_id": f"{external_id}:import",
            "amount": row.refunded,
            "refunded_at": row.order["placed_at"],
            "reason": "imported",
        }
        try:
            _, new = add_refund(session, orders[external_id], refund)
        except (IngestConflict, TransitionError, RecordError) as error:
            problems[external_id] = f"refunded: {error}"
            continue
        booked += int(new)
    if problems:
        raise IngestConflict(problems)
    return booked


def import_orders(
    session: Session,
    stream: IO[str],
    zone: ZoneInfo,
    currency: str,
    skip_invalid: bool = False,
    progress: Callable[[int], None] = lambda _lines: None,
) -> ImportResult:
    """Validate and ingest the whole file in the caller's transaction.

    Without skip_invalid, any rejected row means the caller must roll back (result.rejected
    is not empty); with it, the valid rows stay and the rejected ones are reported.
    """
    result = ImportResult()
    parsed: list[ParsedRow] = []
    for item in read_orders(stream, zone, currency):
        if isinstance(item, Rejected):
            result.rejected.append(item)
        else:
            parsed.append(item)
    if result.rejected and not skip_invalid:
        return result
    # Locks in the order API batches take them too: every new customer first, then the orders,
    # each ascending by id across the whole file. Chunk by chunk in file order, an import
    # and an API batch could each hold what the other waits for (a deadlock on PostgreSQL).
    parsed.sort(key=lambda row: row.order["external_id"])
    ensure_customers(session, [row.order for row in parsed])
    for chunk in _chunks(parsed, CHUNK):
        _ingest_chunk(session, chunk, skip_invalid, result)
        if result.rejected and not skip_invalid:
            return result
        progress(len(chunk))
    result.rejected.sort(key=lambda rejected: rejected.line)
    return result
