"""The page frame: navbar, URL location and the slot the router fills."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

NAV_ITEMS = (
    ("Dashboard", "/analytics/dashboard/"),
    ("Revenue", "/analytics/revenue-streams/"),
    ("Customers", "/analytics/customers/"),
    ("Campaigns", "/analytics/campaigns/"),
)


def navbar() -> dbc.Navbar:
    links = [
        dbc.NavItem(dbc.NavLink(label, href=href, active="partial")) for label, href in NAV_ITEMS
    ]
    links.append(dbc.NavItem(dbc.NavLink("Sign out", href="/logout", external_link=True)))
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
        expand="md",
    )


def layout() -> html.Div:
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            navbar(),
            dcc.Loading(
                dbc.Container(id="page-content", fluid=True, className="py-4"), delay_show=300
            ),
        ]
    )
