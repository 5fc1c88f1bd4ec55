"""Shop time: UTC storage, business dates in the shop's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    return datetime.now(UTC)


def shop_zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def business_date(moment: datetime, zone: ZoneInfo) -> date:
    """The shop-local calendar day of an instant (naive instants are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def shop_today(zone: ZoneInfo) -> date:
    return business_date(utc_now(), zone)


def day_bounds_utc(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a shop-local day starts and the next one starts."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)
