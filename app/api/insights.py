"""/api/v1/alerts, /targets and /forecast: anomalies found, monthly targets (setting them
needs a write-scope token), and the month-end forecast beside each target."""

from __future__ import annotations

from flask import g, request

from app import audit
from app.analytics.insights import MONEY_METRICS, anomalies_in, first_of_month, month_outlooks
from app.api.freshness import stamp_answers
from app.api.reports import date_range, money
from app.api.schemas import AlertsQuery, MonthQuery, TargetsIn
from app.api.writes import token_blueprint, write_scope_error
from app.extensions import db
from app.pipeline.targets import month_of, save_targets
from app.shop import currency, today

blp = stamp_answers(
    token_blueprint("insights_api", __name__, "/api/v1", "Alerts, targets and the forecast")
)


@blp.before_request
def writes_need_write_scope():
    return None if request.method in ("GET", "HEAD", "OPTIONS") else write_scope_error()


def _figure(metric: str, value: float | None, code: str):
    """Money figures as exact money (rounded to the minor unit), others as numbers."""
    if value is None:
        return None
    return money(round(value), code) if metric in MONEY_METRICS else value


@blp.get("/alerts")
@blp.arguments(AlertsQuery, location="query")
@blp.response(200)
def alerts(query: dict):
    """Days whose figure fell outside the range its history predicted, newest first."""
    code = currency()
    return [
        {
            "date": a.business_date.isoformat(),
            "metric": a.metric,
            "channel": a.channel,
            "value": _figure(a.metric, a.value, code),
            "expected": _figure(a.metric, a.expected, code),
            "expected_range": [_figure(a.metric, a.lower, code), _figure(a.metric, a.upper, code)],
            "direction": "up" if a.value > a.expected else "down",
            "score": round(a.score, 2),
        }
        for a in anomalies_in(db.session, date_range(query), query["metric"], query["channel"])
    ]


def _month(query: dict):
    return month_of(query["month"]) if query.get("month") else first_of_month(today())


def _outlook_json(outlook, code: str) -> dict:
    f = outlook.forecast
    answer = {
        "metric": outlook.metric,
        "target": _figure(outlook.metric, outlook.target, code),
        "forecast": None,
    }
    if f is not None:
        low, high = (_figure(outlook.metric, bound, code) for bound in (f.lower, f.upper))
        answer["forecast"] = {
            "as_of": f.as_of.isoformat(),
            "month_to_date": _figure(outlook.metric, f.month_to_date, code),
            "month_end": _figure(outlook.metric, f.forecast, code),
            "interval_80": [low, high],
            "chance_of_target": outlook.probability,
            "method": f.method,
            "backtest_mase": round(f.mase, 3),
            "baseline_mase": round(f.baseline_mase, 3),
        }
    return answer


def _month_answer(month) -> dict:
    code = currency()
    return {
        "month": f"{month:%Y-%m}",
        "currency": code,
        "figures": [_outlook_json(o, code) for o in month_outlooks(db.session, month)],
    }


@blp.get("/targets")
@blp.arguments(MonthQuery, location="query")
@blp.response(200)
def get_targets(query: dict):
    """The month's targets, each beside its forecast."""
    return _month_answer(_month(query))


@blp.put("/targets")
@blp.arguments(TargetsIn)
@blp.response(200)
def put_targets(values: dict):
    """Set the month's targets (write scope): net revenue in minor units, orders, new
    customers; a figure left out keeps its target, null removes it."""
    month = values.pop("month")
    owner = getattr(g, "api_token", None)
    save_targets(db.session, month, values, owner.owner_id if owner else None)
    audit.record("targets.set", f"targets:{month:%Y-%m}", {"via": "api", **values})
    db.session.commit()
    return _month_answer(month)


@blp.get("/forecast")
@blp.arguments(MonthQuery, location="query")
@blp.response(200)
def forecast(query: dict):
    """Month to date, the forecast month end with its 80% interval, and the chance of
    reaching each target; the method is the one with the lowest backtest MASE."""
    return _month_answer(_month(query))
