"""The page frame: navbar, the shared date range (kept in the URL) and the page slot."""

from __future__ import annotations

import logging
import re
from datetime import date

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, ctx, dcc, html, no_update, set_props
from flask_wtf.csrf import generate_csrf
from sqlalchemy.exc import InterfaceError, OperationalError

from app.analytics.freshness import figures_as_of
from app.analytics.periods import COMPARISONS
from app.dash_apps import context
from app.dash_apps.components import button_radio
from app.dash_apps.ranges import FIRST_DAY, PRESET_LABELS, names_a_range, page_range, search_for
from app.errors import release_session
from app.extensions import db

log = logging.getLogger(__name__)
NAV_ITEMS = (
    ("dashboard", "Dashboard", "/analytics/dashboard/"),
    ("revenue", "Revenue", "/analytics/revenue-streams/"),
    ("products", "Products", "/analytics/products/"),
    ("customers", "Customers", "/analytics/customers/"),
    ("campaigns", "Campaigns", "/analytics/campaigns/"),
    ("funnel", "Funnel", "/analytics/funnel/"),
    ("cohorts", "Cohorts", "/analytics/cohorts/"),
    ("alerts", "Alerts", "/analytics/alerts/"),
)


def navbar() -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(label, href=href, id=f"shell-nav-{slug}", active="partial"))
        for slug, label, href in NAV_ITEMS
    ]
    links.append(
        dbc.NavItem(dbc.NavLink("Settings", href="/analytics/settings/", id="shell-nav-settings"))
    )
    links.append(dbc.NavItem(dbc.NavLink("API", href="/api/v1/docs", external_link=True)))
    links.append(dbc.NavItem(sign_out_form()))
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("Storefront Analytics", href="/analytics/dashboard/"),
                dbc.NavbarToggler(id="shell-navbar-toggler"),
                dbc.Collapse(
                    dbc.Nav(links, navbar=True, className="ms-auto"),
                    navbar=True,
                    id="shell-navbar-collapse",
                ),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        expand="lg",
    )


def sign_out_form() -> html.Form:
    """Signing out is a POST with the CSRF token: no link elsewhere can sign staff out."""
    return html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
            html.Button(
                "Sign out", type="submit", id="shell-sign-out", className="nav-link btn btn-link"
            ),
        ],
        action="/logout",
        method="POST",
        className="d-flex",
    )


# The pages whose figures follow the shared range; the others do not show it.
PAGES_WITH_RANGE = (
    "dashboard",
    "revenue-streams",
    "products",
    "customers",
    "campaigns",
    "funnel",
    "cohorts",
    "orders",
    "alerts",
)


def range_bar() -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(
                button_radio("shell-range-preset", PRESET_LABELS, "30"),
                xs=12,
                md="auto",
            ),
            dbc.Col(
                dcc.DatePickerRange(
                    id="shell-range-dates",
                    display_format="YYYY-MM-DD",
                    minimum_nights=0,
                    min_date_allowed=FIRST_DAY,
                ),
                xs=12,
                md="auto",
            ),
            dbc.Col(
                dbc.Select(
                    id="shell-range-compare",
                    options=[
                        {"label": f"vs {label}", "value": value}
                        for value, label in COMPARISONS.items()
                    ],
                    value="previous",
                    size="sm",
                ),
                xs=12,
                md="auto",
            ),
            dbc.Col(
                [
                    html.Span(id="shell-range-description", className="small fw-semibold me-2"),
                    html.Small(id="shell-as-of", className="text-muted"),
                ],
                xs=12,
            ),
        ],
        className="g-2 align-items-center py-2",
    )


def layout() -> html.Div:
    return html.Div(
        [
            dcc.Location(id="url", refresh="callback-nav"),
            dcc.Store(id="shell-title"),
            navbar(),
            dbc.Container(
                [
                    range_bar(),
                    dbc.Alert(
                        id="shell-range-problem",
                        is_open=False,
                        color="warning",
                        dismissable=True,
                        className="py-2",
                    ),
                ],
                fluid=True,
                id="shell-range-bar",
            ),
            dbc.Container(
                dbc.Alert(id="shell-error", is_open=False, color="warning", dismissable=True),
                fluid=True,
            ),
            dcc.Loading(
                dbc.Container(id="page-content", fluid=True, className="pb-4"),
                delay_show=300,
                id="shell-loading",
            ),
        ]
    )


DATABASE_DOWN = (
    "The database is not answering right now, so these figures could not be loaded. "
    "Nothing is lost: try again in a minute."
)
CALLBACK_FAILED = "Something went wrong loading this part of the page. The error has been logged."


