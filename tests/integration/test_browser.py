"""People's paths through a real headless Chromium against a live server on loopback."""

from __future__ import annotations

import csv
import os
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.analytics.dashboard import dashboard_kpis, revenue_by_channel
from app.analytics.periods import DateRange
from app.demo import DemoSpec, generate_shop, load_shop
from app.extensions import db
from app.formatting import format_count, format_money, to_major
from app.models import Campaign
from app.models.enums import CHANNEL_LABELS
from tests.factories import UserFactory
from tests.integration.browser import chromium, console_errors, live_server, require_browser
from tests.integration.http import call
from tests.refresh import backfill

pytestmark = pytest.mark.browser

END = date(2026, 3, 31)
MARCH = DateRange(date(2026, 3, 1), END)
RANGE = "?start=2026-03-01&end=2026-03-31"
PAGES = {
    "orders": "/analytics/orders/",
    "dashboard": "/analytics/dashboard/",
    "revenue-streams": "/analytics/revenue-streams/",
    "products": "/analytics/products/",  # a shop without lines: the empty state
    "customers": "/analytics/customers/",
    "campaigns": "/analytics/campaigns/",
    "campaign-detail": "/analytics/campaigns/1/",
    "funnel": "/analytics/funnel/",
    "alerts": "/analytics/alerts/",
    "settings": "/analytics/settings/",
    "cohorts": "/analytics/cohorts/",  # last: the empty-shop walk ends on its empty state
}
TAB_TITLES = {
    "orders": "Orders",
    "dashboard": "Dashboard",
    "revenue-streams": "Revenue",
    "products": "Products",
    "customers": "Customers",
    "campaigns": "Campaigns",
    "campaign-detail": "Campaign",
    "funnel": "Funnel",
    "cohorts": "Cohorts",
    "alerts": "Alerts",
    "settings": "Settings",
}
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR")
# Names the elements that stick out to the right (outside scrolling tables), for the message.
OVERFLOWING_ELEMENTS = """
const width = document.documentElement.clientWidth;
return [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.table-responsive'))
  .slice(0, 5).map(e => `${e.tagName}#${e.id}.${e.className}`.slice(0, 60));
"""


@pytest.fixture
def demo_shop(app):
    spec = DemoSpec.build(
        orders=4000, days=120, seed=5, timezone="UTC", end_date=END, event_days=45
    )
    load_shop(db.session, generate_shop(spec))
    backfill(DateRange(spec.start_date, END), END)
    db.session.commit()


@pytest.fixture
def downloads(tmp_path):
    return tmp_path


@pytest.fixture
def browser(downloads):
    require_browser()
    with chromium(download_dir=str(downloads)) as driver:
        yield driver


@pytest.fixture
def server(make_app):
    with live_server(make_app(WTF_CSRF_ENABLED=True)) as base_url:
        yield base_url


def wait_for(browser, css: str, timeout: float = 20):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout).until(
        ready.visibility_of_element_located((By.CSS_SELECTOR, css))
    )


def wait_text(browser, css: str, expected: str, timeout: float = 20) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, timeout).until(
        ready.text_to_be_present_in_element((By.CSS_SELECTOR, css), expected)
    )


def sign_in(browser, server: str, email: str, path: str = "/analytics/dashboard/" + RANGE) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + path)
    assert "/login" in browser.current_url  # the gate sent us to sign in first
    browser.find_element(By.NAME, "email").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys("correct horse battery")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(browser, "#page-content h1")


def plot_points(browser, graph_id: str) -> int:
    return browser.execute_script(
        "const plot = document.querySelector(`#${arguments[0]} .js-plotly-plot`);"
        "return plot && plot.data && plot.data.length ? plot.data[0].x.length : -1;",
        graph_id,
    )


def test_viewer_signs_in_and_reads_the_figures_the_database_holds(
    app, demo_shop, browser, server, viewer
):
    kpis = dashboard_kpis(db.session, MARCH).current
    currency = app.config["SHOP_CURRENCY"]
    sign_in(browser, server, viewer.email)
    wait_text(browser, "#dashboard-net-revenue", format_money(kpis.net_revenue, currency))
    assert browser.find_element("id", "dashboard-orders").text == format_count(kpis.orders)
    assert browser.find_element("id", "dashboard-aov").text == format_money(kpis.aov, currency)
    assert browser.current_url.endswith("/analytics/dashboard/" + RANGE)  # next= kept the range
    wait_text(browser, "#shell-as-of", "Figures as of")
    assert console_errors(browser) == []
    browser.find_element("id", "shell-sign-out").click()  # a POST with the CSRF token
    wait_for(browser, "input[name=email]")
    browser.get(server + "/analytics/dashboard/")
    assert "/login" in browser.current_url


