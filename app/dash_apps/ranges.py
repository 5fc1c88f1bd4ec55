"""The date range shared by every page, kept in the URL so a view can be bookmarked."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlencode

from app.analytics.periods import DEFAULT_DAYS, MAX_RANGE_DAYS, DateRange

PRESETS = ("7", "30", "90")
DEFAULT_PRESET = str(DEFAULT_DAYS)
# The days the API accepts too; beyond them date arithmetic (the period before) overflows.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _first(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def _iso(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is None or FIRST_DAY <= day <= LAST_DAY else None


def parse_range(search: str | None, today: date) -> DateRange:
    """`?start=…&end=…` (custom), else `?days=7|30|90`, else the last 30 days up to today."""
    params = parse_qs((search or "").lstrip("?"))
    start, end = _iso(_first(params, "start")), _iso(_first(params, "end"))
    if start and end and start <= end and (end - start).days < MAX_RANGE_DAYS:
        return DateRange(start, end)
    days = _first(params, "days")
    return DateRange.last_days(int(days if days in PRESETS else DEFAULT_PRESET), today)


def preset_of(search: str | None) -> str:
    params = parse_qs((search or "").lstrip("?"))
    if _iso(_first(params, "start")) and _iso(_first(params, "end")):
        return "custom"
    days = _first(params, "days")
    return days if days in PRESETS else DEFAULT_PRESET


def search_for(preset: str, start: date | None = None, end: date | None = None) -> str:
    if preset == "custom" and start and end:
        return "?" + urlencode({"start": start.isoformat(), "end": end.isoformat()})
    return "?" + urlencode({"days": preset if preset in PRESETS else DEFAULT_PRESET})
