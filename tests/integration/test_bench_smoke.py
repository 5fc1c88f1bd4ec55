"""`make bench` calls the page callbacks directly; this keeps those calls in step with the pages
(a changed callback signature once broke the bench while every test passed)."""

from __future__ import annotations

from datetime import UTC, datetime

import bench.pages
from tests.factories import OrderFactory, UserFactory
from tests.refresh import refresh


def test_the_bench_calls_every_page_callback_as_the_pages_define_them(app, monkeypatch):
    calls = []

    def once(work, runs=1):
        calls.append(work())
        return 0.0

    monkeypatch.setattr(bench.pages, "_p95", once)
    UserFactory(role="manager")
    OrderFactory(placed_at=datetime(2026, 3, 10, 12, tzinfo=UTC))
    refresh()
    figures = bench.pages.callback_figures(app, "?start=2026-03-01&end=2026-03-31")
    assert len(figures) == len(calls) == 8
    assert all(call is not None for call in calls)
