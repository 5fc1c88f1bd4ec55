"""Campaigns page."""

from __future__ import annotations

from dash import html

from app.dash_apps.components import totals_page


def layout() -> html.Div:
    return totals_page("campaigns", "Campaigns", "Marketing campaigns and what they return.")
