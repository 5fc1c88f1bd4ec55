"""Alerts, settings and the dashboard's month card in a real headless Chromium."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.analytics.dashboard import kpis
from app.analytics.insights import first_of_month
from app.analytics.periods import DateRange
from app.extensions import db
from app.models import EmailSubscription, MonthlyTarget
from app.pipeline.insights import InsightSettings, run_insights
from app.timeutil import shop_today
from tests.factories import OrderFactory, UserFactory
from tests.integration.browser import chromium, console_errors, live_server, require_browser
from tests.integration.shop_history import half_a_year
from tests.integration.test_browser import SCREENSHOT_DIR, sign_in, wait_for, wait_text
from tests.refresh import backfill

pytestmark = pytest.mark.browser
DAILY_BOX = "label[for='_dbcprivate_checklist_settings-subscriptions_input_daily']"


@pytest.fixture
def browser():
    require_browser()
    with chromium() as driver:
        yield driver


@pytest.fixture
def server(make_app):
    with live_server(make_app(WTF_CSRF_ENABLED=True)) as base_url:
        yield base_url


@pytest.fixture
def watched_shop(app):
    """Half a year up to yesterday (real shop time), yesterday a spike, insights run."""
    today = shop_today(ZoneInfo(app.config["SHOP_TIMEZONE"]))
    yesterday = today - timedelta(days=1)
    half_a_year(today)
    for hour in range(12):
        OrderFactory(
            placed_at=datetime(
                yesterday.year, yesterday.month, yesterday.day, 8 + hour, tzinfo=UTC
            ),
            subtotal=9_000,
        )
    backfill(DateRange(yesterday, yesterday), today)
    assert run_insights(db.session, today, InsightSettings.from_config(app.config)) == "succeeded"
    return today


def test_alerts_page_settings_and_the_month_card(app, watched_shop, browser, server):
    from selenium.webdriver.common.by import By

    today = watched_shop
    manager = UserFactory(role="manager")
    sign_in(browser, server, manager.email, "/analytics/alerts/?days=7")
    yesterday = today - timedelta(days=1)
    wait_text(browser, "#alerts-table", f"{yesterday:%a %d %b %Y}")
    assert "Net revenue" in browser.find_element(By.ID, "alerts-table").text
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        browser.set_window_size(1440, 900)
        time.sleep(0.5)
        browser.save_screenshot(str(Path(SCREENSHOT_DIR) / "alerts.png"))

    # Subscribe to the daily digest and set this month's orders target.
    browser.get(server + "/analytics/settings/")
    daily = wait_for(
        browser, "label[for='_dbcprivate_checklist_settings-subscriptions_input_daily']"
    )
    daily.click()
    browser.find_element(By.ID, "settings-subscriptions-save").click()
    wait_for(browser, "#settings-subscriptions-saved")
    kinds = db.session.scalars(sa.select(EmailSubscription.kind)).all()
    assert kinds == ["daily"]
    orders = browser.find_element(By.ID, "settings-target-orders")
    orders.send_keys("5000")
    browser.find_element(By.ID, "settings-targets-save").click()
    wait_text(browser, "#settings-targets-message", "saved")
    target = db.session.scalar(sa.select(MonthlyTarget))
    assert (target.month, target.metric, target.target) == (first_of_month(today), "orders", 5000)

    # The dashboard: month to date as the KPIs count it, the forecast, the target and its
    # chance; the spike marked on the trend.
    browser.get(server + "/analytics/dashboard/?days=30")
    month_so_far = kpis(db.session, DateRange(first_of_month(today), yesterday)).orders
    if today.day == 1:
        month_so_far = 0
    wait_text(browser, "#dashboard-forecast", f"{month_so_far:,} so far")
    card = browser.find_element(By.ID, "dashboard-forecast").text
    assert "target 5,000" in card and "chance" in card
    marked = browser.execute_script(
        "const plot = document.querySelector('#dashboard-trend .js-plotly-plot');"
        "return plot.data.filter(t => t.name === 'Unusual day').map(t => t.x);"
    )
    assert marked == [[yesterday.isoformat()]]
    assert console_errors(browser) == []
