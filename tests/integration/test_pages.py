"""The Dash pages as functions: real figures from the database, and a proper not-found."""

from __future__ import annotations

from app.analytics.overview import shop_totals
from app.dash_apps.pages import render_page
from app.extensions import db
from app.models import Campaign
from tests.factories import CampaignFactory, OrderFactory, RefundFactory


def find(component, element_id: str):
    """Depth-first search of a Dash component tree by id."""
    if getattr(component, "id", None) == element_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            found = find(child, element_id)
            if found is not None:
                return found
    return None


def test_dashboard_shows_counted_orders_customers_and_net_revenue(app):
    first = OrderFactory(subtotal=10_000, discount=1_000, status="completed")
    OrderFactory(subtotal=5_000, status="completed", customer=first.customer)
    OrderFactory(subtotal=7_777, status="cancelled")
    OrderFactory(subtotal=3_000, status="pending")
    RefundFactory(order=first, amount=2_500)
    page = render_page("/analytics/dashboard/")
    assert find(page, "dashboard-orders").children == "2"
    assert find(page, "dashboard-customers").children == "3"
    # (10,000 − 1,000) + 5,000 − 2,500 refunded = 11,500 cents
    assert find(page, "dashboard-net-revenue").children == "$115.00"


def test_every_page_reads_the_same_totals(app):
    OrderFactory(subtotal=4_200, status="completed")
    campaign = CampaignFactory()
    for path, prefix in [
        ("/analytics/revenue-streams/", "revenue-streams"),
        ("/analytics/customers/", "customers"),
        ("/analytics/campaigns/", "campaigns"),
        (f"/analytics/campaigns/{campaign.id}/", "campaign-detail"),
    ]:
        assert find(render_page(path), f"{prefix}-net-revenue").children == "$42.00", path


def test_unknown_campaign_and_unknown_path_get_not_found_pages(app):
    assert find(render_page("/analytics/campaigns/999999/"), "campaign-detail-not-found")
    assert find(render_page("/analytics/nowhere/"), "not-found-page")


def test_empty_shop_shows_zeroes_not_errors(app):
    page = render_page("/analytics/dashboard/")
    assert find(page, "dashboard-orders").children == "0"
    assert find(page, "dashboard-net-revenue").children == "$0.00"
    assert shop_totals(db.session).net_revenue == 0
    assert db.session.get(Campaign, 1) is None
