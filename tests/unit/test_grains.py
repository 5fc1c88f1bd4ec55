"""Day, week and month grouping of the trends, kept in the URL."""

from datetime import date

from app.dash_apps.grains import bucket, bucket_end, grouped
from app.dash_apps.url_state import value_in, with_value


def test_days_fall_into_weeks_from_monday_and_calendar_months():
    tuesday = date(2026, 11, 24)
    assert bucket(tuesday, "week") == date(2026, 11, 23)
    assert bucket_end(date(2026, 11, 23), "week") == date(2026, 11, 29)
    assert bucket(tuesday, "month") == date(2026, 11, 1)
    assert bucket_end(date(2026, 2, 1), "month") == date(2026, 2, 28)
    assert bucket_end(date(2026, 12, 1), "month") == date(2026, 12, 31)
    assert bucket(tuesday, "day") == bucket_end(tuesday, "day") == tuesday


def test_grouping_keeps_every_cent():
    points = [(date(2026, 3, day), 100 * day) for day in range(1, 32)]
    weeks = grouped(points, "week")
    assert sum(amount for _, amount in weeks) == sum(amount for _, amount in points)
    assert weeks[0] == (date(2026, 2, 23), 100)  # Sunday 1 March belongs to the week before
    assert grouped(points, "month") == [(date(2026, 3, 1), 49_600)]


def test_the_grain_travels_in_the_url_without_looping():
    assert with_value("?days=30", "group", "week", "day") == "?days=30&group=week"
    assert with_value("?days=30&group=week", "group", "day", "day") == "?days=30"
    assert with_value("?days=30&group=week", "group", "month", "day") == "?days=30&group=month"
    assert value_in("?group=fortnight", "group", "day", ("day", "week")) == "day"
