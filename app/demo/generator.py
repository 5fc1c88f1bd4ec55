"""A believable shop as numpy columns: customers, campaigns, orders, payments and refunds."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app.demo.spec import DemoSpec
from app.models.enums import CHANNELS

Columns = dict[str, np.ndarray]

# Acquisition mix; nobody is acquired through a subscription renewal.
ACQUISITION_WEIGHTS = np.array([0.42, 0.22, 0.12, 0.08, 0.04, 0.12, 0.0])
# Median basket per channel in cents, same order as CHANNELS.
MEDIAN_BASKET = np.array([5500, 4500, 4000, 3500, 7000, 3800, 3000])
WEEKDAY_FACTOR = np.array([0.95, 0.90, 0.92, 0.97, 1.05, 1.15, 1.10])  # Monday first
HOUR_WEIGHTS = np.array(
    [2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 7, 6, 6, 6, 7, 8, 9, 10, 9, 6, 3], dtype=float
)
PAYMENT_WEIGHTS = np.array([0.55, 0.18, 0.10, 0.07, 0.04, 0.06, 0.0])
POS_PAYMENT_WEIGHTS = np.array([0.6, 0.0, 0.1, 0.05, 0.05, 0.0, 0.2])
TAX_RATE = 0.08
FREE_SHIPPING_FROM = 7500
SHIPPING_FEE = 599


@dataclass
class DemoShop:
    """Every table of the demo shop as columns, in insertion order."""

    tables: dict[str, Columns] = field(default_factory=dict)

    @property
    def row_count(self) -> int:
        return sum(len(next(iter(columns.values()))) for columns in self.tables.values() if columns)


def day_weights(spec: DemoSpec, days: np.ndarray) -> np.ndarray:
    """Growth, weekly rhythm and a year-end peak: the share of orders each day gets."""
    position = np.arange(len(days)) / max(len(days) - 1, 1)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    day_of_year = (days - days.astype("datetime64[Y]")).astype(np.int64)
    yearly = 1 + 0.30 * np.exp(-(((day_of_year - 340) / 25.0) ** 2))
    weights = (1 + 0.6 * position) * WEEKDAY_FACTOR[weekday] * yearly
    return weights / weights.sum()


def make_customers(rng: np.random.Generator, spec: DemoSpec, days: np.ndarray) -> Columns:
    count = spec.customers
    signup_day = np.sort(rng.choice(len(days), size=count, p=day_weights(spec, days)))
    ids = np.arange(1, count + 1)
    channel_index = rng.choice(len(CHANNELS), size=count, p=ACQUISITION_WEIGHTS)
    return {
        "id": ids,
        "external_id": np.array([f"CUST-{i:07d}" for i in ids], dtype=object),
        "email": np.array([f"customer{i}@example.com" for i in ids], dtype=object),
        "name": _names(rng, count),
        "acquisition_channel": np.array(CHANNELS, dtype=object)[channel_index],
        # Internal columns (leading underscore) steer generation and are never inserted.
        "_channel_index": channel_index,
        "_signup_day": signup_day,
        "_active_until": signup_day + rng.exponential(420, size=count).astype(np.int64) + 30,
        "_propensity": rng.lognormal(0.0, 1.0, size=count),
    }


FIRST_NAMES = np.array(
    [
        "Ava",
        "Ben",
        "Chloe",
        "Daniel",
        "Emma",
        "Finn",
        "Grace",
        "Henry",
        "Isla",
        "Jack",
        "Kate",
        "Liam",
        "Mia",
        "Noah",
        "Olivia",
        "Paul",
        "Quinn",
        "Ruby",
        "Sam",
        "Tara",
        "Umar",
        "Vera",
        "Will",
        "Xena",
        "Yusuf",
        "Zoe",
    ],
    dtype=object,
)
LAST_NAMES = np.array(
    [
        "Smith",
        "Jones",
        "Brown",
        "Garcia",
        "Miller",
        "Davis",
        "Wilson",
        "Moore",
        "Taylor",
        "Thomas",
        "Lee",
        "Martin",
        "Clark",
        "Lewis",
        "Walker",
        "Young",
        "Allen",
        "King",
        "Wright",
        "Scott",
    ],
    dtype=object,
)


def _names(rng: np.random.Generator, count: int) -> np.ndarray:
    first = FIRST_NAMES[rng.integers(len(FIRST_NAMES), size=count)]
    last = LAST_NAMES[rng.integers(len(LAST_NAMES), size=count)]
    return first + " " + last


def assign_customers(
    rng: np.random.Generator, customers: Columns, order_day: np.ndarray
) -> np.ndarray:
    """Pick, for each order, a customer who had signed up by then, favouring keen ones."""
    signup, until = customers["_signup_day"], customers["_active_until"]
    cumulative = np.cumsum(customers["_propensity"])
    eligible = np.searchsorted(signup, order_day, side="right")  # customers sorted by signup
    eligible = np.maximum(eligible, 1)
    chosen = np.empty(len(order_day), dtype=np.int64)
    pending = np.arange(len(order_day))
    for _ in range(4):  # re-draw orders that fell after the customer lapsed, a few times
        draw = rng.random(len(pending)) * cumulative[eligible[pending] - 1]
        chosen[pending] = np.minimum(np.searchsorted(cumulative, draw), eligible[pending] - 1)
        pending = pending[until[chosen[pending]] < order_day[pending]]
    return chosen