def callback_failed(error: Exception) -> None:
    """Dash's error handler: a message on the page instead of a silently stale chart."""
    release_session()
    if isinstance(error, OperationalError | InterfaceError):
        log.warning("callback could not reach the database: %s", error.__class__.__name__)
        message = DATABASE_DOWN
    else:
        log.error("callback failed", exc_info=error)
        message = CALLBACK_FAILED
    set_props("shell-error", {"children": message, "is_open": True})


def sync_range(
    search: str | None,
    preset: str | None,
    start: str | None,
    end: str | None,
    compare: str | None,
):
    """URL ↔ range controls, both ways: the URL wins on load, the controls when a person acts.

    Outputs: the URL's query, preset, start, end, comparison, and the note on a corrected link.
    """
    today = context.today()
    if ctx.triggered_id in (None, "url"):
        chosen = page_range(search, today)
        corrected = chosen.search if chosen.problem else no_update
        note = (chosen.problem, True) if chosen.problem else (no_update, no_update)
        return (
            corrected,
            chosen.preset,
            chosen.days.start.isoformat(),
            chosen.days.end.isoformat(),
            chosen.compare,
            *note,
        )
    compare = compare if compare in COMPARISONS else "previous"
    if ctx.triggered_id == "shell-range-dates":
        if not (start and end):
            return (no_update,) * 7
        new_search = search_for(
            "custom",
            date.fromisoformat(start[:10]),
            date.fromisoformat(end[:10]),
            compare=compare,
            keep=search,
        )
        return new_search, "custom", no_update, no_update, no_update, None, False
    if ctx.triggered_id == "shell-range-compare":
        current = page_range(search, today)
        new_search = search_for(
            current.preset,
            current.days.start,
            current.days.end,
            compare=compare,
            keep=search,
        )
        return new_search, no_update, no_update, no_update, no_update, None, False
    if preset == "custom":  # the dates come next
        return (no_update,) * 7
    chosen = page_range(search_for(preset, compare=compare, keep=search), today)
    return (
        chosen.search,
        no_update,
        chosen.days.start.isoformat(),
        chosen.days.end.isoformat(),
        no_update,
        None,
        False,
    )


def range_description(search: str | None) -> str:
    """The range in words, beside the controls: what the figures cover, what they are
    compared with."""
    chosen = page_range(search, context.today())
    return f"Showing {chosen.description}, {chosen.compared_with}"


def range_bar_style(pathname: str | None, search: str | None = None) -> dict:
    """The range bar only where the page's figures follow it (on a campaign's page, once the
    URL names a range; by default that page shows the whole run)."""
    path = (pathname or "").rstrip("/")
    shown = path in ("/analytics", "") or any(
        path == f"/analytics/{page}" for page in PAGES_WITH_RANGE
    )
    if re.fullmatch(r"/analytics/campaigns/\d+", path):
        shown = names_a_range(search)
    return {} if shown else {"display": "none"}


def as_of_text(_pathname: str | None, _search: str | None) -> str:
    """When the figures on the page were last brought up to date, in shop time."""
    as_of = figures_as_of(db.session).astimezone(context.zone())
    today = context.today()
    when = f"{as_of:%H:%M:%S}" if as_of.date() == today else f"{as_of:%Y-%m-%d %H:%M:%S}"
    return f"Figures as of {when} ({context.zone().key} time); new orders show within seconds."


def nav_hrefs(search: str | None) -> list[str]:
    """Navigation keeps the chosen range."""
    return [href + (search or "") for _, _, href in NAV_ITEMS]


def register(app: Dash) -> None:
    app.callback(
        Output("url", "search"),
        Output("shell-range-preset", "value"),
        Output("shell-range-dates", "start_date"),
        Output("shell-range-dates", "end_date"),
        Output("shell-range-compare", "value"),
        Output("shell-range-problem", "children"),
        Output("shell-range-problem", "is_open"),
        Input("url", "search"),
        Input("shell-range-preset", "value"),
        Input("shell-range-dates", "start_date"),
        Input("shell-range-dates", "end_date"),
        Input("shell-range-compare", "value"),
    )(sync_range)
    app.callback(
        Output("shell-range-bar", "style"), Input("url", "pathname"), Input("url", "search")
    )(range_bar_style)
    app.clientside_callback(
        ClientsideFunction(namespace="shell", function_name="title"),
        Output("shell-title", "data"),
        Input("url", "pathname"),
    )
    app.callback(Output("shell-range-description", "children"), Input("url", "search"))(
        range_description
    )
    app.callback(
        [Output(f"shell-nav-{slug}", "href") for slug, _, _ in NAV_ITEMS], Input("url", "search")
    )(nav_hrefs)
    app.callback(
        Output("shell-as-of", "children"), Input("url", "pathname"), Input("url", "search")
    )(as_of_text)
