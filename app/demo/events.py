"""Demo visitor sessions: page views and funnel steps, some of them ending in an order."""

from __future__ import annotations

import numpy as np

from app.demo.clock import ShopClock, as_instants
from app.demo.generator import HOUR_WEIGHTS, Columns
from app.demo.spec import DemoSpec
from app.models.enums import EVENT_TYPES

TRACKED_CHANNELS = np.array(["web", "mobile_app", "social"], dtype=object)
BROWSING_SESSIONS_PER_ORDER = 12
# How far a session that buys nothing gets: 1 = page view only … 4 = reached checkout.
BROWSING_DEPTH_WEIGHTS = np.array([0.55, 0.25, 0.12, 0.08])
LANDING_PAGES = np.array(
    ["/", "/collections/new", "/collections/sale", "/blog/brewing-guide", "/about"], dtype=object
)
STEP_PAGES = np.array([None, None, "/cart", "/checkout", "/checkout/thank-you"], dtype=object)


def make_events(
    rng: np.random.Generator,
    spec: DemoSpec,
    orders: Columns,
    order_day: np.ndarray,
    day_seconds: np.ndarray,
    clock: ShopClock,
) -> Columns:
    """Sessions of the last `event_days` days: buyers' full paths plus browsing that drops off."""
    first_day = spec.days - spec.event_days
    buyers = np.flatnonzero((order_day >= first_day) & np.isin(orders["channel"], TRACKED_CHANNELS))
    sessions = _buyer_sessions(rng, orders, buyers)
    browsing = _browsing_sessions(rng, order_day[buyers], day_seconds, clock)
    merged = {key: np.concatenate([sessions[key], browsing[key]]) for key in sessions}
    return _expand_steps(rng, merged, clock)


def _buyer_sessions(rng: np.random.Generator, orders: Columns, buyers: np.ndarray) -> dict:
    placed = orders["placed_at"][buyers].astype(np.int64)
    counted = np.isin(orders["status"][buyers], ["completed", "refunded"])
    return {
        "start": placed - rng.integers(300, 2400, size=len(buyers)),
        "depth": np.where(counted, 5, 4),
        "end": placed - 30,
        "finish": np.where(counted, orders["completed_at"][buyers].astype(np.int64), placed),
        "customer_id": orders["customer_id"][buyers].astype(object),
        "order_id": orders["id"][buyers].astype(object),
        "channel": orders["channel"][buyers],
    }


def _browsing_sessions(
    rng, buyer_days: np.ndarray, day_seconds: np.ndarray, clock: ShopClock
) -> dict:
    day = np.repeat(buyer_days, BROWSING_SESSIONS_PER_ORDER)
    count = len(day)
    hour = rng.choice(24, size=count, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    start = clock.local_to_utc(day_seconds[day] + hour * 3600 + rng.integers(0, 3600, size=count))
    depth = rng.choice(np.arange(1, 5), size=count, p=BROWSING_DEPTH_WEIGHTS)
    return {
        "start": start,
        "depth": depth,
        "end": start + depth * 240,
        "finish": start + depth * 240,
        "customer_id": np.full(count, None, dtype=object),
        "order_id": np.full(count, None, dtype=object),
        "channel": TRACKED_CHANNELS[rng.integers(len(TRACKED_CHANNELS), size=count)],
    }


def _expand_steps(rng: np.random.Generator, sessions: dict, clock: ShopClock) -> Columns:
    order = np.argsort(sessions["start"], kind="stable")
    sessions = {key: values[order] for key, values in sessions.items()}
    depth = sessions["depth"]
    owner = np.repeat(np.arange(len(depth)), depth)
    step = np.arange(depth.sum()) - np.repeat(np.cumsum(depth) - depth, depth)
    span = sessions["end"][owner] - sessions["start"][owner]
    browsing_steps = np.minimum(depth[owner], 4)
    occurred = sessions["start"][owner] + (span * step) // np.maximum(browsing_steps - 1, 1)
    is_purchase = step == 4
    occurred[is_purchase] = sessions["finish"][owner][is_purchase]
    pages = STEP_PAGES[step]
    pages[step == 0] = LANDING_PAGES[rng.integers(len(LANDING_PAGES), size=int((step == 0).sum()))]
    products = rng.integers(1, 41, size=int((step == 1).sum()))
    pages[step == 1] = np.array([f"/products/{p}" for p in products], dtype=object)
    ids = np.arange(1, len(step) + 1)
    session_names = np.array([f"S{i:09d}" for i in range(1, len(depth) + 1)], dtype=object)
    return {
        "id": ids,
        "external_id": np.array([f"EV-{i:09d}" for i in ids], dtype=object),
        "event_type": np.array(EVENT_TYPES, dtype=object)[step],
        "customer_id": sessions["customer_id"][owner],
        "session_id": session_names[owner],
        "occurred_at": as_instants(occurred),
        "business_date": clock.business_day(occurred),
        "order_id": np.where(is_purchase, sessions["order_id"][owner], None),
        "page": pages,
        "channel": sessions["channel"][owner],
    }
