"""Request and response shapes of /api/v1 (they also build the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.analytics.customer_reports import SORTABLE
from app.analytics.periods import MAX_RANGE_DAYS
from app.analytics.products import SORTS as PRODUCT_SORTS
from app.models.enums import ALL_CHANNELS, CAMPAIGN_STATUSES, CHANNELS, SEGMENTS, WATCHED_METRICS
from app.pipeline.records import (
    DAY_RANGE,
    MINOR_UNITS,
    EventBatch,
    OrderBatch,
    ProductBatch,
    RefundIn,
    StatusIn,
)
from app.pipeline.targets import MONTH, TargetsIn

__all__ = ["EventBatch", "OrderBatch", "ProductBatch", "RefundIn", "StatusIn", "TargetsIn"]


class BatchResult(Schema):
    created = fields.List(fields.String())
    unchanged = fields.List(fields.String())


class OrderOut(Schema):
    external_id = fields.String()
    status = fields.String()
    business_date = fields.Date()
    total = fields.Integer()


class RefundOut(Schema):
    refund_id = fields.String(attribute="external_id")
    amount = fields.Integer()
    business_date = fields.Date()


class RangeQuery(Schema):
    """`days` (1–731, default 30: the complete days ending yesterday) or `start` and `end`
    (YYYY-MM-DD, at most 731 days)."""

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


class KpiQuery(RangeQuery):
    compare = fields.String(
        load_default="previous",
        validate=validate.OneOf(
            ["previous", "year"],
            error="previous (the period just before) or year (the same weekdays 52 weeks earlier)",
        ),
    )


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


class ProductListQuery(RangeQuery):
    sort = fields.String(load_default="net_sales", validate=validate.OneOf(PRODUCT_SORTS))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    category = fields.String(load_default=None, validate=validate.Length(min=1, max=100))


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


class AlertsQuery(RangeQuery):
    metric = fields.String(
        load_default=None,
        validate=validate.OneOf(WATCHED_METRICS, error=f"one of {', '.join(WATCHED_METRICS)}"),
    )
    channel = fields.String(
        load_default=None,
        validate=validate.OneOf(
            (ALL_CHANNELS, *CHANNELS), error=f"all or one of {', '.join(CHANNELS)}"
        ),
    )


class MonthQuery(Schema):
    """`month` as YYYY-MM; this month by default."""

    month = fields.String(load_default=None, validate=MONTH)
