"""The running shop's settings as values: today's business date, currency, time zone."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app

from app.timeutil import shop_today


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["SHOP_TIMEZONE"])


def today() -> date:
    return shop_today(zone())


def currency() -> str:
    return current_app.config["SHOP_CURRENCY"]
