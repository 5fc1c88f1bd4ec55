"""Read endpoints of /api/v1 on the bench database: p95 through the whole WSGI stack.

Each request goes through the access gate (token lookup), the query schema, the engine and
JSON encoding, with the Flask test client (no socket). Beside it, the engine call alone.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date

from flask import Flask

from app.analytics.cohorts import cohort_retention
from app.analytics.customer_reports import customer_list
from app.analytics.dashboard import (
    daily_series,
    dashboard_kpis,
    revenue_by_channel,
    segment_summary,
)
from app.analytics.funnel import funnel_summary
from app.analytics.periods import DateRange
from app.analytics.products import product_rows
from app.extensions import db
from app.models import ApiToken
from bench.report import Figure

RUNS = 40
BUDGET_SECONDS = 0.020


def _p95(work: Callable[[], object]) -> float:
    work()  # warm the caches once, as a running server is
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
        db.session.rollback()
    return statistics.quantiles(timings, n=20)[-1]


def api_figures(app: Flask, start: date, end: date) -> list[Figure]:
    token, secret = ApiToken.issue(db.session, "bench", "read")
    db.session.commit()
    days = DateRange(start, end)
    query = f"start={start}&end={end}"
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    endpoints: dict[str, tuple[str, Callable[[], object]]] = {
        "kpis": (f"/api/v1/kpis?{query}", lambda: dashboard_kpis(db.session, days)),
        "daily": (f"/api/v1/daily?{query}", lambda: daily_series(db.session, days)),
        "channels": (f"/api/v1/channels?{query}", lambda: revenue_by_channel(db.session, days)),
        "segments": ("/api/v1/segments", lambda: segment_summary(db.session)),
        "customers (page 1, by LTV)": (
            "/api/v1/customers?per_page=50",
            lambda: customer_list(db.session, "top", 0, 50, "lifetime_value", True, today=end),
        ),
        "funnel": (f"/api/v1/funnel?{query}", lambda: funnel_summary(db.session, days, None)),
        "cohorts (12 months)": (
            f"/api/v1/cohorts?as_of={end}",
            lambda: cohort_retention(db.session, end, 12),
        ),
        "campaigns": ("/api/v1/campaigns", None),
        "products (top 50 by net sales)": (
            f"/api/v1/products?{query}",
            lambda: product_rows(db.session, days, days.previous()),
        ),
    }
    figures = []
    for name, (url, engine_call) in endpoints.items():

        def request(url=url):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.status_code)

        figures.append(Figure(f"API p95: {name}", _p95(request), BUDGET_SECONDS, 1))
        if engine_call is not None:
            figures.append(Figure("  the engine call alone (p95)", _p95(engine_call)))
    db.session.delete(db.session.merge(token))
    db.session.commit()
    return figures