def test_changing_the_range_changes_the_chart_and_the_url(app, demo_shop, browser, server, viewer):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    sign_in(browser, server, viewer.email)
    WebDriverWait(browser, 20).until(lambda b: plot_points(b, "dashboard-trend") == 31)
    browser.find_element(
        By.CSS_SELECTOR, "label[for='_dbcprivate_radioitems_shell-range-preset_input_7']"
    ).click()
    WebDriverWait(browser, 20).until(lambda b: plot_points(b, "dashboard-trend") == 7)
    assert browser.current_url.endswith("?days=7")
    # The range travels with the navigation.
    assert browser.find_element("id", "shell-nav-revenue").get_attribute("href").endswith("?days=7")


def test_trends_group_by_week_and_month_kept_in_the_url(app, demo_shop, browser, server, viewer):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    sign_in(browser, server, viewer.email)
    WebDriverWait(browser, 20).until(lambda b: plot_points(b, "dashboard-trend") == 31)
    browser.find_element(
        By.CSS_SELECTOR, "label[for='_dbcprivate_radioitems_dashboard-grain_input_week']"
    ).click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith(RANGE + "&group=week"))
    WebDriverWait(browser, 20).until(lambda b: plot_points(b, "dashboard-trend") == 6)
    browser.get(server + "/analytics/revenue-streams/" + RANGE + "&group=month")
    WebDriverWait(browser, 20).until(lambda b: plot_points(b, "revenue-streams-trend") == 1)
    titles = [
        t.text for t in browser.find_elements("css selector", "#revenue-streams-trend .ytitle")
    ]
    assert titles == [f"Net revenue per month ({app.config['SHOP_CURRENCY']})"]
    assert console_errors(browser) == []


def test_filters_are_kept_in_the_url_and_a_segment_opens_its_customers(
    app, demo_shop, browser, server, viewer
):
    from selenium.webdriver.support.ui import Select, WebDriverWait

    sign_in(browser, server, viewer.email, "/analytics/campaigns/" + RANGE)
    wait_for(browser, "#campaigns-status-filter")
    browser.find_element(
        "css selector",
        "label[for='_dbcprivate_radioitems_campaigns-status-filter_input_completed']",
    ).click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("&status=completed"))
    browser.refresh()
    WebDriverWait(browser, 20).until(
        lambda b: b.find_element(
            "id", "_dbcprivate_radioitems_campaigns-status-filter_input_completed"
        ).is_selected()
    )
    browser.get(server + "/analytics/funnel/" + RANGE + "&channel=social")
    wait_for(browser, "#funnel-page")
    WebDriverWait(browser, 20).until(
        lambda b: (
            Select(b.find_element("id", "funnel-channel")).first_selected_option.get_attribute(
                "value"
            )
            == "social"
        )
    )
    # A segment on the dashboard opens the customers of that segment.
    browser.get(server + "/analytics/dashboard/" + RANGE)
    link = wait_for(browser, "#dashboard-segments-table a")
    segment = link.text
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", link)
    time.sleep(0.3)
    link.click()
    wait_text(browser, "#customers-segment-filter", f"only the segment {segment}")
    WebDriverWait(browser, 20).until(
        lambda b: b.find_elements("css selector", "#customers-top-grid .ag-row [col-id='segment']")
    )
    shown = {
        cell.text
        for cell in browser.find_elements(
            "css selector", "#customers-top-grid .ag-row [col-id='segment']"
        )
    }
    assert shown == {segment}
    assert console_errors(browser) == []


def test_a_link_with_an_impossible_range_is_corrected_and_says_so(
    app, demo_shop, browser, server, viewer
):
    from selenium.webdriver.support.ui import WebDriverWait

    sign_in(browser, server, viewer.email, "/analytics/dashboard/?start=2026-03-31&end=2026-03-01")
    wait_text(browser, "#shell-range-problem", "ends (2026-03-01) before it starts")
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("?days=30"))
    WebDriverWait(browser, 20).until(lambda b: plot_points(b, "dashboard-trend") == 30)
    # Any day count the API accepts is a range the page shows: a year ending yesterday.
    browser.get(server + "/analytics/dashboard/?days=365")
    WebDriverWait(browser, 20).until(lambda b: plot_points(b, "dashboard-trend") == 365)
    yesterday = date.fromordinal(date.today().toordinal() - 1)
    wait_text(browser, "#shell-range-description", f"– {yesterday:%d %b %Y}, vs previous period")
    assert not any(e.is_displayed() for e in browser.find_elements("id", "shell-range-problem"))
    assert console_errors(browser) == []


