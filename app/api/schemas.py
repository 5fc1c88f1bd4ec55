"""Request and response shapes of /api/v1 (they also build the OpenAPI document)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from app.analytics.customer_reports import SORTABLE
from app.analytics.periods import MAX_RANGE_DAYS
from app.models.enums import (
    CAMPAIGN_STATUSES,
    CHANNELS,
    EVENT_TYPES,
    PAYMENT_METHODS,
    SEGMENTS,
)

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


class BatchResult(Schema):
    created = fields.List(fields.String())
    unchanged = fields.List(fields.String())


class StatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(["completed", "cancelled"]))
    at = fields.AwareDateTime(load_default=None, validate=MOMENT_RANGE)


class OrderOut(Schema):
    external_id = fields.String()
    status = fields.String()
    business_date = fields.Date()
    total = fields.Integer()


class RefundIn(Schema):
    refund_id = fields.String(required=True, validate=EXTERNAL_ID)
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**12))
    refunded_at = fields.AwareDateTime(required=True, validate=MOMENT_RANGE)
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
    start = fields.Date(
        load_default=None, validate=DAY_RANGE, error_messages={"invalid": "required, as YYYY-MM-DD"}
    )
    end = fields.Date(
        load_default=None, validate=DAY_RANGE, error_messages={"invalid": "required, as YYYY-MM-DD"}
    )

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
    as_of = fields.Date(load_default=None, validate=DAY_RANGE)


class CustomerQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    segment = fields.String(load_default=None, validate=validate.OneOf(SEGMENTS))
    sort = fields.String(load_default="lifetime_value", validate=validate.OneOf(list(SORTABLE)))
    descending = fields.Boolean(load_default=True)


class JobRunQuery(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class CampaignQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(CAMPAIGN_STATUSES))


class CampaignIn(Schema):
    """A new campaign; money in minor units, like every amount the API accepts."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "the coupon code; stored upper-case, unique"},
    )
    status = fields.String(load_default="draft", validate=validate.OneOf(CAMPAIGN_STATUSES))
    discount_percent = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 100))
    target_audience = fields.String(load_default="all", validate=validate.Length(max=40))
    budget = fields.Integer(load_default=0, strict=True, validate=MINOR_UNITS)
    spend = fields.Integer(load_default=0, strict=True, validate=MINOR_UNITS)
    starts_on = fields.Date(required=True, validate=DAY_RANGE)
    ends_on = fields.Date(load_default=None, validate=DAY_RANGE)


class CampaignPatch(CampaignIn):
    """Any subset of a campaign's fields (loaded with partial=True); checked as a whole."""


class CampaignOut(Schema):
    id = fields.Integer()
    name = fields.String()
    code = fields.String()
    status = fields.String()
    discount_percent = fields.Integer()
    target_audience = fields.String()
    budget = fields.Integer(metadata={"description": "minor units"})
    spend = fields.Integer(metadata={"description": "minor units"})
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)


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


class EventBatch(Schema):
    events = fields.List(
        fields.Nested(EventIn), required=True, validate=validate.Length(min=1, max=1000)
    )

    @validates_schema
    def unique_ids(self, data: dict, **_kwargs) -> None:
        _unique(data["events"], "event_id", "events")
