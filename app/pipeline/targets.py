"""Monthly targets set by staff (settings page and API alike): their shape and their write."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from marshmallow import Schema, fields, post_load, validate
from sqlalchemy.orm import Session

from app.analytics.sql import upsert_rows
from app.models import MonthlyTarget
from app.models.enums import TARGET_METRICS
from app.timeutil import utc_now

TARGETS = MonthlyTarget.__table__
MONTH = validate.Regexp(r"^(19|2\d)\d\d-(0[1-9]|1[0-2])$", error="a month as YYYY-MM")
TARGET_RANGE = validate.Range(min=1, max=10**12, error="a whole number from 1 to 10^12")


def month_of(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def _target_field(what: str) -> fields.Integer:
    return fields.Integer(
        strict=True,
        allow_none=True,
        validate=TARGET_RANGE,
        metadata={"description": f"{what}; null removes the target"},
        error_messages={"invalid": "a whole number from 1 to 10^12, or null"},
    )


class TargetsIn(Schema):
    """The targets of one month; a figure left out keeps its target, null removes it."""

    month = fields.String(required=True, validate=MONTH)
    net_revenue = _target_field("net revenue in minor units (cents)")
    orders = _target_field("counted orders")
    new_customers = _target_field("new customers")

    @post_load
    def typed(self, data: dict, **_kwargs) -> dict:
        return {**data, "month": month_of(data["month"])}


def save_targets(
    session: Session, month: date, targets: dict[str, int | None], user_id: int | None
) -> None:
    """Set (or with None remove) each given figure's target of the month; the caller commits."""
    chosen = {name: value for name, value in targets.items() if name in TARGET_METRICS}
    removed = [name for name, value in chosen.items() if value is None]
    if removed:
        session.execute(
            sa.delete(TARGETS).where(TARGETS.c.month == month, TARGETS.c.metric.in_(removed))
        )
    rows = [
        {
            "month": month,
            "metric": name,
            "target": value,
            "updated_at": utc_now(),
            "updated_by": user_id,
        }
        for name, value in chosen.items()
        if value is not None
    ]
    upsert_rows(session, TARGETS, rows, ["month", "metric"])