def test_comparison_selector_compares_with_the_same_weeks_last_year(
    app, demo_shop, browser, server, viewer
):
    from selenium.webdriver.support.ui import Select, WebDriverWait

    sign_in(browser, server, viewer.email)
    wait_text(browser, "#dashboard-kpis", "vs previous period")
    Select(browser.find_element("id", "shell-range-compare")).select_by_value("year")
    WebDriverWait(browser, 20).until(lambda b: "compare=year" in b.current_url)
    assert browser.current_url.endswith(RANGE + "&compare=year")
    # March 2026 against the same weekdays of 2025: 2025-03-02 to 2025-04-01.
    wait_text(browser, "#dashboard-kpis", "vs same period last year")
    wait_text(
        browser, "#shell-range-description", "vs same period last year (02 Mar 2025 – 01 Apr 2025)"
    )
    # The demo shop starts in December 2025: nothing to compare with a year before.
    wait_text(browser, "#dashboard-kpis", "was 0")
    browser.refresh()  # the comparison is in the URL, so it survives a reload
    wait_text(browser, "#dashboard-kpis", "vs same period last year")
    assert (
        Select(
            browser.find_element("id", "shell-range-compare")
        ).first_selected_option.get_attribute("value")
        == "year"
    )


def test_today_so_far_is_compared_with_the_same_hours_a_week_earlier(
    app, demo_shop, browser, server, viewer
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    sign_in(browser, server, viewer.email)
    browser.find_element(
        By.CSS_SELECTOR, "label[for='_dbcprivate_radioitems_shell-range-preset_input_today']"
    ).click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith("?range=today"))
    wait_text(browser, "#shell-range-description", "Showing today so far")
    wait_text(browser, "#dashboard-kpis", "vs the same hours a week earlier")
    for preset, words in (("mtd", "Showing 01 "), ("last-month", "Showing 01 ")):
        browser.find_element(
            By.CSS_SELECTOR,
            f"label[for='_dbcprivate_radioitems_shell-range-preset_input_{preset}']",
        ).click()
        WebDriverWait(browser, 20).until(lambda b, p=preset: b.current_url.endswith(f"?range={p}"))
        wait_text(browser, "#shell-range-description", words)
    assert console_errors(browser) == []


def test_the_range_bar_is_shown_only_where_it_changes_the_figures(
    app, demo_shop, browser, server, viewer
):
    from selenium.webdriver.support.ui import WebDriverWait

    sign_in(browser, server, viewer.email)
    assert browser.find_element("id", "shell-range-bar").is_displayed()
    for path in ("/analytics/campaigns/1/",):  # its whole run, unless a range is asked for
        browser.get(server + path)
        wait_for(browser, "#page-content h1")
        WebDriverWait(browser, 10).until(
            lambda b: not b.find_element("id", "shell-range-bar").is_displayed()
        )
    browser.get(server + "/analytics/funnel/" + RANGE)
    wait_for(browser, "#funnel-page")
    WebDriverWait(browser, 10).until(
        lambda b: b.find_element("id", "shell-range-bar").is_displayed()
    )


def test_axis_titles_are_drawn_with_their_units(app, demo_shop, browser, server, viewer):
    from selenium.webdriver.support.ui import WebDriverWait

    currency = app.config["SHOP_CURRENCY"]
    sign_in(browser, server, viewer.email)
    WebDriverWait(browser, 20).until(lambda b: plot_points(b, "dashboard-trend") == 31)
    titles = [t.text for t in browser.find_elements("css selector", "#dashboard-trend .ytitle")]
    assert titles == [f"Net revenue per day ({currency})"]
    assert browser.find_elements("css selector", "#dashboard-trend .modebar-btn--logo") == []


