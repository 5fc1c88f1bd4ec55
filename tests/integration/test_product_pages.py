"""The products page, the dashboard's profit card and a customer's products, as callbacks: the
figures equal the lines and returns sent through the service layer."""

from __future__ import annotations

import base64
import io

import openpyxl
import sqlalchemy as sa

from app.dash_apps.pages import dashboard, products, render_page
from app.database import begin_write
from app.extensions import db
from app.models import AuditLog, Customer
from app.pipeline.ingest import ingest_orders
from app.pipeline.records import OrderIn
from tests.factories import OrderFactory
from tests.integration.test_pages import as_user, find, text_of
from tests.product_shop import EXPECTED, build_product_shop
from tests.refresh import refresh

MARCH = "?start=2026-03-01&end=2026-03-31"


def rows_of(component) -> list[list[str]]:
    """A dbc.Table's body as text, row by row."""
    body = component.children[1]
    return [[text_of(cell) for cell in row.children] for row in body.children]


def test_products_page_kpis_equal_the_lines_sent_with_the_cost_known_share(app):
    build_product_shop()
    empty, shown_style, kpis, grid, categories, trend_box, movers, returns = (
        products.update_products(MARCH)
    )
    assert empty is None and shown_style == {}
    trend = find(trend_box, "products-trend").figure
    shown = {
        card: text_of(find(kpis, card))
        for card in (
            "products-net-sales",
            "products-units",
            "products-gross-profit",
            "products-gross-profit-note",
            "products-margin",
            "products-returns-total",
        )
    }
    profit, costed, net = EXPECTED["gross_profit"], EXPECTED["costed_sales"], EXPECTED["net_sales"]
    assert shown == {
        "products-net-sales": f"${net / 100:,.2f}",  # $230.00
        "products-units": str(EXPECTED["units"]),
        "products-gross-profit": f"${profit / 100:,.2f}",  # $78.00, cards left out
        "products-gross-profit-note": f"cost known for {costed / net:.0%} of net sales",  # 65%
        "products-margin": f"{profit / costed:.0%}",  # 52% of the costed sales
        "products-returns-total": f"${EXPECTED['returns'] / 100:,.2f}",
    }
    # Sorted by net sales: the mug (after its return), the gift card, the tea.
    assert [(r["name"], r["net_sales"]) for r in grid] == [
        ("Stoneware mug", "$90.00"),
        ("Gift card", "$80.00"),
        ("Breakfast tea", "$60.00"),
    ]
    card = next(r for r in grid if r["name"] == "Gift card")
    # No cost known for the gift card: no profit, not a profit equal to its sales.
    assert (card["gross_profit"], card["margin"], card["cost_known"]) == ("—", "—", "0%")
    mug = grid[0]
    assert (mug["gross_profit"], mug["margin"], mug["return_rate"]) == ("$54.00", "60%", "10%")
    tea = grid[2]
    assert tea["change"] == "$50.00 (+500%)"  # against February's two teas
    assert rows_of(categories)[0][:5] == ["Kitchen", "1", "$90.00", "10", "$54.00"]
    assert sum(trend["data"][0]["y"]) == net / 100
    assert sum(trend["data"][1]["y"]) == profit / 100
    assert len(trend["data"][0]["x"]) == 31
    assert [row[0] for row in rows_of(find(movers, "products-movers-table"))] == [
        "▲ Stoneware mug",
        "▲ Gift card",
        "▲ Breakfast tea",
    ]
    assert rows_of(returns) == [["Stoneware mug", "Kitchen", "$100.00", "$10.00", "1", "10%"]]


def test_products_sort_by_margin_puts_unknown_costs_last(app):
    build_product_shop()
    _empty, _style, _kpis, grid, *_ = products.update_products(MARCH + "&sort=margin")
    assert [(r["name"], r["margin"]) for r in grid] == [
        ("Stoneware mug", "60%"),
        ("Breakfast tea", "40%"),
        ("Gift card", "—"),
    ]
    _empty, _style, _kpis, by_units, *_ = products.update_products(MARCH + "&sort=units")
    assert [r["units"] for r in by_units] == ["12", "10", "4"]


