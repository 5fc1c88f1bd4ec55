"""The original specification's JSON endpoints, for a staff session or an API token."""

from __future__ import annotations

from flask import Blueprint, request
from marshmallow import ValidationError

from app.analytics.dashboard import daily_series, segment_summary
from app.analytics.periods import DEFAULT_DAYS, DateRange
from app.api.freshness import stamp_answers
from app.api.schemas import RangeQuery
from app.extensions import db, limiter
from app.formatting import to_major
from app.problem import error_response
from app.security import api_caller, api_rate_limit
from app.shop import currency, today

bp = Blueprint("reports_api", __name__, url_prefix="/analytics/api")
limiter.limit(api_rate_limit, key_func=api_caller)(bp)
stamp_answers(bp)


def money(minor: int, currency: str) -> dict:
    """Exact decimal text beside the integer minor units: no float ever carries money."""
    return {"amount": str(to_major(minor, currency)), "minor": minor}


def parse_days(args) -> tuple[DateRange | None, dict[str, str]]:
    """The query's date range (RangeQuery's rules), or the first message for each bad field."""
    try:
        query = RangeQuery().load(args)
    except ValidationError as error:
        return None, {name: messages[0] for name, messages in error.messages.items()}
    return date_range(query), {}


def date_range(query: dict) -> DateRange:
    if query.get("start"):
        return DateRange(query["start"], query["end"])
    return DateRange.complete_days(query.get("days") or DEFAULT_DAYS, today())


@bp.get("/daily-revenue/")
def daily_revenue():
    days, errors = parse_days(request.args)
    if errors:
        return error_response(400, "invalid query parameters", fields=errors)
    code = currency()
    return [
        {
            "date": row.business_date.isoformat(),
            "revenue": money(row.net_revenue, code),
            "orders": row.orders,
            "aov": money(row.aov, code),
            "currency": code,
        }
        for row in daily_series(db.session, days)
    ]


@bp.get("/customer-segments/")
def customer_segments():
    code = currency()
    return [
        {
            "segment": row.segment,
            "customers": row.customers,
            "revenue": money(row.revenue, code),
            "currency": code,
        }
        for row in segment_summary(db.session)
    ]
