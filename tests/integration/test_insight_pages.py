"""The Alerts and Settings pages and the dashboard's month card, through their callbacks: the
same figures as the engine, role checks on the server, bad input refused whole."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.dash_apps.pages import alerts, dashboard, revenue_streams, settings
from app.extensions import db
from app.models import AuditLog, EmailSubscription, MonthlyTarget
from app.pipeline.insights import InsightSettings, run_insights
from app.pipeline.targets import save_targets
from tests.factories import UserFactory
from tests.integration.shop_history import TODAY, half_a_year, steady_shop_with_a_spike
from tests.integration.test_pages import as_user, find, text_of

SPIKE = "?start=2026-03-15&end=2026-03-15"


@pytest.fixture
def spiked(app):
    steady_shop_with_a_spike()
    run_insights(db.session, TODAY, InsightSettings.from_config(app.config))


def test_alerts_page_lists_the_spike_with_its_expected_range_and_orders_link(spiked, app):
    context = as_user(app, "viewer")
    try:
        listing = alerts.update_alerts(SPIKE)
    finally:
        context.pop()
    text = text_of(listing)
    assert "Sun 15 Mar 2026Net revenueOverall▲ $360.00$" in text
    assert "Orders" in text and "Phone" in text
    links = [
        row.children[0].children.href for row in find(listing, "alerts-table").children[1].children
    ]
    assert "/analytics/orders/?start=2026-03-15&end=2026-03-15" in links
    assert "/analytics/orders/?start=2026-03-15&end=2026-03-15&channel=phone" in links


def test_the_dashboard_trend_marks_the_unusual_day(spiked, app):
    context = as_user(app, "viewer")
    try:
        _empty, _kpis, trend, *_ = dashboard.update_dashboard("?start=2026-03-01&end=2026-03-15")
    finally:
        context.pop()
    (marked,) = [trace for trace in trend["data"] if trace["name"] == "Unusual day"]
    assert marked["x"] == [date(2026, 3, 15)] and marked["y"] == [360.0]


def test_the_month_card_shows_month_to_date_forecast_and_chance(app, monkeypatch):
    today = date(2026, 3, 16)
    half_a_year(today)
    save_targets(db.session, date(2026, 3, 1), {"orders": 1_000}, None)
    db.session.commit()
    run_insights(db.session, today, InsightSettings.from_config(app.config))
    monkeypatch.setattr("app.dash_apps.context.today", lambda: today)
    context = as_user(app, "viewer")
    try:
        *_, month = dashboard.update_dashboard("?days=7")
    finally:
        context.pop()
    text = text_of(month)
    assert "Orders32 so far · month end" in text
    assert "target 1,000" in text and "0% chance" in text


def test_a_viewer_sets_only_their_own_emails(app):
    other = UserFactory(email="other@shop.test")
    context = as_user(app, "viewer")
    try:
        me = settings.current_user.id
        assert settings.load_subscriptions(me) == []
        answer = settings.save_subscriptions(1, me, ["daily", "alerts"])
        refused = settings.save_subscriptions(1, other.id, ["weekly"])
        assert settings.load_subscriptions(other.id) == []  # cannot even read them
    finally:
        context.pop()
    assert answer.color == "success" and refused.color == "danger"
    kinds = db.session.execute(sa.select(EmailSubscription.user_id, EmailSubscription.kind)).all()
    assert sorted(kinds) == [(me, "alerts"), (me, "daily")]


def test_an_admin_manages_someone_elses_emails_and_it_is_audited(app):
    other = UserFactory(email="other@shop.test")
    db.session.add(EmailSubscription(user_id=other.id, kind="daily"))
    db.session.commit()
    context = as_user(app, "admin")
    try:
        assert settings.load_subscriptions(other.id) == ["daily"]
        assert settings.save_subscriptions(1, other.id, ["weekly"]).color == "success"
        assert settings.save_subscriptions(1, other.id, ["hourly"]).color == "danger"
    finally:
        context.pop()
    kinds = db.session.scalars(sa.select(EmailSubscription.kind)).all()
    assert kinds == ["weekly"]
    assert db.session.scalar(sa.select(AuditLog.action)) == "subscriptions.set"


def test_a_manager_sets_targets_in_the_shop_currency(app):
    context = as_user(app, "manager")
    try:
        message, *flags = settings.save_targets_form(1, "2026-03", "50,000.50", "900", "")
        shown = settings.load_targets("2026-03")
    finally:
        context.pop()
    assert "Targets for March 2026 saved." in text_of(message) and not any(flags[:4])
    stored = db.session.execute(sa.select(MonthlyTarget.metric, MonthlyTarget.target)).all()
    assert sorted(stored) == [("net_revenue", 5_000_050), ("orders", 900)]
    assert shown == ["50000.50", "900", ""]


@pytest.mark.parametrize(
    ("month", "typed", "bad"),
    [
        ("2026-3", ("100", "5", ""), 0),
        ("2026-03", ("1.005", "5", ""), 1),
        ("2026-03", ("100", "-5", ""), 2),
        ("2026-03", ("100", "5", "many"), 3),
    ],
)
def test_bad_targets_write_nothing_and_say_which_field(app, month, typed, bad):
    context = as_user(app, "manager")
    try:
        message, *flags = settings.save_targets_form(1, month, *typed)
    finally:
        context.pop()
    invalid, errors = flags[:4], flags[4:]
    assert invalid == [index == bad for index in range(4)] and errors[bad]
    assert "correct the highlighted" in text_of(message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyTarget)) == 0


def test_a_viewer_cannot_set_targets(app):
    context = as_user(app, "viewer")
    try:
        message, *_ = settings.save_targets_form(1, "2026-03", "100", "5", "")
    finally:
        context.pop()
    assert message.color == "danger"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthlyTarget)) == 0


def test_the_revenue_trend_marks_the_unusual_day_on_its_total(spiked, app):
    context = as_user(app, "viewer")
    try:
        *_, trend = revenue_streams.update_revenue("?start=2026-03-01&end=2026-03-15")
        *_, weekly = revenue_streams.update_revenue("?start=2026-03-01&end=2026-03-15&group=week")
    finally:
        context.pop()
    (marked,) = [trace for trace in trend["data"] if trace["name"] == "Unusual day"]
    total = next(trace for trace in trend["data"] if trace["name"] == "Total")
    assert marked["y"] == [360.0] == total["y"][-1:]
    assert not [trace for trace in weekly["data"] if trace["name"] == "Unusual day"]