def test_pairs_show_support_confidence_and_lift_and_first_products_their_repeat_rate(app):
    build_product_shop()
    pairs, firsts = products.update_baskets(MARCH)
    total = EXPECTED["orders_with_lines"]  # 16 orders; 10 hold both, 10 the mug, 12 the tea
    assert rows_of(find(pairs, "products-pairs-table")) == [
        [
            "Stoneware mug",
            "Breakfast tea",
            "10",
            f"{10 / total:.1%}",  # 62.5%
            "100%",
            f"{10 / 12:.0%}",
            f"{10 * total / (10 * 12):.2f}",  # lift 1.33
        ]
    ]
    # Ten new customers started with the mug (and tea), two more with tea alone; three of
    # the first ten came back for a gift card.
    assert rows_of(firsts) == [
        ["Stoneware mug", "10", "3", "30%"],
        ["Breakfast tea", "12", "3", "25%"],
    ]


def test_a_shop_without_lines_is_told_products_come_with_lines_not_shown_zeros(app):
    OrderFactory(subtotal=5_000)  # an order without lines
    refresh()
    empty, body_style, kpis, grid, categories, trend, *_ = products.update_products(MARCH)
    assert "once orders arrive with their lines" in text_of(empty)
    assert body_style == {"display": "none"}
    assert kpis == [] and grid == [] and categories is None and trend is None
    pairs, _firsts = products.update_baskets(MARCH)
    assert "No orders with lines yet" in text_of(pairs)
    _empty, dashboard_kpis, *_ = dashboard.update_dashboard(MARCH)
    assert "once orders arrive with their lines" in text_of(
        find(dashboard_kpis, "dashboard-profit-missing")
    )
    assert find(dashboard_kpis, "dashboard-gross-profit") is None


def test_dashboard_shows_gross_profit_and_margin_with_the_cost_known_share(app):
    build_product_shop()
    _empty, kpis, *_ = dashboard.update_dashboard(MARCH)
    profit, costed, net = EXPECTED["gross_profit"], EXPECTED["costed_sales"], EXPECTED["net_sales"]
    assert text_of(find(kpis, "dashboard-gross-profit")) == f"${profit / 100:,.2f}"
    assert text_of(find(kpis, "dashboard-gross-profit-note")) == (
        f"cost known for {costed / net:.0%} of net sales"
    )
    assert text_of(find(kpis, "dashboard-margin")) == f"{profit / costed:.0%}"
    # February sold tea at a 40% margin; March 52%: a relative rise of 30%.
    margin_card = next(col for col in kpis if find(col, "dashboard-margin") is not None)
    assert "▲ 30.0% vs previous period" in text_of(margin_card)


def test_exports_keep_numbers_as_numbers_and_leave_unknown_profit_blank(app):
    build_product_shop()
    context = as_user(app, "viewer")
    try:
        csv_payload = products.export_table("products", MARCH, "csv")
        xlsx_payload = products.export_table("categories", MARCH, "xlsx")
    finally:
        context.pop()
    lines = csv_payload["content"].splitlines()
    assert lines[0].startswith("product_id,name,sku,category,net_sales_USD,units,gross_profit_USD")
    assert lines[1] == "MUG,Stoneware mug,MUG-1,Kitchen,90.00,10,54.00,0.6,1.0,10.00,0.1,0.00,90.00"
    assert lines[2].startswith("CARD,Gift card,,Gifts,80.00,4,,,0.0,")
    assert csv_payload["filename"] == "products_2026-03-01_to_2026-03-31_USD.csv"
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(xlsx_payload["content"]))).active
    header = [cell.value for cell in sheet[2]]
    by_category = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    kitchen = by_category["Kitchen"]
    net = kitchen[header.index("net_sales_USD")]
    margin = kitchen[header.index("margin")]
    assert (net.value, net.data_type) == (90.0, "n")
    assert (margin.value, margin.number_format) == (0.6, "0.0%")
    assert by_category["Gifts"][header.index("gross_profit_USD")].value is None
    audits = db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id)).all()
    assert [(a.action, a.target, a.details["rows"]) for a in audits] == [
        ("export", "products", 3),
        ("export", "product-categories", 3),
    ]


