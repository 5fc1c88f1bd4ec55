"""The records writers send (API bodies, CSV rows): one set of rules for every way in."""

from __future__ import annotations

from datetime import UTC, date, datetime

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from app.models.enums import CHANNELS, EVENT_TYPES, PAYMENT_METHODS
from app.pipeline.purchases import ORDER_SESSION_PREFIX

# Ids the shop derives itself: a client's event cannot take them.
RESERVED_EVENT_ID_PREFIXES = ("purchase:", "purchase-")
TRACKED_EVENT_TYPES = tuple(t for t in EVENT_TYPES if t != "purchase")

EXTERNAL_ID = validate.Length(min=1, max=64)
# Dates a shop's figures can have (outside, date arithmetic for previous periods overflows).
DAY_RANGE = validate.Range(
    min=date(1900, 1, 1), max=date(2999, 12, 31), error="a date from 1900-01-01 to 2999-12-31"
)
MOMENT_RANGE = validate.Range(
    min=datetime(1900, 1, 1, tzinfo=UTC),
    max=datetime(2999, 12, 31, tzinfo=UTC),
    error="a time from 1900 to 2999",
)
MINOR_UNITS = validate.Range(min=0, max=10**12)


def _unique(records: list[dict], key: str, field_name: str) -> None:
    seen: set[str] = set()
    for record in records:
        if record[key] in seen:
            raise ValidationError(f"{record[key]} appears twice in the batch", field_name)
        seen.add(record[key])


class OrderIn(Schema):
    external_id = fields.String(required=True, validate=EXTERNAL_ID)
    customer_id = fields.String(
        required=True, validate=EXTERNAL_ID, metadata={"description": "your customer id"}
    )
    customer_email = fields.Email(load_default=None)
    placed_at = fields.AwareDateTime(
        required=True, validate=MOMENT_RANGE, metadata={"description": "ISO 8601 with a UTC offset"}
    )
    completed_at = fields.AwareDateTime(load_default=None, validate=MOMENT_RANGE)
    status = fields.String(
        load_default="completed", validate=validate.OneOf(["pending", "completed", "cancelled"])
    )
    channel = fields.String(load_default="web", validate=validate.OneOf(CHANNELS))
    subtotal = fields.Integer(
        required=True, strict=True, validate=MINOR_UNITS, metadata={"description": "minor units"}
    )
    discount = fields.Integer(load_default=0, strict=True, validate=MINOR_UNITS)
    shipping = fields.Integer(load_default=0, strict=True, validate=MINOR_UNITS)
    tax = fields.Integer(load_default=0, strict=True, validate=MINOR_UNITS)
    total = fields.Integer(
        load_default=None,
        strict=True,
        validate=MINOR_UNITS,
        metadata={"description": "checked if given"},
    )
    payment_method = fields.String(load_default="card", validate=validate.OneOf(PAYMENT_METHODS))
    coupon_code = fields.String(load_default=None, validate=validate.Length(max=40))

    @validates_schema
    def amounts_add_up(self, data: dict, **_kwargs) -> None:
        if data["discount"] > data["subtotal"]:
            raise ValidationError("must not exceed subtotal", "discount")
        expected = data["subtotal"] - data["discount"] + data["shipping"] + data["tax"]
        if data["total"] is not None and data["total"] != expected:
            raise ValidationError(
                f"must equal subtotal − discount + shipping + tax ({expected})", "total"
            )


class OrderBatch(Schema):
    orders = fields.List(
        fields.Nested(OrderIn), required=True, validate=validate.Length(min=1, max=1000)
    )

    @pre_load
    def one_order_is_a_batch_of_one(self, data, **_kwargs):
        return {"orders": [data]} if isinstance(data, dict) and "orders" not in data else data

    @validates_schema
    def unique_ids(self, data: dict, **_kwargs) -> None:
        _unique(data["orders"], "external_id", "orders")


class StatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["completed", "cancelled"]))
    at = fields.AwareDateTime(load_default=None, validate=MOMENT_RANGE)


class RefundIn(Schema):
    refund_id = fields.String(required=True, validate=EXTERNAL_ID)
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**12))
    refunded_at = fields.AwareDateTime(required=True, validate=MOMENT_RANGE)
    reason = fields.String(load_default=None, validate=validate.Length(max=200))


class EventIn(Schema):
    event_id = fields.String(
        required=True,
        validate=EXTERNAL_ID,
        metadata={"description": "your id; sent twice is kept once"},
    )
    type = fields.String(
        required=True,
        validate=validate.OneOf(TRACKED_EVENT_TYPES),
        metadata={"description": "purchases are recorded from the orders themselves"},
    )
    session_id = fields.String(required=True, validate=EXTERNAL_ID)
    occurred_at = fields.AwareDateTime(
        required=True, validate=MOMENT_RANGE, metadata={"description": "ISO 8601 with a UTC offset"}
    )
    customer_id = fields.String(load_default=None, validate=EXTERNAL_ID)
    order_id = fields.String(
        load_default=None, validate=EXTERNAL_ID, metadata={"description": "an order already sent"}
    )
    page = fields.String(load_default=None, validate=validate.Length(max=200))
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))

    @validates("event_id")
    def not_reserved_id(self, value: str, **_kwargs) -> None:
        if value.lower().startswith(RESERVED_EVENT_ID_PREFIXES):
            raise ValidationError(
                "ids starting with purchase: or purchase- are reserved for purchases"
            )

    @validates("session_id")
    def not_reserved_session(self, value: str, **_kwargs) -> None:
        if value.lower().startswith(ORDER_SESSION_PREFIX):
            raise ValidationError(
                f"session ids starting with {ORDER_SESSION_PREFIX!r} are reserved"
            )


class EventBatch(Schema):
    events = fields.List(
        fields.Nested(EventIn), required=True, validate=validate.Length(min=1, max=1000)
    )

    @validates_schema
    def unique_ids(self, data: dict, **_kwargs) -> None:
        _unique(data["events"], "event_id", "events")
