"""Read endpoints of /api/v1: the same figures the pages show, for a token or a staff session."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, g
from flask_login import current_user
from flask_smorest import Blueprint

from app.analytics.clv import latest_model
from app.analytics.cohorts import cohort_retention
from app.analytics.customer_reports import customer_list, shown_person
from app.analytics.dashboard import (
    daily_series,
    dashboard_kpis,
    revenue_by_channel,
    segment_summary,
)
from app.analytics.funnel import funnel_summary
from app.api.freshness import stamp_answers
from app.api.reports import date_range, money
from app.api.schemas import (
    CohortQuery,
    CustomerQuery,
    FunnelQuery,
    JobRunQuery,
    KpiQuery,
    RangeQuery,
)
from app.extensions import db, limiter
from app.models import JobRun
from app.security import api_caller, api_rate_limit
from app.shop import currency, today

blp = Blueprint("analytics_api", __name__, url_prefix="/api/v1", description="Figures, read-only")
limiter.limit(api_rate_limit, key_func=api_caller)(blp)
stamp_answers(blp)


@blp.get("/kpis")
@blp.arguments(KpiQuery, location="query")
@blp.response(200)
def kpis(query: dict):
    """KPIs of the range beside the previous range of equal length (`compare=year`: the same
    weekdays 52 weeks earlier), with relative changes."""
    days = date_range(query)
    before = days.compared_with(query["compare"])
    comparison = dashboard_kpis(db.session, days, before)
    return {
        "start": comparison.days.start.isoformat(),
        "end": comparison.days.end.isoformat(),
        "compared_with": {"start": before.start.isoformat(), "end": before.end.isoformat()},
        "currency": currency(),
        "current": vars(comparison.current),
        "previous": vars(comparison.previous),
        "change": comparison.changes(),
    }


@blp.get("/daily")
@blp.arguments(RangeQuery, location="query")
@blp.response(200)
def daily(query: dict):
    code = currency()
    return [
        {
            "date": row.business_date.isoformat(),
            "net_revenue": money(row.net_revenue, code),
            "orders": row.orders,
            "aov": money(row.aov, code),
        }
        for row in daily_series(db.session, date_range(query))
    ]


@blp.get("/channels")
@blp.arguments(RangeQuery, location="query")
@blp.response(200)
def channels(query: dict):
    code = currency()
    return [
        {
            "channel": c.channel,
            "net_revenue": money(c.net_revenue, code),
            "transactions": c.transactions,
            "share": c.share,
        }
        for c in revenue_by_channel(db.session, date_range(query))
    ]


@blp.get("/segments")
@blp.response(200)
def segments():
    code = currency()
    return [
        {
            "segment": s.segment,
            "customers": s.customers,
            "revenue": money(s.revenue, code),
            "customer_share": s.customer_share,
            "revenue_share": s.revenue_share,
        }
        for s in segment_summary(db.session)
    ]


def _may_see_personal_data() -> bool:
    """Managers and admins, or a token owned by an active one; everyone else sees customers'
    emails and names masked."""
    token = getattr(g, "api_token", None)
    if token is not None:
        owner = token.owner
        return owner is not None and owner.active and owner.has_role("manager")
    return current_user.is_authenticated and current_user.has_role("manager")


@blp.get("/customers")
@blp.arguments(CustomerQuery, location="query")
@blp.response(200)
def customers(query: dict):
    """Customers with orders, paged and sorted on the server, optionally of one segment."""
    offset = (query["page"] - 1) * query["per_page"]
    rows, total = customer_list(
        db.session,
        "top",
        offset,
        query["per_page"],
        query["sort"],
        query["descending"],
        segment=query["segment"],
        today=today(),
    )
    code, show = currency(), _may_see_personal_data()
    for row in rows:
        row.pop("profile_id")  # the API names customers by the shop's own ids only
    items = [
        {
            **shown_person(row, show),
            "lifetime_value": money(row["lifetime_value"], code),
            "aov": money(row["aov"], code),
            "last_order_at": row["last_order_at"].isoformat() if row["last_order_at"] else None,
            "clv_12m": None if row["clv_12m"] is None else money(row["clv_12m"], code),
            "value_at_risk": None
            if row["value_at_risk"] is None
            else money(row["value_at_risk"], code),
        }
        for row in rows
    ]
    return {"page": query["page"], "per_page": query["per_page"], "total": total, "items": items}


@blp.get("/models/clv")
@blp.response(200)
def clv_model():
    """The latest fitted BG/NBD + Gamma-Gamma parameters and fit facts (404 before a fit)."""
    model = latest_model(db.session)
    attempt = latest_model(db.session, fitted_only=False)
    if model is None:
        reason = attempt.message if attempt is not None else "no fit attempted yet"
        abort(404, f"no fitted model: {reason}; churn risk is rule-based")
    return {
        "fitted_at": model.fitted_at.isoformat(),
        "calibration_end": model.calibration_end.isoformat(),
        "customers": model.customers,
        "repeat_customers": model.repeat_customers,
        "bgnbd": {
            "r": model.r,
            "alpha": model.alpha,
            "a": model.a,
            "b": model.b,
            "log_likelihood": model.bgnbd_log_likelihood,
        },
        "gamma_gamma": {
            "p": model.p,
            "q": model.q,
            "gamma": model.gamma,
            "log_likelihood": model.gamma_gamma_log_likelihood,
            "currency": currency(),
        },
        "calibration_check": model.calibration,
        "last_attempt": {"at": attempt.fitted_at.isoformat(), "status": attempt.status},
    }


@blp.get("/funnel")
@blp.arguments(FunnelQuery, location="query")
@blp.response(200)
def funnel(query: dict):
    result = funnel_summary(db.session, date_range(query), query["channel"])
    return {
        "window_days": result.window_days,
        "median_seconds_to_convert": result.median_seconds_to_convert,
        "steps": [vars(step) for step in result.steps],
    }


@blp.get("/cohorts")
@blp.arguments(CohortQuery, location="query")
@blp.response(200)
def cohorts(query: dict):
    return [
        {"month": c.month.isoformat(), "size": c.size, "cells": [vars(cell) for cell in c.cells]}
        for c in cohort_retention(db.session, query["as_of"] or today(), query["months"])
    ]


@blp.get("/job-runs")
@blp.arguments(JobRunQuery, location="query")
@blp.response(200)
def job_runs(query: dict):
    runs = db.session.scalars(
        sa.select(JobRun).order_by(JobRun.started_at.desc()).limit(query["limit"])
    )
    return [
        {
            "job": run.job,
            "period": run.period,
            "status": run.status,
            "attempts": run.attempts,
            "rows": run.rows,
            "started_at": run.started_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        }
        for run in runs
    ]