def test_a_customer_profile_lists_what_they_bought_net_of_their_returns(app):
    build_product_shop()
    customer = db.session.scalar(sa.select(Customer).where(Customer.external_id == "PC1"))
    context = as_user(app, "viewer")
    try:
        page = render_page(f"/analytics/customers/{customer.id}/")
        other = db.session.scalar(sa.select(Customer).where(Customer.external_id == "PC11"))
        tea_only = render_page(f"/analytics/customers/{other.id}/")
    finally:
        context.pop()
    # The gift card (20.00), the tea (5.00), the mug they sent back (10.00 − 10.00).
    assert rows_of(find(page, "customer-products")) == [
        ["Gift card", "Gifts", "1", "$20.00", "2026-03-20"],
        ["Breakfast tea", "Pantry", "1", "$5.00", "2026-03-05"],
        ["Stoneware mug", "Kitchen", "1", "$0.00", "2026-03-05"],
    ]
    assert rows_of(find(tea_only, "customer-products")) == [
        ["Breakfast tea", "Pantry", "1", "$5.00", "2026-03-06"]
    ]


def test_the_products_page_is_routed_and_only_for_signed_in_staff(client, auth, viewer):
    assert client.get("/analytics/products/").status_code == 302
    response = client.post(
        "/analytics/_dash-update-component",
        json={"output": "products-products-download.data", "inputs": [], "state": []},
    )
    assert response.status_code == 401
    auth.login(viewer.email)
    assert client.get("/analytics/products/").status_code == 200
    assert find(render_page("/analytics/products/"), "products-page") is not None


def test_today_so_far_is_shown_without_a_comparison_the_day_tables_cannot_make(app):
    from app.timeutil import utc_now

    build_product_shop()
    order = OrderIn().load(
        {
            "external_id": "TODAY-1",
            "customer_id": "PC1",
            "placed_at": utc_now().isoformat(),
            "subtotal": 1_000,
            "lines": [{"product_id": "MUG", "quantity": 1, "unit_price": 1_000}],
        }
    )
    begin_write(db.session)
    ingest_orders(db.session, [order])
    db.session.commit()
    refresh()
    _empty, _style, kpis, grid, _categories, _trend, movers, _returns = products.update_products(
        "?range=today"
    )
    net_card = next(col for col in kpis if find(col, "products-net-sales") is not None)
    assert text_of(find(net_card, "products-net-sales")) == "$10.00"
    # Per-day figures cannot be cut at this hour of an earlier day: no comparison at all.
    assert "vs" not in text_of(net_card)
    assert grid[0]["change"] == ""
    assert "compare whole days" in text_of(movers)
    _empty, dashboard_kpis, *_ = dashboard.update_dashboard("?range=today")
    profit_card = next(c for c in dashboard_kpis if find(c, "dashboard-gross-profit") is not None)
    assert text_of(find(profit_card, "dashboard-gross-profit")) == "$6.00"  # 10.00 − 4.00
    assert "vs" not in text_of(profit_card)


def test_a_customer_whose_orders_had_no_lines_is_told_so(app):
    buyer = OrderFactory(subtotal=5_000).customer
    refresh()
    context = as_user(app, "viewer")
    try:
        page = render_page(f"/analytics/customers/{buyer.id}/")
    finally:
        context.pop()
    assert find(page, "customer-products") is None
    assert "came without lines" in text_of(find(page, "customer-products-none"))
