"""Dashboard callbacks on the bench database: p95 of each, called as Dash would call them."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import parse_qs

import sqlalchemy as sa
from flask import Flask
from flask_login import login_user

from app.dash_apps.pages import (
    campaigns,
    cohorts,
    customers,
    dashboard,
    funnel,
    products,
    revenue_streams,
)
from app.extensions import db
from app.models import User
from bench.report import Figure

RUNS = 30
BUDGET_SECONDS = 0.1


def _p95(work: Callable[[], object], runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
        db.session.rollback()  # each request starts a fresh transaction
    return statistics.quantiles(timings, n=20)[-1]


def callback_figures(app: Flask, search: str) -> list[Figure]:
    """Runs inside a request context with a signed-in manager, as the callbacks do."""
    end = parse_qs(search.lstrip("?"))["end"][0]
    year_start = date.fromisoformat(end) - timedelta(days=364)
    twelve_months = f"?start={year_start.replace(day=1).isoformat()}&end={end}"
    with app.test_request_context("/analytics/_dash-update-component"):
        user = db.session.scalar(sa.select(User).limit(1)) or _bench_user()
        login_user(user)
        calls = {
            "dashboard: KPIs, trend, payments, segments": lambda: dashboard.update_dashboard(
                search
            ),
            "revenue: channels and trend": lambda: revenue_streams.update_revenue(search),
            "customers: segments, LTV, loyalty, referrals": lambda: customers.update_customers(
                "/analytics/customers/", search
            ),
            "customers: top-customer grid page (sorted)": lambda: customers.serve_rows(
                {
                    "startRow": 0,
                    "endRow": 50,
                    "sortModel": [{"colId": "lifetime_value", "sort": "desc"}],
                },
                "top",
            ),
            "customers: at-risk grid page 20": lambda: customers.serve_rows(
                {"startRow": 1000, "endRow": 1050}, "at-risk"
            ),
            "campaigns: list with ROI": lambda: campaigns.update_list("all", None, search),
            "funnel: steps and median": lambda: funnel.update_funnel(search, "all"),
            "cohorts: 12 first-order months": lambda: cohorts.update_cohorts(twelve_months),
            "products: KPIs, grid, categories, trend, movers, returns": (
                lambda: products.update_products(search)
            ),
            "products: pairs and first product → repeat": lambda: products.update_baskets(search),
            "products, twelve months": lambda: products.update_products(twelve_months),
            "products: pairs and first product, twelve months": (
                lambda: products.update_baskets(twelve_months)
            ),
        }
        return [
            Figure(f"callback p95, {name}", _p95(call), BUDGET_SECONDS, 1)
            for name, call in calls.items()
        ]


def cold_dashboard_p95(app: Flask, search: str, runs: int = 20) -> float:
    """The dashboard callback as the first staff member of the morning calls it: the app
    keeps no figures between calls, and SQLite's page cache is emptied before each one (a
    new connection)."""

    def cold() -> None:
        db.session.close()
        db.engine.dispose()
        dashboard.update_dashboard(search)

    with app.test_request_context("/analytics/_dash-update-component"):
        login_user(db.session.scalar(sa.select(User).limit(1)) or _bench_user())
        return _p95(cold, runs)


def _bench_user() -> User:
    user = User(email="bench@example.com", role="manager")
    user.set_password("bench-password")
    db.session.add(user)
    db.session.commit()
    return user
