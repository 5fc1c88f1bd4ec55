from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.timeutil import business_date, day_bounds_utc

NEW_YORK = ZoneInfo("America/New_York")


def test_late_evening_utc_order_belongs_to_the_local_day():
    # 03:30 UTC on 10 March is still 9 March in New York.
    assert business_date(datetime(2026, 3, 10, 3, 30, tzinfo=UTC), NEW_YORK) == date(2026, 3, 9)


def test_spring_forward_day_is_23_hours_long():
    start, end = day_bounds_utc(date(2026, 3, 8), NEW_YORK)
    assert (end - start).total_seconds() == 23 * 3600
    assert start == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
