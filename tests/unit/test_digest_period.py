"""What a digest covers: yesterday, or the last complete week from Monday to Sunday."""

from datetime import date

import pytest

from app.analytics.periods import DateRange
from app.notify.digest import digest_period


def test_the_daily_digest_covers_yesterday():
    assert digest_period("daily", date(2026, 3, 1)) == DateRange(
        date(2026, 2, 28), date(2026, 2, 28)
    )


@pytest.mark.parametrize("today", [date(2026, 3, 16), date(2026, 3, 18), date(2026, 3, 22)])
def test_the_weekly_digest_covers_the_last_complete_week(today):
    # Mon 16 to Sun 22 March: the week before, Mon 9 to Sun 15, until the 22nd is over.
    assert digest_period("weekly", today) == DateRange(date(2026, 3, 9), date(2026, 3, 15))
    assert digest_period("weekly", date(2026, 3, 23)).start == date(2026, 3, 16)
