"""Small building blocks shared by the pages."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from flask import current_app

from app.analytics.overview import ShopTotals, shop_totals
from app.extensions import db
from app.formatting import format_count, format_money


def kpi_card(element_id: str, label: str, value: str) -> dbc.Col:
    body = dbc.CardBody(
        [
            html.Div(label, className="text-muted small"),
            html.Div(value, id=element_id, className="fs-3"),
        ]
    )
    return dbc.Col(dbc.Card(body, className="shadow-sm"), xs=12, md=4, className="mb-3")


def totals_row(prefix: str, totals: ShopTotals) -> dbc.Row:
    currency = current_app.config["SHOP_CURRENCY"]
    return dbc.Row(
        [
            kpi_card(f"{prefix}-orders", "Orders", format_count(totals.orders)),
            kpi_card(f"{prefix}-customers", "Customers", format_count(totals.customers)),
            kpi_card(
                f"{prefix}-net-revenue", "Net revenue", format_money(totals.net_revenue, currency)
            ),
        ]
    )


def page_header(prefix: str, title: str, subtitle: str) -> html.Div:
    return html.Div(
        [
            html.H1(title, id=f"{prefix}-title", className="h3"),
            html.P(subtitle, className="text-muted"),
        ],
        className="mb-3",
    )


def totals_page(prefix: str, title: str, subtitle: str) -> html.Div:
    """A page headed by its title and the shop's totals read from the database."""
    return html.Div(
        [page_header(prefix, title, subtitle), totals_row(prefix, shop_totals(db.session))],
        id=f"{prefix}-page",
    )
