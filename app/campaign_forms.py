"""Creating and editing campaigns: validation with messages a person can act on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from app.formatting import minor_unit_exponent, to_major
from app.models import Campaign
from app.models.enums import CAMPAIGN_STATUSES
from app.pipeline.fields import clean_text

CAMPAIGNS = Campaign.__table__
# A campaign's editable fields, in form order: the staff page, the API and the admin screen.
CAMPAIGN_FIELDS = (
    "name",
    "code",
    "status",
    "discount_percent",
    "target_audience",
    "budget",
    "spend",
    "starts_on",
    "ends_on",
)


@dataclass
class CampaignInput:
    values: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


AMOUNT = re.compile(r"-?\d{1,13}(\.\d+)?")
WHOLE_PERCENT = re.compile(r"\d{1,3}")


def _money(raw, currency: str, label: str, errors: dict, name: str) -> int | None:
    """A plain amount in major units (blank is 0); never rounded or clamped without a word."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return 0
    if not AMOUNT.fullmatch(text):
        errors[name] = f"{label} must be an amount like 1250.00."
        return None
    amount = Decimal(text)
    if amount < 0:
        errors[name] = f"{label} cannot be negative."
        return None
    exponent = minor_unit_exponent(currency)
    minor = amount.scaleb(exponent)
    if minor != minor.to_integral_value():
        errors[name] = f"{label} can have at most {exponent} decimal places."
        return None
    return int(minor)


def _percent(raw, errors: dict) -> int:
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return 0
    if not WHOLE_PERCENT.fullmatch(text) or int(text) > 100:
        errors["discount_percent"] = "Discount must be a whole percentage from 0 to 100."
        return 0
    return int(text)


def _day(raw, label: str, errors: dict, name: str, required: bool) -> date | None:
    if not raw:
        if required:
            errors[name] = f"{label} is required."
        return None
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        errors[name] = f"{label} must be a date (YYYY-MM-DD)."
        return None


def _text(raw, label: str, errors: dict, name: str) -> str:
    """Text that fits its column on every database, or a message saying why not."""
    try:
        text = clean_text(str(raw or ""))
    except ValidationError:
        errors[name] = f"{label} cannot contain control characters."
        return ""
    limit = CAMPAIGNS.c[name].type.length
    if len(text) > limit:
        errors[name] = f"{label} can have at most {limit} characters."
    return text


def validate_campaign(
    session: Session, form: dict, currency: str, campaign_id: int | None = None
) -> CampaignInput:
    """Check a submitted form; `errors` names each bad field, `values` are ready to save."""
    result = CampaignInput()
    errors = result.errors
    name = _text(form.get("name"), "Name", errors, "name")
    code = _text(form.get("code"), "Code", errors, "code").upper()
    audience = _text(form.get("target_audience"), "Target audience", errors, "target_audience")
    if not name and "name" not in errors:
        errors["name"] = "Name is required."
    if not code and "code" not in errors:
        errors["code"] = "Code is required."
    elif len(code) > CAMPAIGNS.c.code.type.length:  # "ß" upper-cases to "SS"
        errors["code"] = f"Code can have at most {CAMPAIGNS.c.code.type.length} characters."
    elif "code" not in errors and session.scalar(
        sa.select(Campaign.id).where(Campaign.code == code, Campaign.id != (campaign_id or 0))
    ):
        errors["code"] = f"Another campaign already uses the code {code}."
    status = form.get("status") or "draft"
    if status not in CAMPAIGN_STATUSES:
        errors["status"] = "Choose a status from the list."
    discount = _percent(form.get("discount_percent"), errors)
    budget = _money(form.get("budget"), currency, "Budget", errors, "budget")
    spend = _money(form.get("spend"), currency, "Spend", errors, "spend")
    starts_on = _day(form.get("starts_on"), "Start date", errors, "starts_on", required=True)
    ends_on = _day(form.get("ends_on"), "End date", errors, "ends_on", required=False)
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "End date must be on or after the start date."
    result.values = {
        "name": name,
        "code": code,
        "status": status,
        "discount_percent": discount,
        "target_audience": audience or "all",
        "budget": budget,
        "spend": spend,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    return result


def save_campaign(session: Session, values: dict, campaign_id: int | None = None) -> Campaign:
    """Create or update; the caller commits (and audits)."""
    campaign = session.get(Campaign, campaign_id) if campaign_id else Campaign()
    if campaign is None:
        raise LookupError(f"no campaign {campaign_id}")
    for name, value in values.items():
        setattr(campaign, name, value)
    session.add(campaign)
    session.flush()
    return campaign


def validate_typed_campaign(
    session: Session, values: dict, currency: str, campaign_id: int | None = None
) -> CampaignInput:
    """The same rules for typed values (money in minor units, dates as dates): API and admin."""
    form = dict(values)
    for name in ("budget", "spend"):
        form[name] = str(to_major(values.get(name) or 0, currency))
    for name in ("starts_on", "ends_on"):
        form[name] = values[name].isoformat() if values.get(name) else None
    return validate_campaign(session, form, currency, campaign_id)
