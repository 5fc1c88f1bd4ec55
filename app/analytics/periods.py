"""Date ranges of business days, and the period before them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

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

    def previous(self) -> DateRange:
        """The range of equal length just before this one."""
        return DateRange(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def __iter__(self) -> Iterator[date]:
        return (self.start + timedelta(days=offset) for offset in range(self.days))
