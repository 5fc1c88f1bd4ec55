"""One campaign's page."""

from __future__ import annotations

from dash import html

from app.dash_apps.components import totals_page
from app.extensions import db
from app.models import Campaign


def layout(campaign_id: str) -> html.Div:
    campaign = db.session.get(Campaign, int(campaign_id))
    if campaign is None:
        return html.Div(
            [
                html.H1("Campaign not found", className="h3"),
                html.P(f"No campaign has the id {campaign_id}.", className="text-muted"),
                html.A("All campaigns", href="/analytics/campaigns/"),
            ],
            id="campaign-detail-not-found",
        )
    return totals_page(
        "campaign-detail", campaign.name, f"Code {campaign.code} · {campaign.status}"
    )
