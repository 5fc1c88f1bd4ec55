"""The original specification's JSON endpoints, for a staff session or an API token."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, request

from app.analytics.dashboard import daily_series, segment_summary
from app.analytics.periods import DateRange
from app.api.tokens import api_caller, api_rate_limit
from app.errors import error_response
from app.extensions import db, limiter
from app.formatting import to_major
from app.shop import currency, today

bp = Blueprint("reports_api", __name__, url_prefix="/analytics/api")
limiter.limit(api_rate_limit, key_func=api_caller)(bp)
MAX_DAYS = 731


def _money(minor: int, currency: str) -> dict:
    """Exact decimal text beside the integer minor units: no float ever carries money."""
    return {"amount": str(to_major(minor, currency)), "minor": minor}


def parse_days(args) -> tuple[DateRange | None, dict[str, str]]:
    """`?days=N` (default 30) or `?start=…&end=…` (YYYY-MM-DD), with a message per bad field."""
    errors: dict[str, str] = {}
    if "start" in args or "end" in args:
        parsed = {}
        for name in ("start", "end"):
            try:
                parsed[name] = date.fromisoformat(args.get(name, ""))
            except ValueError:
                errors[name] = "required, as YYYY-MM-DD"
        if errors:
            return None, errors
        if parsed["end"] < parsed["start"]:
            return None, {"end": "must not be before start"}
        if (parsed["end"] - parsed["start"]).days >= MAX_DAYS:
            return None, {"end": f"a range covers at most {MAX_DAYS} days"}
        return DateRange(parsed["start"], parsed["end"]), {}
    raw = args.get("days", "30")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        return None, {"days": f"a whole number from 1 to {MAX_DAYS}"}
    return DateRange.last_days(int(raw), today()), {}


@bp.get("/daily-revenue/")
def daily_revenue():
    days, errors = parse_days(request.args)
    if errors:
        return error_response(400, "invalid query parameters", fields=errors)
    code = currency()
    return [
        {
            "date": row.business_date.isoformat(),
            "revenue": _money(row.net_revenue, code),
            "orders": row.orders,
            "aov": _money(row.aov, code),
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
            "revenue": _money(row.revenue, code),
            "currency": code,
        }
        for row in segment_summary(db.session)
    ]
