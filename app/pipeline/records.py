"""The records writers send (API bodies, CSV rows): one set of rules for every way in.

Every text field is sized from its model column (app/pipeline/fields.py), so a record either
fits every column on every database or is refused with 422 naming the field.
"""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from app.models import ConversionEvent, Customer, Order, Refund
from app.models.enums import CHANNELS, EVENT_TYPES, PAYMENT_METHODS
from app.pipeline.erasure import ERASED_PREFIX
from app.pipeline.fields import Email, Identifier, Moment, Text
from app.pipeline.purchases import ORDER_SESSION_PREFIX

# Ids the shop derives itself: a client cannot take them.
RESERVED_EVENT_ID_PREFIXES = ("purchase:", "purchase-")
RESERVED_SESSION_PREFIXES = (ORDER_SESSION_PREFIX,)
RESERVED_CUSTOMER_PREFIXES = (ERASED_PREFIX,)
TRACKED_EVENT_TYPES = tuple(t for t in EVENT_TYPES if t != "purchase")

# Dates a shop's figures can have (outside, date arithmetic for previous periods overflows).
DAY_RANGE = validate.Range(
    min=date(1900, 1, 1), max=date(2999, 12, 31), error="a date from 1900-01-01 to 2999-12-31"
)
MINOR_UNITS = validate.Range(min=0, max=10**12)
ORDERS, CUSTOMERS, EVENTS = Order.__table__, Customer.__table__, ConversionEvent.__table__


def _unique(records: list[dict], key: str, field_name: str) -> None:
    seen: set[str] = set()
    for record in records:
        if record[key] in seen:
            raise ValidationError(f"{record[key]} appears twice in the batch", field_name)
        seen.add(record[key])


def customer_id_field(**kwargs) -> Identifier:
    return Identifier(
        CUSTOMERS.c.external_id,
        reserved=RESERVED_CUSTOMER_PREFIXES,
        metadata={"description": "your customer id"},
        **kwargs,
    )


class OrderIn(Schema):
    external_id = Identifier(ORDERS.c.external_id, required=True)
    customer_id = customer_id_field(required=True)
    customer_email = Email(CUSTOMERS.c.email, load_default=None)
    placed_at = Moment(required=True)
    completed_at = Moment(load_default=None)
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
    coupon_code = Text(ORDERS.c.coupon_code, load_default=None)

    @validates_schema
    def completed_after_placed(self, data: dict, **_kwargs) -> None:
        if data.get("completed_at") and data["completed_at"] < data["placed_at"]:
            raise ValidationError("must not be before placed_at", "completed_at")

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
    at = Moment(load_default=None)


class RefundIn(Schema):
    refund_id = Identifier(Refund.__table__.c.external_id, required=True)
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**12))
    refunded_at = Moment(required=True)
    reason = Text(Refund.__table__.c.reason, load_default=None)


class EventIn(Schema):
    event_id = Identifier(
        EVENTS.c.external_id,
        required=True,
        reserved=RESERVED_EVENT_ID_PREFIXES,
        metadata={"description": "your id; sent twice is kept once"},
    )
    type = fields.String(
        required=True,
        validate=validate.OneOf(TRACKED_EVENT_TYPES),
        metadata={"description": "purchases are recorded from the orders themselves"},
    )
    session_id = Identifier(EVENTS.c.session_id, required=True, reserved=RESERVED_SESSION_PREFIXES)
    occurred_at = Moment(required=True)
    customer_id = customer_id_field(load_default=None)
    order_id = Identifier(
        ORDERS.c.external_id, load_default=None, metadata={"description": "an order already sent"}
    )
    page = Text(EVENTS.c.page, load_default=None)
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))


class EventBatch(Schema):
    events = fields.List(
        fields.Nested(EventIn), required=True, validate=validate.Length(min=1, max=1000)
    )

    @validates_schema
    def unique_ids(self, data: dict, **_kwargs) -> None:
        _unique(data["events"], "event_id", "events")
