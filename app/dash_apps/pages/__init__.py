"""URL routing for the Dash pages: each page module exposes `layout(**path_params)`."""

from __future__ import annotations

import re
from collections.abc import Callable

from dash import Dash, Input, Output, ctx, dcc, html, no_update
from dash.exceptions import MissingCallbackContextException

from app.dash_apps.pages import (
    alerts,
    campaign_detail,
    campaigns,
    cohorts,
    customer_profile,
    customers,
    dashboard,
    funnel,
    orders,
    products,
    revenue_streams,
    settings,
)

Route = tuple[re.Pattern[str], Callable[..., html.Div]]

ROUTES: tuple[Route, ...] = (
    (re.compile(r"^/analytics/(dashboard/?)?$"), dashboard.layout),
    (re.compile(r"^/analytics/revenue-streams/?$"), revenue_streams.layout),
    (re.compile(r"^/analytics/products/?$"), products.layout),
    (re.compile(r"^/analytics/customers/?$"), customers.layout),
    (re.compile(r"^/analytics/customers/(?P<customer_id>\d{1,9})/?$"), customer_profile.layout),
    (re.compile(r"^/analytics/orders/?$"), orders.layout),
    (re.compile(r"^/analytics/campaigns/?$"), campaigns.layout),
    (re.compile(r"^/analytics/campaigns/(?P<campaign_id>\d+)/?$"), campaign_detail.layout),
    (re.compile(r"^/analytics/funnel/?$"), funnel.layout),
    (re.compile(r"^/analytics/cohorts/?$"), cohorts.layout),
    (re.compile(r"^/analytics/alerts/?$"), alerts.layout),
    (re.compile(r"^/analytics/settings/?$"), settings.layout),
)
PAGES_WITH_CALLBACKS = (
    dashboard,
    revenue_streams,
    products,
    customers,
    campaigns,
    campaign_detail,
    funnel,
    cohorts,
    orders,
    alerts,
    settings,
)


def not_found(pathname: str) -> html.Div:
    return html.Div(
        [
            html.H1("Page not found", className="h3"),
            html.P(f"There is no page at {pathname}.", className="text-muted"),
            dcc.Link("Back to the dashboard", href="/analytics/dashboard/"),
        ],
        id="not-found-page",
    )


# Layouts drawn from the URL's query as well as its path: redrawn when the query changes.
READS_QUERY = (campaign_detail.layout,)


def _only_the_query_changed() -> bool:
    try:
        return set(ctx.triggered_prop_ids) == {"url.search"}
    except MissingCallbackContextException:  # called directly (tests, scripts)
        return False


def render_page(pathname: str | None, search: str | None = None) -> html.Div:
    """The router callback: the layout for the browser's current path (and, for the few
    layouts drawn on the server from the query, its query)."""
    path = pathname or ""
    for pattern, layout in ROUTES:
        match = pattern.match(path)
        if match:
            if layout in READS_QUERY:
                return layout(**match.groupdict(), search=search)
            if _only_the_query_changed():
                return no_update  # the page's own callbacks follow the query
            return layout(**match.groupdict())
    return not_found(path)


def register_routing(dash_app: Dash) -> None:
    dash_app.callback(
        Output("page-content", "children"), Input("url", "pathname"), Input("url", "search")
    )(render_page)
    for page in PAGES_WITH_CALLBACKS:
        page.register(dash_app)
