"""Customers page."""

from __future__ import annotations

from dash import html

from app.dash_apps.components import totals_page


def layout() -> html.Div:
    return totals_page("customers", "Customers", "Who buys, how often, and what they are worth.")
