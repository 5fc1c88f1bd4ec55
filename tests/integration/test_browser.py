"""A person's path through a real headless Chromium: sign in, open the dashboard, read it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.analytics.overview import shop_totals
from app.extensions import db
from app.formatting import format_count, format_money
from tests.factories import OrderFactory, RefundFactory
from tests.integration.browser import chromium, console_errors, live_server, require_browser

pytestmark = pytest.mark.browser

PAGES = {
    "dashboard": "/analytics/dashboard/",
    "revenue-streams": "/analytics/revenue-streams/",
    "customers": "/analytics/customers/",
    "campaigns": "/analytics/campaigns/",
}
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def browser():
    require_browser()
    with chromium() as driver:
        yield driver


@pytest.fixture
def server(make_app):
    with live_server(make_app(WTF_CSRF_ENABLED=True)) as base_url:
        yield base_url


def sign_in(browser, server: str, email: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{server}/analytics/dashboard/")
    assert "/login" in browser.current_url  # the gate sent us to sign in first
    browser.find_element(By.NAME, "email").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys("correct horse battery")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 20).until(ready.url_contains("/analytics/dashboard/"))


def read_text(browser, element_id: str) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    located = ready.visibility_of_element_located((By.ID, element_id))
    return WebDriverWait(browser, 20).until(located).text


def test_signed_in_viewer_sees_the_figures_the_database_holds(app, browser, server, viewer):
    big = OrderFactory(subtotal=123_456, discount=3_456, status="completed")
    OrderFactory(subtotal=10_000, status="refunded", customer=big.customer)
    RefundFactory(order=big, amount=20_000)
    OrderFactory(subtotal=99_999, status="cancelled")
    totals = shop_totals(db.session)
    currency = app.config["SHOP_CURRENCY"]

    sign_in(browser, server, viewer.email)

    assert read_text(browser, "dashboard-orders") == format_count(totals.orders) == "2"
    assert read_text(browser, "dashboard-customers") == format_count(totals.customers) == "2"
    expected_revenue = format_money(totals.net_revenue, currency)
    assert read_text(browser, "dashboard-net-revenue") == expected_revenue == "$1,100.00"
    assert console_errors(browser) == []


def test_every_page_renders_without_errors(app, browser, server, viewer):
    OrderFactory(subtotal=25_000, status="completed")
    sign_in(browser, server, viewer.email)
    for prefix, path in PAGES.items():
        browser.get(server + path)
        assert read_text(browser, f"{prefix}-net-revenue") == "$250.00", path
        assert browser.find_elements("css selector", ".dash-fe-error__title") == []
        if SCREENSHOT_DIR:
            Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(Path(SCREENSHOT_DIR) / f"{prefix}.png"))
    assert console_errors(browser) == []