def test_a_figure_opens_the_orders_and_customers_behind_it(app, demo_shop, browser, server, viewer):
    """Drill-down in the browser: a click on a trend day opens that day's orders, whose net
    revenue equals the dashboard's for that day; a channel opens its orders; a customer opens
    their profile."""
    import re

    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    currency = app.config["SHOP_CURRENCY"]
    sign_in(browser, server, viewer.email)
    WebDriverWait(browser, 20).until(lambda b: plot_points(b, "dashboard-trend") == 31)
    drag = browser.find_element("css selector", "#dashboard-trend .nsewdrag")
    ActionChains(browser).move_to_element(drag).pause(0.5).click().perform()
    WebDriverWait(browser, 20).until(lambda b: "/analytics/orders/?start=" in b.current_url)
    day = re.search(r"start=(\d{4}-\d{2}-\d{2})&end=\1", browser.current_url).group(1)
    one_day = DateRange(date.fromisoformat(day), date.fromisoformat(day))
    expected = dashboard_kpis(db.session, one_day).current.net_revenue
    wait_text(browser, "#orders-net-revenue", format_money(expected, currency))
    assert browser.title == "Orders · Storefront Analytics"
    # A channel on the revenue page opens its orders for the same range.
    browser.get(server + "/analytics/revenue-streams/" + RANGE)
    wait_for(browser, "#revenue-streams-open-web").click()
    WebDriverWait(browser, 20).until(lambda b: b.current_url.endswith(RANGE + "&channel=web"))
    web = next(c for c in revenue_by_channel(db.session, MARCH) if c.channel == "web")
    wait_text(browser, "#orders-net-revenue", format_money(web.net_revenue, currency))
    # A customer in the list opens their profile.
    wait_for(browser, "#orders-list a").click()
    wait_for(browser, "#customer-page")
    assert re.search(r"/analytics/customers/\d+/$", browser.current_url)
    assert browser.find_element("id", "customer-ltv").text.startswith("$")
    assert console_errors(browser) == []


def test_every_page_renders_without_errors(app, demo_shop, browser, server, viewer):
    sign_in(browser, server, viewer.email)
    for prefix, path in PAGES.items():
        browser.get(server + path + RANGE)
        wait_for(browser, f"#{prefix}-page")
        time.sleep(0.5)  # let the page's callbacks settle before looking for errors
        assert browser.find_elements("css selector", ".dash-fe-error__title") == [], path
        assert browser.title == f"{TAB_TITLES[prefix]} · Storefront Analytics", path
        if SCREENSHOT_DIR:
            Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
            browser.save_screenshot(str(Path(SCREENSHOT_DIR) / f"{prefix}.png"))
    assert console_errors(browser) == []


def test_manager_creates_a_campaign_and_finds_it_in_the_list(app, browser, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    manager = UserFactory(role="manager")
    sign_in(browser, server, manager.email, "/analytics/campaigns/")
    for name, value in {
        "name": "Browser Week",
        "code": "browser1",
        "budget": "120",
        "starts_on": "03/01/2026",
    }.items():
        field = wait_for(browser, f"#campaigns-form-{name}")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", field)
        if name != "starts_on":
            field.clear()
        field.send_keys(value)
    save = browser.find_element(By.ID, "campaigns-form-save")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", save)
    save.click()
    wait_for(browser, "#campaigns-form-saved")
    wait_text(browser, "#campaigns-list", "BROWSER1")
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == "BROWSER1"))
    assert (campaign.name, campaign.budget, campaign.starts_on) == (
        "Browser Week",
        12_000,
        date(2026, 3, 1),
    )
    # The form is blank for the next campaign; picking one loads it, "New campaign" blanks it.
    assert browser.find_element(By.ID, "campaigns-form-name").get_attribute("value") == ""
    picker = Select(browser.find_element(By.ID, "campaigns-form-edit"))
    picker.select_by_value(str(campaign.id))
    WebDriverWait(browser, 10).until(
        lambda b: (
            b.find_element(By.ID, "campaigns-form-name").get_attribute("value") == "Browser Week"
        )
    )
    picker.select_by_value("new")
    WebDriverWait(browser, 10).until(
        lambda b: b.find_element(By.ID, "campaigns-form-name").get_attribute("value") == ""
    )
    # A discount out of range is explained, never saved as something else.
    for name, value in {"name": "Too Much", "code": "much", "discount_percent": "150"}.items():
        field = browser.find_element(By.ID, f"campaigns-form-{name}")
        field.clear()
        field.send_keys(value)
    browser.find_element(By.ID, "campaigns-form-save").click()
    wait_text(browser, "#campaigns-form-discount_percent-error", "whole percentage from 0 to 100")
    assert db.session.scalar(sa.select(Campaign).where(Campaign.code == "MUCH")) is None


