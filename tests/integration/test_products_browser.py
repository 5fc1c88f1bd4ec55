"""The products page in a real headless Chromium: the grid holds the figures the engine reads,
the sort buttons re-sort it and are kept in the URL."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from app.analytics.periods import DateRange
from app.analytics.products import product_rows, product_totals, sort_rows
from app.extensions import db
from app.formatting import cost_known_note, format_money
from tests.integration.browser import chromium, console_errors, live_server, require_browser
from tests.integration.test_browser import SCREENSHOT_DIR, sign_in, wait_for, wait_text
from tests.product_shop import build_catalog_shop

pytestmark = pytest.mark.browser

MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))
PAGE = "/analytics/products/?start=2026-03-01&end=2026-03-31"


@pytest.fixture
def browser():
    require_browser()
    with chromium() as driver:
        yield driver


@pytest.fixture
def server(make_app):
    with live_server(make_app(WTF_CSRF_ENABLED=True)) as base_url:
        yield base_url


def grid_names(browser) -> list[str]:
    """The product names of the grid's rows, in row order (read in one go: rows re-render)."""
    return browser.execute_script(
        "return [...document.querySelectorAll(\"#products-grid .ag-row [col-id='name']\")]"
        ".map(c => [+c.closest('.ag-row').getAttribute('row-index'), c.textContent])"
        ".sort((a, b) => a[0] - b[0]).map(pair => pair[1]);"
    )


def test_products_page_shows_the_grid_of_the_engines_figures_and_sorts_it(
    app, browser, server, viewer
):
    from selenium.webdriver.support.ui import WebDriverWait

    build_catalog_shop()
    currency = app.config["SHOP_CURRENCY"]
    totals = product_totals(db.session, MARCH)
    rows = product_rows(db.session, MARCH, MARCH.previous())
    by_sales = [
        r.name for r in sort_rows(rows, "net_sales") if r.figures.units or r.figures.returns
    ]
    by_margin = [r.name for r in sort_rows(rows, "margin") if r.figures.units or r.figures.returns]
    assert by_sales[:3] != by_margin[:3]  # the sort must show in the grid

    sign_in(browser, server, viewer.email, PAGE)
    wait_text(browser, "#products-net-sales", format_money(totals.net_sales, currency))
    wait_text(browser, "#products-gross-profit", format_money(totals.gross_profit, currency))
    assert browser.find_element("id", "products-gross-profit-note").text == cost_known_note(
        totals.cost_known_share
    )
    WebDriverWait(browser, 20).until(lambda b: grid_names(b)[:3] == by_sales[:3])
    assert browser.title == "Products · Storefront Analytics"
    wait_for(browser, "#products-pairs-table")
    wait_for(browser, "#products-trend .js-plotly-plot")
    time.sleep(0.5)  # let the plot draw before the picture
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        browser.set_window_size(1366, 2250)
        time.sleep(0.5)
        browser.save_screenshot(str(Path(SCREENSHOT_DIR) / "products.png"))
        browser.set_window_size(1366, 900)

    browser.find_element(
        "css selector", "label[for='_dbcprivate_radioitems_products-sort_input_margin']"
    ).click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("&sort=margin"))
    WebDriverWait(browser, 20).until(lambda b: grid_names(b)[:3] == by_margin[:3])
    assert browser.find_elements("css selector", ".dash-fe-error__title") == []
    assert console_errors(browser) == []
