"""The demo generator alone: deterministic, internally consistent, right about shop time."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.demo import DemoSpec, generate_shop
from app.demo.clock import ShopClock
from app.demo.lines import spread_by_segment
from app.models.enums import CHANNELS
from app.pipeline.allocation import spread

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


@given(
    st.lists(
        st.tuples(st.integers(0, 10_000), st.lists(st.integers(0, 5_000), min_size=1, max_size=6)),
        min_size=1,
        max_size=8,
    )
)
def test_the_demo_spreads_money_over_lines_exactly_as_the_service_does(orders):
    amounts = np.array([amount for amount, _ in orders], dtype=np.int64)
    weights = np.array([w for _, ws in orders for w in ws], dtype=np.int64)
    segment = np.repeat(np.arange(len(orders)), [len(ws) for _, ws in orders])
    expected = [share for amount, ws in orders for share in spread(amount, ws)]
    assert spread_by_segment(amounts, weights, segment).tolist() == expected


def test_every_order_has_lines_that_make_its_subtotal_and_discount(shop):
    orders, lines = shop["orders"], shop["order_lines"]
    index = lines["order_id"] - 1
    assert np.array_equal(np.unique(index), np.arange(len(orders["id"])))
    for column, value in (
        ("subtotal", lines["quantity"] * lines["unit_price"]),
        ("discount", lines["discount"]),
    ):
        assert np.array_equal(np.bincount(index, weights=value).astype(np.int64), orders[column])
    assert 2.2 < len(lines["id"]) / len(orders["id"]) < 2.8


def test_each_line_keeps_the_cost_in_force_when_its_order_was_placed(shop):
    lines, costs = shop["order_lines"], shop["product_costs"]
    placed = shop["orders"]["placed_at"][lines["order_id"] - 1]
    changed = 0
    for row in range(0, len(lines["id"]), 7):
        dated = costs["product_id"] == lines["product_id"][row]
        begun = dated & (costs["effective_from"] <= placed[row])
        expected = int(costs["unit_cost"][np.flatnonzero(begun)[-1]]) if begun.any() else None
        assert lines["unit_cost"][row] == expected
        changed += int((dated & (costs["effective_from"] > placed[row])).any())
    assert changed > 0  # some costs changed after a sale: the sale kept the older one


def test_refund_lines_add_up_to_each_refund_and_full_returns_bring_every_unit_back(shop):
    refunds, refund_lines, lines = shop["refunds"], shop["refund_lines"], shop["order_lines"]
    by_refund = np.bincount(refund_lines["refund_id"] - 1, weights=refund_lines["amount"])
    assert np.array_equal(by_refund.astype(np.int64), refunds["amount"])
    returned = refunds["reason"][refund_lines["refund_id"] - 1] == "Returned"
    units = lines["quantity"][refund_lines["order_line_id"] - 1]
    assert np.array_equal(refund_lines["quantity"][returned], units[returned])
    money_only = refunds["reason"][refund_lines["refund_id"] - 1] == "Partial refund"
    assert (refund_lines["quantity"][money_only] == 0).all()