def test_viewer_gets_no_campaign_form(app, browser, server, viewer):
    sign_in(browser, server, viewer.email, "/analytics/campaigns/")
    wait_for(browser, "#campaigns-read-only")
    assert browser.find_elements("id", "campaigns-form") == []


def test_channel_csv_download_matches_the_engine(
    app, demo_shop, browser, server, viewer, downloads, reader
):
    sign_in(browser, server, viewer.email, "/analytics/revenue-streams/" + RANGE)
    wait_for(browser, "#revenue-streams-channels")
    browser.find_element("id", "revenue-streams-channels-csv").click()
    target = downloads / "revenue-by-channel_2026-03-01_to_2026-03-31_USD.csv"
    deadline = time.monotonic() + 20
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    with target.open() as exported:
        rows = list(csv.DictReader(exported))
    expected = {
        CHANNEL_LABELS[c.channel]: str(to_major(c.net_revenue, "USD"))
        for c in revenue_by_channel(db.session, MARCH)
    }
    assert {row["channel"]: row["net_revenue_USD"] for row in rows} == expected
    # The page's table, the export and the API say the same for the same range.
    shown = {
        cells[0].text: cells[1].text
        for cells in (
            row.find_elements("css selector", "td")
            for row in browser.find_elements("css selector", "#revenue-streams-channels tbody tr")
        )
        if cells[0].text != "Total"
    }
    status, api = call(f"{server}/api/v1/channels{RANGE}", reader)
    assert status == 200
    from_api = {CHANNEL_LABELS[c["channel"]]: c["net_revenue"] for c in api}
    assert {name: money["amount"] for name, money in from_api.items()} == expected
    assert shown == {name: format_money(from_api[name]["minor"], "USD") for name in expected}


def test_interactive_api_docs_load_from_our_own_server(app, browser, server, viewer, reader):
    from selenium.webdriver.support.ui import WebDriverWait

    assert call(f"{server}/api/v1/openapi.json")[0] == 401  # not signed in, no token
    status, document = call(f"{server}/api/v1/openapi.json", reader)
    assert status == 200
    methods = {"get", "post", "put", "patch", "delete"}
    operations = sum(len(methods & set(path)) for path in document["paths"].values())
    sign_in(browser, server, viewer.email)
    browser.get(f"{server}/api/v1/docs")
    WebDriverWait(browser, 20).until(
        lambda b: len(b.find_elements("css selector", ".opblock")) == operations
    )
    assert operations >= 15
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert loaded and all(url.startswith(server) for url in loaded)
    viewport = browser.find_element("css selector", "meta[name=viewport]")
    assert "width=device-width" in viewport.get_attribute("content")  # readable on a phone
    assert console_errors(browser) == []


def test_the_content_security_policy_lets_dash_run_and_blocks_injected_script(
    app, demo_shop, browser, server, viewer
):
    from selenium.webdriver.support.ui import WebDriverWait

    sign_in(browser, server, viewer.email)
    WebDriverWait(browser, 20).until(lambda b: plot_points(b, "dashboard-trend") == 31)
    assert console_errors(browser) == []  # Dash and Plotly ran under the policy
    browser.execute_script(
        "const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        "document.body.appendChild(s);"
    )
    assert browser.execute_script("return window.injected === undefined")
    assert any("Content Security Policy" in message for message in console_errors(browser))


def test_an_admin_revokes_a_token_in_the_admin_screens(app, browser, server, runner):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    from app.models import ApiToken
    from tests.integration.http import create_token

    admin = UserFactory(email="admin@shop.test", role="admin")
    create_token(runner)
    sign_in(browser, server, admin.email)
    browser.get(f"{server}/admin/api_tokens/")
    wait_for(browser, "input.action-checkbox").click()
    browser.find_element(By.XPATH, "//a[contains(., 'With selected')]").click()
    wait_for(browser, "a.dropdown-item[onclick*=revoke]").click()
    WebDriverWait(browser, 10).until(ready.alert_is_present()).accept()
    wait_text(browser, ".alert", "Revoked 1 token(s).")
    db.session.expire_all()
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is not None
    assert console_errors(browser) == []


def test_pages_fit_a_phone_screen_without_sideways_scrolling(
    app, demo_shop, browser, server, viewer
):
    sign_in(browser, server, viewer.email)
    browser.set_window_size(390, 844)
    for prefix, path in PAGES.items():
        browser.get(server + path + RANGE)
        wait_for(browser, f"#{prefix}-page")
        time.sleep(0.3)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;"
        )
        widest = browser.execute_script(OVERFLOWING_ELEMENTS)
        assert overflow <= 1, (path, overflow, widest)
    if SCREENSHOT_DIR:
        browser.get(server + PAGES["dashboard"] + RANGE)
        wait_for(browser, "#dashboard-net-revenue")
        browser.save_screenshot(str(Path(SCREENSHOT_DIR) / "dashboard-phone.png"))


