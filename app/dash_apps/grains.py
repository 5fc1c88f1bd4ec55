"""Day, week or month: how a trend groups its days, kept in the URL as `group=`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode

import dash_bootstrap_components as dbc

GRAINS = {"day": "Day", "week": "Week", "month": "Month"}


def grain_of(search: str | None) -> str:
    value = dict(parse_qsl((search or "").lstrip("?"))).get("group", "day")
    return value if value in GRAINS else "day"


def with_grain(search: str | None, grain: str) -> str:
    params = [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k != "group"]
    if grain in GRAINS and grain != "day":
        params.append(("group", grain))
    return "?" + urlencode(params)


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
    return dbc.RadioItems(
        id=element_id,
        options=[{"label": label, "value": value} for value, label in GRAINS.items()],
        value="day",
        inline=True,
        className="btn-group ms-2",
        inputClassName="btn-check",
        labelClassName="btn btn-outline-secondary btn-sm py-0",
        labelCheckedClassName="active",
    )
