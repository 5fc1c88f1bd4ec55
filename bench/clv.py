"""Predictive CLV on the bench database: the weekly fit and the nightly scoring of every buyer."""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy.orm import Session

from app.analytics.clv import fit_shop, score_customers
from bench.report import Figure

SCORE_BUDGET_SECONDS = 5.0


def clv_figures(session: Session, today: date) -> list[Figure]:
    """Fit (not budgeted: weekly) and score; rolled back, so the bench data stays put."""
    started = time.perf_counter()
    model = fit_shop(session, today, currency_exponent=2)
    fitted = time.perf_counter() - started
    if model.status != "fitted":
        session.rollback()
        return [Figure(f"CLV fit failed: {model.message}", fitted)]
    started = time.perf_counter()
    scored = score_customers(session, model, today, 2, monthly_rate=0.01)
    scoring = time.perf_counter() - started
    session.rollback()
    return [
        Figure(f"CLV weekly fit, {model.customers:,} customers (BG/NBD + Gamma-Gamma)", fitted),
        Figure(f"CLV nightly scoring, {scored:,} customers", scoring, SCORE_BUDGET_SECONDS, 1),
    ]
