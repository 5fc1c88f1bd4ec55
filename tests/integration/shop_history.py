"""Six weeks of a steady shop whose last day sells three times as much, with its figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.analytics.periods import DateRange
from tests.factories import CustomerFactory, OrderFactory
from tests.refresh import backfill

FIRST_DAY = date(2026, 2, 1)
SPIKE_DAY = date(2026, 3, 15)  # a Sunday
TODAY = SPIKE_DAY + timedelta(days=1)


def steady_shop_with_a_spike() -> None:
    """Two orders a day (web and phone) and nine on SPIKE_DAY; one refund-free history."""
    customers = [CustomerFactory() for _ in range(4)]
    day, number = FIRST_DAY, 0
    while day <= SPIKE_DAY:
        count = 9 if day == SPIKE_DAY else 2
        for slot in range(count):
            number += 1
            OrderFactory(
                customer=customers[number % 4],
                placed_at=datetime(day.year, day.month, day.day, 10 + slot, tzinfo=UTC),
                channel="web" if slot % 2 == 0 else "phone",
                subtotal=4_000,
            )
        day += timedelta(days=1)
    backfill(DateRange(FIRST_DAY, SPIKE_DAY), TODAY)


def half_a_year(today: date) -> None:
    """200 days up to yesterday: two orders a day, three on Saturdays, one new buyer a week."""
    start = today - timedelta(days=200)
    customers = [CustomerFactory() for _ in range(3)]
    day, number = start, 0
    while day < today:
        if day.weekday() == 0:
            customers.append(CustomerFactory())
        for slot in range(3 if day.weekday() == 5 else 2):
            number += 1
            OrderFactory(
                customer=customers[-1] if slot == 0 else customers[number % 3],
                placed_at=datetime(day.year, day.month, day.day, 9 + slot, tzinfo=UTC),
                subtotal=3_000 + 500 * (number % 3),
            )
        day += timedelta(days=1)
    backfill(DateRange(start, today - timedelta(days=1)), today)
