"""Date ranges of business days, and the period before them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

DEFAULT_DAYS = 30  # the range pages and the API show when none is asked for
MAX_RANGE_DAYS = 731  # two years and a day: the longest range a page or the API accepts


@dataclass(frozen=True)
class DateRange:
    """Inclusive range of business days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"range ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def last_days(cls, days: int, end: date) -> DateRange:
        return cls(end - timedelta(days=days - 1), end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def complete_days(cls, days: int, today: date) -> DateRange:
        """The last `days` complete days: they end yesterday, never on a day still under way."""
        return cls.last_days(days, today - timedelta(days=1))

    @classmethod
    def month_to_date(cls, today: date) -> DateRange:
        """The complete days of this month (on the 1st: the 1st itself, so far)."""
        first = today.replace(day=1)
        return cls(first, max(first, today - timedelta(days=1)))

    @classmethod
    def last_month(cls, today: date) -> DateRange:
        end = today.replace(day=1) - timedelta(days=1)
        return cls(end.replace(day=1), end)

    def previous(self) -> DateRange:
        """The range of equal length just before this one."""
        return DateRange(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def year_before(self) -> DateRange:
        """The same weekdays 52 weeks earlier: a Monday is compared with a Monday."""
        return DateRange(self.start - YEAR_OF_WEEKS, self.end - YEAR_OF_WEEKS)

    def compared_with(self, compare: Comparison) -> DateRange:
        return self.year_before() if compare == "year" else self.previous()

    def __iter__(self) -> Iterator[date]:
        return (self.start + timedelta(days=offset) for offset in range(self.days))


Comparison = Literal["previous", "year"]
COMPARISONS: dict[str, str] = {
    "previous": "previous period",
    "year": "same period last year",
}
YEAR_OF_WEEKS = timedelta(weeks=52)


def month_of(day: date) -> int:
    """The day's month as year × 12 + month − 1 (SQL's `month_number`): months subtract as
    integers."""
    return day.year * 12 + day.month - 1


def month_start(number: int) -> date:
    """Inverse of month_of: the first day of that month."""
    return date(number // 12, number % 12 + 1, 1)


def calendar_months(first: int, last: int) -> DateRange:
    """Every day of the months first..last (month numbers)."""
    return DateRange(month_start(first), month_start(last + 1) - timedelta(days=1))
