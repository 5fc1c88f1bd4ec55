"""Revenue by channel page."""

from __future__ import annotations

from dash import html

from app.dash_apps.components import totals_page


def layout() -> html.Div:
    return totals_page(
        "revenue-streams", "Revenue by channel", "Net revenue across the seven sales channels."
    )
