"""/api/v1/campaigns: campaigns and their ROI for any caller; create and update: write scope."""

from __future__ import annotations

from flask import abort, request

from app import audit
from app.analytics.campaigns import (
    CampaignSummary,
    campaign_days,
    campaign_summaries,
    campaign_summary,
)
from app.api.freshness import stamp_answers
from app.api.reports import money
from app.api.schemas import CampaignIn, CampaignPatch, CampaignQuery
from app.api.writes import token_blueprint, write_scope_error
from app.campaign_forms import CAMPAIGN_FIELDS, save_campaign, validate_typed_campaign
from app.extensions import db
from app.models import Campaign
from app.problem import error_response
from app.shop import currency, today

blp = stamp_answers(
    token_blueprint(
        "campaigns_api", __name__, "/api/v1/campaigns", "Campaigns and their return on investment"
    )
)


@blp.before_request
def writes_need_write_scope():
    """Reading is open to any caller; creating and changing need a write-scope token."""
    return None if request.method in ("GET", "HEAD", "OPTIONS") else write_scope_error()


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL: larger ones cannot exist (404)


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id) if campaign_id <= MAX_ID else None
    if campaign is None:
        abort(404, f"no campaign {campaign_id}")
    return campaign


def _summary_json(campaign: Campaign, summary: CampaignSummary | None, code: str) -> dict:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "code": campaign.code,
        "status": campaign.status,
        "discount_percent": campaign.discount_percent,
        "target_audience": campaign.target_audience,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else None,
        "budget": money(campaign.budget, code),
        "spend": money(campaign.spend, code),
        "orders": summary.orders if summary else 0,
        "conversions": summary.conversions if summary else 0,
        "revenue": money(summary.revenue if summary else 0, code),
        "discount_cost": money(summary.discount_cost if summary else 0, code),
        "roi": summary.roi if summary else None,
        "roas": summary.roas if summary else None,
    }


@blp.get("")
@blp.arguments(CampaignQuery, location="query")
@blp.response(200)
def list_campaigns(query: dict):
    """Every campaign (optionally of one status), newest first, with totals and ROI."""
    code = currency()
    return [
        _summary_json(s.campaign, s, code)
        for s in campaign_summaries(db.session, query["status"], today=today())
    ]


def _detail(campaign: Campaign) -> dict:
    code = currency()
    summary = campaign_summary(db.session, campaign.id, today=today())
    days = [
        {
            "date": row.business_date.isoformat(),
            "orders": row.orders,
            "conversions": row.conversions,
            "revenue": money(row.revenue, code),
            "discount_cost": money(row.discount_cost, code),
            "spend": money(row.spend, code),
            "roi": row.roi,
        }
        for row in campaign_days(db.session, campaign.id, today())
    ]
    return {**_summary_json(campaign, summary, code), "days": days}


@blp.get("/<int:campaign_id>")
@blp.response(200)
def get_campaign(campaign_id: int):
    """One campaign with its totals and its performance per day."""
    return _detail(_campaign(campaign_id))


def _save(values: dict, campaign_id: int | None) -> Campaign:
    """Validate with the staff form's rules (unique code, end after start), save, audit."""
    code = currency()
    checked = validate_typed_campaign(db.session, values, code, campaign_id)
    if checked.errors:
        messages = {name: [message] for name, message in checked.errors.items()}
        abort(error_response(422, "invalid campaign", errors={"json": messages}))
    campaign = save_campaign(db.session, checked.values, campaign_id)
    action = "campaign.update" if campaign_id else "campaign.create"
    audit.record(action, f"campaign:{campaign.id}", {"code": campaign.code, "via": "api"})
    db.session.commit()
    return campaign


@blp.post("")
@blp.arguments(CampaignIn)
@blp.response(201)
def create_campaign(values: dict):
    """Create a campaign (write scope); the code must be unused."""
    return _detail(_save(values, None))


@blp.patch("/<int:campaign_id>")
@blp.arguments(CampaignPatch(partial=True))
@blp.response(200)
def update_campaign(changes: dict, campaign_id: int):
    """Change any of a campaign's fields (write scope); the result is checked as a whole."""
    campaign = _campaign(campaign_id)
    current = {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}
    return _detail(_save({**current, **changes}, campaign.id))
