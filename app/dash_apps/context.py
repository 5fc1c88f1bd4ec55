"""What callbacks need from the running app: the shop's today, currency, the signed-in user."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app
from flask_login import current_user

from app.timeutil import shop_today


def today() -> date:
    return shop_today(ZoneInfo(current_app.config["SHOP_TIMEZONE"]))


def currency() -> str:
    return current_app.config["SHOP_CURRENCY"]


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["SHOP_TIMEZONE"])


def can(role: str) -> bool:
    """Server-side role check for callbacks: viewer < manager < admin."""
    return bool(current_user.is_authenticated and current_user.has_role(role))
