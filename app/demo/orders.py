"""Demo orders with their payments and refunds."""

from __future__ import annotations

import numpy as np

from app.demo.campaigns import renewal_days
from app.demo.clock import DAY, ShopClock, as_instants
from app.demo.generator import (
    ACQUISITION_WEIGHTS,
    FREE_SHIPPING_FROM,
    HOUR_WEIGHTS,
    PAYMENT_WEIGHTS,
    POS_PAYMENT_WEIGHTS,
    SHIPPING_FEE,
    TAX_RATE,
    Columns,
    assign_customers,
    day_weights,
)
from app.demo.spec import DemoSpec
from app.models.enums import CHANNELS, PAYMENT_METHODS

SUBSCRIPTION = CHANNELS.index("subscription")
POS = CHANNELS.index("pos")


def order_skeleton(
    rng: np.random.Generator, spec: DemoSpec, days: np.ndarray, customers: Columns, subs: Columns
) -> dict[str, np.ndarray]:
    """Day, customer, channel and plan (renewals) of every order."""
    renewal_sub, renewal_day = renewal_days(subs, len(days))
    keep = min(len(renewal_day), spec.orders // 10)  # renewals stay a minor channel
    chosen = np.sort(rng.choice(len(renewal_day), size=keep, replace=False))
    renewal_sub, renewal_day = renewal_sub[chosen], renewal_day[chosen]
    regular = spec.orders - keep
    regular_day = rng.choice(len(days), size=regular, p=day_weights(spec, days))
    regular_customer = assign_customers(rng, customers, regular_day)
    loyal = rng.random(regular) < 0.65
    picked = rng.choice(len(CHANNELS), size=regular, p=ACQUISITION_WEIGHTS)
    channel_index = np.where(loyal, customers["_channel_index"][regular_customer], picked)
    return {
        "day": np.concatenate([regular_day, renewal_day]),
        "customer": np.concatenate([regular_customer, subs["_owner"][renewal_sub]]),
        "channel": np.concatenate([channel_index, np.full(keep, SUBSCRIPTION)]),
        # The lines make the subtotal (app/demo/lines.py); a renewal has its plan's line.
        "plan": np.concatenate([np.full(regular, -1), subs["_plan"][renewal_sub]]),
    }


def place_in_time(
    rng: np.random.Generator, skeleton: dict, day_seconds: np.ndarray, clock: ShopClock
):
    """Local time of day by an hourly rhythm, converted to UTC; orders sorted by time."""
    count = len(skeleton["day"])
    hour = rng.choice(24, size=count, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    local = day_seconds[skeleton["day"]] + hour * 3600 + rng.integers(0, 3600, size=count)
    placed = clock.local_to_utc(local)
    order = np.argsort(placed, kind="stable")
    for key in skeleton:
        skeleton[key] = skeleton[key][order]
    skeleton["placed"] = placed[order]


def apply_campaigns(rng: np.random.Generator, skeleton: dict, campaigns: Columns) -> None:
    """Orders during a running campaign sometimes use its coupon."""
    count = len(skeleton["day"])
    campaign = np.zeros(count, dtype=np.int64)  # 0 = none
    for index in np.flatnonzero(campaigns["status"] != "draft"):
        running = (skeleton["day"] >= campaigns["_start"][index]) & (
            skeleton["day"] <= campaigns["_end"][index]
        )
        uses = (
            running
            & (campaign == 0)
            & (rng.random(count) < 0.18)
            & (skeleton["channel"] != SUBSCRIPTION)
        )
        campaign[uses] = campaigns["id"][index]
    percent = np.concatenate([[0], campaigns["discount_percent"]])[campaign]
    skeleton["campaign"] = campaign
    skeleton["discount"] = np.round(skeleton["subtotal"] * percent / 100).astype(np.int64)
    skeleton["coupon"] = np.concatenate([[None], campaigns["code"]]).astype(object)[campaign]


def settle(rng: np.random.Generator, skeleton: dict, spec: DemoSpec, end_utc: int) -> None:
    """Statuses, completion times, shipping and tax."""
    count = len(skeleton["day"])
    age = spec.days - 1 - skeleton["day"]
    roll = rng.random(count)
    status = np.full(count, "completed", dtype=object)
    status[roll < 0.03] = "cancelled"
    status[(age <= 1) & (roll > 0.75)] = "pending"
    completed = np.where(
        status == "completed", skeleton["placed"] + rng.integers(120, 6 * 3600, size=count), -1
    )
    merchandise = skeleton["subtotal"] - skeleton["discount"]
    skeleton["status"] = status
    skeleton["completed"] = completed
    skeleton["shipping"] = np.where(
        (skeleton["channel"] == POS) | (merchandise >= FREE_SHIPPING_FROM), 0, SHIPPING_FEE
    )
    skeleton["tax"] = np.round(merchandise * TAX_RATE).astype(np.int64)
    skeleton["end_utc"] = end_utc


def make_refunds(rng: np.random.Generator, skeleton: dict, clock: ShopClock) -> Columns:
    """About 4.5% of completed orders get a merchandise refund; most refunds are in full."""
    completed = np.flatnonzero(skeleton["status"] == "completed")
    chosen = completed[rng.random(len(completed)) < 0.045]
    refunded_at = skeleton["completed"][chosen] + rng.integers(DAY, 30 * DAY, size=len(chosen))
    inside = refunded_at < skeleton["end_utc"]
    chosen, refunded_at = chosen[inside], refunded_at[inside]
    merchandise = skeleton["subtotal"][chosen] - skeleton["discount"][chosen]
    full = rng.random(len(chosen)) < 0.6
    share = rng.uniform(0.1, 0.5, size=len(chosen))
    amount = np.where(full, merchandise, np.maximum(np.round(merchandise * share), 1)).astype(
        np.int64
    )
    skeleton["status"][chosen[full]] = "refunded"
    ids = np.arange(1, len(chosen) + 1)
    return {
        "id": ids,
        "external_id": np.array([f"RF-{i:07d}" for i in ids], dtype=object),
        "order_id": chosen + 1,
        "amount": amount,
        "refunded_at": as_instants(refunded_at),
        "business_date": clock.business_day(refunded_at),
        "reason": np.where(full, "Returned", "Partial refund").astype(object),
    }


def order_columns(skeleton: dict, customers: Columns, clock: ShopClock) -> Columns:
    count = len(skeleton["day"])
    ids = np.arange(1, count + 1)
    completed = skeleton["completed"]
    return {
        "id": ids,
        "external_id": np.array([f"ORD-{i:08d}" for i in ids], dtype=object),
        "customer_id": customers["id"][skeleton["customer"]],
        "placed_at": as_instants(skeleton["placed"]),
        "completed_at": np.where(completed >= 0, as_instants(completed), np.datetime64("NaT")),
        "business_date": clock.business_day(skeleton["placed"]),
        "status": skeleton["status"],
        "channel": np.array(CHANNELS, dtype=object)[skeleton["channel"]],
        "subtotal": skeleton["subtotal"],
        "discount": skeleton["discount"],
        "shipping": skeleton["shipping"],
        "tax": skeleton["tax"],
        "total": skeleton["subtotal"]
        - skeleton["discount"]
        + skeleton["shipping"]
        + skeleton["tax"],
        "campaign_id": np.where(skeleton["campaign"] > 0, skeleton["campaign"], None).astype(
            object
        ),
        "coupon_code": skeleton["coupon"],
    }


def make_payments(rng: np.random.Generator, orders: Columns) -> Columns:
    count = len(orders["id"])
    online = rng.choice(len(PAYMENT_METHODS), size=count, p=PAYMENT_WEIGHTS)
    in_store = rng.choice(len(PAYMENT_METHODS), size=count, p=POS_PAYMENT_WEIGHTS)
    method = np.where(orders["channel"] == "pos", in_store, online)
    status_by_order = {
        "completed": "captured",
        "refunded": "refunded",
        "cancelled": "failed",
        "pending": "authorized",
    }
    return {
        "id": orders["id"],
        "order_id": orders["id"],
        "method": np.array(PAYMENT_METHODS, dtype=object)[method],
        "amount": orders["total"],
        "status": np.array([status_by_order[s] for s in orders["status"]], dtype=object),
        "created_at": orders["placed_at"],
    }
