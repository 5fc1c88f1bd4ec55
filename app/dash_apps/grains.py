"""Day, week or month: how a trend groups its days, kept in the URL as `group=`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import dash_bootstrap_components as dbc

from app.dash_apps.components import button_radio
from app.dash_apps.url_state import value_in

GRAINS = {"day": "Day", "week": "Week", "month": "Month"}


def grain_of(search: str | None) -> str:
    return value_in(search, "group", "day", GRAINS)


def bucket(day: date, grain: str) -> date:
    """The first day of the day's week (Monday) or month; the day itself for "day"."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def bucket_end(start: date, grain: str) -> date:
    if grain == "week":
        return start + timedelta(days=6)
    if grain == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start


def grouped(points: Iterable[tuple[date, int]], grain: str) -> list[tuple[date, int]]:
    """(day, amount) pairs summed into their buckets, in order."""
    sums: dict[date, int] = {}
    for day, amount in points:
        key = bucket(day, grain)
        sums[key] = sums.get(key, 0) + amount
    return sorted(sums.items())


def grain_control(element_id: str) -> dbc.RadioItems:
    return button_radio(element_id, GRAINS, "day", extra_class="ms-2", compact=True)
