"""Request and response shapes of /api/v1 (they also build the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from app.analytics.customer_reports import SORTABLE
from app.analytics.periods import MAX_RANGE_DAYS
from app.models.enums import CHANNELS, PAYMENT_METHODS, SEGMENTS

EXTERNAL_ID = validate.Length(min=1, max=64)
MINOR_UNITS = validate.Range(min=0, max=10**12)


class OrderIn(Schema):
    external_id = fields.String(required=True, validate=EXTERNAL_ID)
    customer_id = fields.String(
        required=True, validate=EXTERNAL_ID, metadata={"description": "your customer id"}
    )
    customer_email = fields.Email(load_default=None)
    placed_at = fields.AwareDateTime(
        required=True, metadata={"description": "ISO 8601 with a UTC offset"}
    )
    completed_at = fields.AwareDateTime(load_default=None)
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
        seen: set[str] = set()
        for order in data["orders"]:
            if order["external_id"] in seen:
                raise ValidationError(
                    f"{order['external_id']} appears twice in the batch", "orders"
                )
            seen.add(order["external_id"])


class BatchResult(Schema):
    created = fields.List(fields.String())
    unchanged = fields.List(fields.String())


class StatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["completed", "cancelled"]))
    at = fields.AwareDateTime(load_default=None)


class OrderOut(Schema):
    external_id = fields.String()
    status = fields.String()
    business_date = fields.Date()
    total = fields.Integer()


class RefundIn(Schema):
    refund_id = fields.String(required=True, validate=EXTERNAL_ID)
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**12))
    refunded_at = fields.AwareDateTime(required=True)
    reason = fields.String(load_default=None, validate=validate.Length(max=200))


class RefundOut(Schema):
    refund_id = fields.String(attribute="external_id")
    amount = fields.Integer()
    business_date = fields.Date()


class RangeQuery(Schema):
    """`days` (1–731, default 30) or `start` and `end` (YYYY-MM-DD, at most 731 days)."""

    days = fields.Integer(
        load_default=None,
        validate=validate.Range(
            min=1, max=MAX_RANGE_DAYS, error=f"a whole number from 1 to {MAX_RANGE_DAYS}"
        ),
        error_messages={"invalid": f"a whole number from 1 to {MAX_RANGE_DAYS}"},
    )
    start = fields.Date(load_default=None, error_messages={"invalid": "required, as YYYY-MM-DD"})
    end = fields.Date(load_default=None, error_messages={"invalid": "required, as YYYY-MM-DD"})

    @validates_schema
    def complete_range(self, data: dict, **_kwargs) -> None:
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            raise ValidationError(
                "give both start and end, or neither", "end" if start else "start"
            )
        if start and end and end < start:
            raise ValidationError("must not be before start", "end")
        if start and end and (end - start).days >= MAX_RANGE_DAYS:
            raise ValidationError(f"a range covers at most {MAX_RANGE_DAYS} days", "end")


class FunnelQuery(RangeQuery):
    channel = fields.String(load_default=None, validate=validate.OneOf(CHANNELS))


class CohortQuery(Schema):
    months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=36))
    as_of = fields.Date(load_default=None)


class CustomerQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    segment = fields.String(load_default=None, validate=validate.OneOf(SEGMENTS))
    sort = fields.String(load_default="lifetime_value", validate=validate.OneOf(list(SORTABLE)))
    descending = fields.Boolean(load_default=True)


class JobRunQuery(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))
