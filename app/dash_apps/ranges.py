"""The date range shared by the pages, kept in the URL so a view can be bookmarked.

`?days=N` is the N complete days ending yesterday (N from 1 to 731, as the API accepts), never a
day still under way; `?range=today` is today so far, compared with the same hours a week
earlier; `?range=mtd` the complete days of this month; `?range=last-month`; `?start=…&end=…` any
range of up to 731 days. `?compare=year` compares with the same weekdays 52 weeks earlier
instead of the period just before. A link that asks for something else is corrected, and the
page says what was wrong with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from app.analytics.periods import COMPARISONS, DEFAULT_DAYS, MAX_RANGE_DAYS, DateRange
from app.dash_apps.url_state import query

PRESETS = ("7", "30", "90")
DEFAULT_PRESET = str(DEFAULT_DAYS)
NAMED_RANGES = ("today", "mtd", "last-month")
PRESET_LABELS = {
    "today": "Today so far",
    "7": "7 days",
    "30": "30 days",
    "90": "90 days",
    "mtd": "Month to date",
    "last-month": "Last month",
    "custom": "Custom",
}
# The parameters that name a range, and with the comparison, all the range's parameters.
NAMING_PARAMS = ("days", "range", "start", "end")
RANGE_PARAMS = (*NAMING_PARAMS, "compare")
# The days the API accepts too; beyond them date arithmetic (the period before) overflows.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class PageRange:
    """What a page shows and what it compares it with."""

    preset: str  # a PRESET_LABELS key
    days: DateRange
    before: DateRange
    compare: str  # a COMPARISONS key
    search: str  # the canonical query string, other parameters kept
    problem: str | None = None  # what was wrong with the link, when it was corrected

    @property
    def so_far(self) -> bool:
        """Today, still under way: compared hour for hour, not with whole days."""
        return self.preset == "today"

    @property
    def versus(self) -> str:
        """The comparison in a few words, for a KPI card (the range bar gives the dates)."""
        if self.so_far:
            when = "a week earlier" if self.compare == "previous" else "52 weeks earlier"
            return f"vs the same hours {when}"
        return f"vs {COMPARISONS[self.compare]}"

    @property
    def compared_with(self) -> str:
        """The comparison with its dates, for the range bar."""
        dates = f"{self.before.start:%a %d %b}" if self.so_far else describe(self.before)
        return f"{self.versus} ({dates})"

    @property
    def description(self) -> str:
        if self.so_far:
            return f"today so far ({self.days.start:%a %d %b %Y})"
        return describe(self.days)


def describe(days: DateRange) -> str:
    if days.start == days.end:
        return f"{days.start:%a %d %b %Y}"
    return f"{days.start:%d %b %Y} – {days.end:%d %b %Y}"


def _day(value: str, name: str) -> tuple[date | None, str | None]:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None, f"“{value[:20]}” is not a date for {name} (YYYY-MM-DD)"
    if not FIRST_DAY <= day <= LAST_DAY:
        return None, f"{name} must lie between {FIRST_DAY} and {LAST_DAY}"
    return day, None


def _custom(params: dict[str, str]) -> tuple[DateRange | None, str | None]:
    if "start" not in params or "end" not in params:
        return None, "a custom range needs both start and end"
    start, problem = _day(params["start"], "start")
    end, end_problem = _day(params["end"], "end")
    if problem or end_problem:
        return None, problem or end_problem
    if end < start:
        return None, f"the range ends ({end}) before it starts ({start})"
    if (end - start).days >= MAX_RANGE_DAYS:
        return None, f"a range covers at most {MAX_RANGE_DAYS} days"
    return DateRange(start, end), None


def _days(value: str) -> tuple[int | None, str | None]:
    if value.isdigit() and 1 <= int(value) <= MAX_RANGE_DAYS:
        return int(value), None
    return None, f"days must be a whole number from 1 to {MAX_RANGE_DAYS}, not “{value[:20]}”"


def _month_back(day: date) -> date:
    """The same day of the month before (or that month's last day)."""
    last_of_before = day.replace(day=1) - timedelta(days=1)
    return last_of_before.replace(day=min(day.day, last_of_before.day))


def _previous(preset: str, days: DateRange) -> DateRange:
    """The period before, as a manager means it for each kind of range."""
    if preset == "today":
        return DateRange(days.start - timedelta(weeks=1), days.end - timedelta(weeks=1))
    if preset == "mtd":
        return DateRange(_month_back(days.start), _month_back(days.end))
    if preset == "last-month":
        return DateRange.last_month(days.start)
    return days.previous()


def page_range(search: str | None, today: date) -> PageRange:
    """Read the range from the URL; anything it cannot show becomes the default, with a note."""
    params = query(search)
    problems: list[str] = []
    preset, days, kept = DEFAULT_PRESET, None, {}
    if "start" in params or "end" in params:
        days, problem = _custom(params)
        if days:
            preset, kept = "custom", {"start": days.start.isoformat(), "end": days.end.isoformat()}
        else:
            problems.append(problem)
    elif "range" in params:
        named = params["range"]
        if named in NAMED_RANGES:
            preset, kept = named, {"range": named}
        else:
            problems.append(f"there is no range called “{named[:20]}”")
    elif "days" in params:
        count, problem = _days(params["days"])
        if count:
            preset = str(count) if str(count) in PRESETS else "custom"
            kept = {"days": str(count)}
            days = DateRange.complete_days(count, today)
        else:
            problems.append(problem)
    if days is None:
        if preset == "today":
            days = DateRange(today, today)
        elif preset == "mtd":
            days = DateRange.month_to_date(today)
        elif preset == "last-month":
            days = DateRange.last_month(today)
        else:
            preset, kept = DEFAULT_PRESET, kept or {"days": DEFAULT_PRESET}
            days = DateRange.complete_days(DEFAULT_DAYS, today)
    compare = params.get("compare", "previous")
    if compare not in COMPARISONS:
        problems.append(f"“{compare[:20]}” is not a comparison (previous or year)")
        compare = "previous"
    before = days.year_before() if compare == "year" else _previous(preset, days)
    if compare != "previous":
        kept["compare"] = compare
    others = {name: value for name, value in params.items() if name not in RANGE_PARAMS}
    search_now = "?" + urlencode({**kept, **others})
    problem = None
    if problems:
        problem = (
            f"The link asked for a range that cannot be shown: {problems[0]}. "
            f"Showing {PRESET_LABELS.get(preset, 'the range')}"
            f" ({describe(days)}) instead."
        )
    return PageRange(preset, days, before, compare, search_now, problem)


def names_a_range(search: str | None) -> bool:
    """Whether the URL asks for a range at all (pages with a default of their own use it)."""
    return bool(set(query(search)) & set(NAMING_PARAMS))


def parse_range(search: str | None, today: date) -> DateRange:
    """Just the days of the URL's range (see page_range)."""
    return page_range(search, today).days


def search_for(
    preset: str,
    start: date | None = None,
    end: date | None = None,
    *,
    compare: str = "previous",
    keep: str | None = None,
) -> str:
    """The query string of a range picked on the page, other parameters of `keep` kept."""
    if preset == "custom" and start and end:
        params = {"start": start.isoformat(), "end": end.isoformat()}
    elif preset in NAMED_RANGES:
        params = {"range": preset}
    else:
        params = {"days": preset if preset in PRESETS else DEFAULT_PRESET}
    if compare in COMPARISONS and compare != "previous":
        params["compare"] = compare
    others = {name: value for name, value in query(keep).items() if name not in RANGE_PARAMS}
    return "?" + urlencode({**params, **others})
