"""What a demo shop should look like: sizes, dates and the random seed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from app.timeutil import shop_today


@dataclass(frozen=True)
class DemoSpec:
    orders: int
    days: int
    customers: int
    seed: int
    end_date: date
    event_days: int
    timezone: str

    @classmethod
    def build(
        cls,
        *,
        orders: int,
        days: int,
        seed: int,
        timezone: str,
        customers: int | None = None,
        end_date: date | None = None,
        event_days: int = 90,
    ) -> DemoSpec:
        """Fill in the defaults: one customer per ten orders, ending yesterday."""
        return cls(
            orders=orders,
            days=days,
            customers=customers or max(1, orders // 10),
            seed=seed,
            end_date=end_date or shop_today(ZoneInfo(timezone)) - timedelta(days=1),
            event_days=min(event_days, days),
            timezone=timezone,
        )

    @property
    def start_date(self) -> date:
        return self.end_date - timedelta(days=self.days - 1)
