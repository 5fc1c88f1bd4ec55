"""The pages' date range as the URL asks for it: complete days, named ranges, comparisons, and
links that cannot be shown corrected with a note."""

from datetime import date

import pytest

from app.analytics.periods import DateRange
from app.dash_apps.ranges import page_range, search_for

TODAY = date(2026, 11, 24)  # a Tuesday


def test_presets_are_complete_days_ending_yesterday():
    chosen = page_range("?days=7", TODAY)
    assert chosen.days == DateRange(date(2026, 11, 17), date(2026, 11, 23))
    assert chosen.before == DateRange(date(2026, 11, 10), date(2026, 11, 16))
    assert (chosen.preset, chosen.problem, chosen.search) == ("7", None, "?days=7")


def test_no_range_is_the_last_30_complete_days():
    chosen = page_range("", TODAY)
    assert chosen.days == DateRange(date(2026, 10, 25), date(2026, 11, 23))
    assert chosen.problem is None


def test_one_day_is_yesterday_against_the_day_before():
    chosen = page_range("?days=1", TODAY)
    assert chosen.days == DateRange(date(2026, 11, 23), date(2026, 11, 23))
    assert chosen.before == DateRange(date(2026, 11, 22), date(2026, 11, 22))


def test_any_day_count_the_api_accepts_works_on_the_pages():
    chosen = page_range("?days=365", TODAY)
    assert chosen.days.days == 365 and chosen.days.end == date(2026, 11, 23)
    assert (chosen.preset, chosen.problem, chosen.search) == ("custom", None, "?days=365")
    assert page_range("?days=731", TODAY).problem is None


def test_today_so_far_is_compared_with_the_same_weekday_a_week_earlier():
    chosen = page_range("?range=today", TODAY)
    assert chosen.so_far and chosen.days == DateRange(TODAY, TODAY)
    assert chosen.before == DateRange(date(2026, 11, 17), date(2026, 11, 17))
    assert "same hours a week earlier" in chosen.compared_with


def test_month_to_date_against_the_same_days_of_last_month():
    chosen = page_range("?range=mtd", TODAY)
    assert chosen.days == DateRange(date(2026, 11, 1), date(2026, 11, 23))
    assert chosen.before == DateRange(date(2026, 10, 1), date(2026, 10, 23))
    # On the 31st of March the month before has no 31st: its last day stands in.
    march = page_range("?range=mtd", date(2026, 3, 31))
    assert march.before == DateRange(date(2026, 2, 1), date(2026, 2, 28))


def test_month_to_date_on_the_first_is_the_first_so_far():
    assert page_range("?range=mtd", date(2026, 12, 1)).days == DateRange(
        date(2026, 12, 1), date(2026, 12, 1)
    )


def test_last_month_against_the_month_before():
    chosen = page_range("?range=last-month", TODAY)
    assert chosen.days == DateRange(date(2026, 10, 1), date(2026, 10, 31))
    assert chosen.before == DateRange(date(2026, 9, 1), date(2026, 9, 30))
    january = page_range("?range=last-month", date(2026, 1, 15))
    assert january.days == DateRange(date(2025, 12, 1), date(2025, 12, 31))


def test_same_period_last_year_is_aligned_by_weekday():
    chosen = page_range("?days=7&compare=year", TODAY)
    assert chosen.before == DateRange(date(2025, 11, 18), date(2025, 11, 24))
    assert chosen.before.start.weekday() == chosen.days.start.weekday()
    assert chosen.search == "?days=7&compare=year"
    assert "same period last year" in chosen.compared_with


def test_custom_ranges_are_kept_with_other_parameters():
    chosen = page_range("?start=2026-03-01&end=2026-03-31&channel=web", TODAY)
    assert chosen.days == DateRange(date(2026, 3, 1), date(2026, 3, 31))
    assert chosen.before == DateRange(date(2026, 1, 29), date(2026, 2, 28))
    assert chosen.search == "?start=2026-03-01&end=2026-03-31&channel=web"


@pytest.mark.parametrize(
    ("search", "says"),
    [
        ("?start=2026-03-31&end=2026-03-01", "ends (2026-03-01) before it starts"),
        ("?start=2024-01-01&end=2026-03-01", "at most 731 days"),
        ("?start=0001-01-01&end=2026-03-01", "between 1900-01-01 and 2999-12-31"),
        ("?start=yesterday&end=2026-03-01", "not a date for start"),
        ("?start=2026-03-01", "needs both start and end"),
        ("?days=0", "from 1 to 731"),
        ("?days=732", "from 1 to 731"),
        ("?days=-5", "from 1 to 731"),
        ("?days=seven", "from 1 to 731"),
        ("?range=forever", "no range called"),
        ("?days=7&compare=lastweek", "not a comparison"),
    ],
)
def test_a_link_that_cannot_be_shown_is_corrected_with_a_note(search, says):
    chosen = page_range(search, TODAY)
    assert chosen.problem and says in chosen.problem
    assert "instead" in chosen.problem
    again = page_range(chosen.search, TODAY)  # the corrected link is one that can be shown
    assert again.problem is None and again.days == chosen.days


def test_search_for_keeps_the_page_parameters():
    assert search_for("90", keep="?days=7&status=active") == "?days=90&status=active"
    assert search_for("today", compare="year", keep="?days=7") == "?range=today&compare=year"
    assert (
        search_for("custom", date(2026, 3, 1), date(2026, 3, 2), keep="?start=x&end=y")
        == "?start=2026-03-01&end=2026-03-02"
    )