def test_an_empty_shop_explains_itself_on_every_page(app, browser, server, viewer):
    sign_in(browser, server, viewer.email)
    for prefix, path in PAGES.items():
        browser.get(server + path)
        expected = (
            "#campaign-detail-not-found" if prefix == "campaign-detail" else f"#{prefix}-page"
        )
        wait_for(browser, expected)
        time.sleep(0.3)
        assert browser.find_elements("css selector", ".dash-fe-error__title") == [], path
    wait_for(browser, "#cohorts-empty-state")
    assert console_errors(browser) == []


# Every plot on the page: whether it has anything to show, and the axis titles its layout sets
# that the SVG does not draw.
CHART_REPORT = """
return [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
  const id = plot.closest('[id]') ? plot.closest('[id]').id : '?';
  const traces = (plot.data || []);
  const points = traces.reduce((n, t) => n + ((t.x || t.values || t.z || t.y || []).length), 0);
  const empty = (plot.layout.annotations || []).length > 0 && points === 0;
  const svgText = [...plot.querySelectorAll('text')].map(t => t.textContent).join('|');
  const missing = Object.entries(plot.layout)
    .filter(([name, axis]) => /^[xy]axis\\d*$/.test(name) && axis && axis.title)
    .map(([, axis]) => (typeof axis.title === 'string' ? axis.title : axis.title.text))
    .filter(text => text)
    .filter(text => !svgText.includes(text));
  return {id, points, empty, missing};
});
"""


def test_after_first_run_every_page_has_its_figures_at_desktop_and_phone_width(
    app, runner, browser, server, viewer, reader
):
    """What `make run` leaves behind, walked at 1440 and 390 px: the demo seed (with its model
    fit) through the real command, every page, no console error, no empty chart, every axis
    title drawn, and the customers grid opening a profile."""
    from selenium.webdriver.support.ui import WebDriverWait

    seeded = runner.invoke(args=["demo", "seed", "--orders", "6000", "--days", "365"])
    assert seeded.exit_code == 0, seeded.output
    assert "Predictive model fitted" in seeded.output
    sign_in(browser, server, viewer.email, "/analytics/dashboard/")
    for width in (1440, 390):
        browser.set_window_size(width, 900)
        for prefix, path in PAGES.items():
            if prefix == "campaign-detail":
                path = "/analytics/campaigns/1/"
            browser.get(server + path)
            wait_for(browser, f"#{prefix}-page")
            WebDriverWait(browser, 20).until(
                lambda b: not b.find_elements("css selector", "[data-dash-is-loading='true']")
            )
            time.sleep(1.0)  # let the charts draw
            assert browser.find_elements("css selector", ".dash-fe-error__title") == [], path
            charts = browser.execute_script(CHART_REPORT)
            assert [c for c in charts if c["empty"] or not c["points"]] == [], (width, path)
            assert [c for c in charts if c["missing"]] == [], (width, path)
            assert browser.find_elements("id", "customers-model-missing") == [], path
        browser.get(server + "/analytics/customers/1/")
        wait_for(browser, "#customer-page")
        assert console_errors(browser) == [], width
    # The dashboard, the API and the export say the same for the same range.
    browser.get(server + "/analytics/dashboard/?days=30")
    status, api = call(f"{server}/api/v1/kpis?days=30", reader)
    assert status == 200
    wait_text(
        browser,
        "#dashboard-net-revenue",
        format_money(api["current"]["net_revenue"], app.config["SHOP_CURRENCY"]),
    )
    # The customers grid at 1440 px: headers whole, the customer cell a link to the profile.
    browser.set_window_size(1440, 900)
    browser.get(server + "/analytics/customers/")
    cell = wait_for(browser, "#customers-top-grid .ag-row [col-id='customer_id'] a")
    cut = browser.execute_script(
        "return [...document.querySelectorAll('#customers-top-grid .ag-header-cell-text')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent);"
    )
    assert cut == []
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", cell)
    time.sleep(0.3)
    cell.click()
    wait_for(browser, "#customer-page")
    assert browser.find_element("id", "customer-p-alive").text.endswith("%")
