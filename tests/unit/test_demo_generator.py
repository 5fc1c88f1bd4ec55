"""The demo generator alone: deterministic, internally consistent, right about shop time."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from app.demo import DemoSpec, generate_shop
from app.demo.clock import ShopClock
from app.models.enums import CHANNELS

SPEC = {
    "orders": 3000,
    "days": 120,
    "seed": 7,
    "timezone": "America/New_York",
    "end_date": date(2026, 3, 31),
}


@pytest.fixture(scope="module")
def shop():
    return generate_shop(DemoSpec.build(**SPEC)).tables


def _equal(left: np.ndarray, right: np.ndarray) -> bool:
    if left.dtype.kind == "M":  # NaT never equals itself
        return np.array_equal(left.astype(np.int64), right.astype(np.int64))
    return np.array_equal(left, right)


def _same(left: dict, right: dict) -> bool:
    return all(_equal(left[t][c], right[t][c]) for t in left for c in left[t] if c[0] != "_")


def test_same_seed_gives_the_same_shop(shop):
    assert _same(shop, generate_shop(DemoSpec.build(**SPEC)).tables)


def test_another_seed_gives_another_shop(shop):
    assert not _same(shop, generate_shop(DemoSpec.build(**{**SPEC, "seed": 8})).tables)


def test_order_totals_add_up_and_discounts_stay_within_subtotal(shop):
    orders = shop["orders"]
    assert len(orders["id"]) == 3000
    expected = orders["subtotal"] - orders["discount"] + orders["shipping"] + orders["tax"]
    assert np.array_equal(orders["total"], expected)
    assert (orders["discount"] <= orders["subtotal"]).all()
    assert set(orders["channel"]) == set(CHANNELS)


def test_business_dates_are_local_days_across_daylight_saving(shop):
    zone = ZoneInfo("America/New_York")
    orders = shop["orders"]
    for placed, day in zip(orders["placed_at"][::50], orders["business_date"][::50], strict=True):
        instant = datetime.fromtimestamp(int(placed.astype(np.int64)), UTC)
        assert instant.astimezone(zone).date() == day.astype(date)


def test_refunds_never_exceed_the_merchandise_and_full_ones_mark_the_order(shop):
    orders, refunds = shop["orders"], shop["refunds"]
    index = refunds["order_id"] - 1
    merchandise = orders["subtotal"][index] - orders["discount"][index]
    assert (refunds["amount"] <= merchandise).all()
    assert (refunds["refunded_at"] > orders["completed_at"][index]).all()
    full = refunds["amount"] == merchandise
    assert (orders["status"][index[full]] == "refunded").all()


def test_customers_sign_up_before_their_first_order(shop):
    customers, orders = shop["customers"], shop["orders"]
    signed_up = customers["created_at"][orders["customer_id"] - 1]
    assert (signed_up <= orders["placed_at"]).all()


def test_purchase_events_belong_to_completed_orders(shop):
    events, orders = shop["conversion_events"], shop["orders"]
    purchases = events["event_type"] == "purchase"
    assert purchases.any()
    bought = events["order_id"][purchases].astype(np.int64) - 1
    assert set(orders["status"][bought]) <= {"completed", "refunded"}


def test_clock_converts_local_midnight_across_the_spring_change():
    days = np.arange(np.datetime64("2026-03-01"), np.datetime64("2026-03-15"))
    clock = ShopClock("America/New_York", days[0], days[-1])
    midnight = days.astype("datetime64[s]").astype(np.int64)
    utc = clock.local_to_utc(midnight)
    assert (utc[:7] - midnight[:7] == 5 * 3600).all()  # EST before 8 March
    assert (utc[8:] - midnight[8:] == 4 * 3600).all()  # EDT after
    assert (clock.business_day(utc) == days).all()
