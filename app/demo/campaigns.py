"""Demo campaigns and subscriptions: the things orders are tied to."""

from __future__ import annotations

import numpy as np

from app.demo.generator import Columns
from app.demo.spec import DemoSpec

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
THEMES = ("Sale", "Weekender", "Members' Offer", "Flash Sale", "New Season")
PLANS = (
    ("Coffee Club Monthly", 2499, 1),
    ("Coffee Club Quarterly", 6999, 3),
    ("Treat Box", 4999, 1),
)


def make_campaigns(rng: np.random.Generator, spec: DemoSpec, days: np.ndarray) -> Columns:
    """Past, running and one planned campaign, each with a unique coupon code."""
    span = len(days)
    count = max(2, span // 45)
    start = np.sort(rng.integers(0, max(span - 7, 1), size=count))
    length = rng.integers(7, 29, size=count)
    end = start + length - 1
    start = np.append(start, span + 7)  # one draft campaign still to come
    end = np.append(end, span + 21)
    status = np.where(end < span - 1, "completed", "active").astype(object)
    status[-1] = "draft"
    starts_on = days[0] + start.astype("timedelta64[D]")
    month = starts_on.astype("datetime64[M]").astype(np.int64) % 12
    year = starts_on.astype("datetime64[Y]").astype(np.int64) + 1970
    theme = rng.integers(len(THEMES), size=len(start))
    budget = rng.integers(20, 201, size=len(start)) * 10_000
    spent_share = np.where(status == "draft", 0.0, rng.uniform(0.6, 1.0, size=len(start)))
    ids = np.arange(1, len(start) + 1)
    return {
        "id": ids,
        "name": np.array(
            [f"{MONTHS[m]} {THEMES[t]} {y}" for m, t, y in zip(month, theme, year, strict=True)],
            dtype=object,
        ),
        "code": np.array(
            [
                f"{MONTHS[m].upper()}{y % 100:02d}-{i}"
                for m, y, i in zip(month, year, ids, strict=True)
            ],
            dtype=object,
        ),
        "status": status,
        "discount_percent": rng.choice([10, 15, 20, 25, 30], size=len(start)),
        "target_audience": rng.choice(
            np.array(["all", "New", "At risk", "Loyal"], dtype=object), size=len(start)
        ),
        "budget": budget,
        "spend": np.round(budget * spent_share).astype(np.int64),
        "starts_on": starts_on,
        "ends_on": days[0] + end.astype("timedelta64[D]"),
        "created_at": (days[0] + (start - 14).astype("timedelta64[D]")).astype("datetime64[s]"),
        "updated_at": (days[0] + (start - 14).astype("timedelta64[D]")).astype("datetime64[s]"),
        "_start": start,
        "_end": end,
    }


def make_subscriptions(rng: np.random.Generator, customers: Columns, span: int) -> Columns:
    """About 3% of customers subscribe some weeks after signing up; some cancel later."""
    count = max(1, len(customers["id"]) // 33)
    owner = np.sort(rng.choice(len(customers["id"]), size=count, replace=False))
    start_day = np.minimum(
        customers["_signup_day"][owner] + rng.integers(0, 60, size=count), span - 1
    )
    plan = rng.integers(len(PLANS), size=count)
    lifetime = rng.exponential(240, size=count).astype(np.int64) + 20
    cancels = rng.random(count) < 0.4
    cancel_day = np.where(cancels & (start_day + lifetime < span), start_day + lifetime, -1)
    return {
        "id": np.arange(1, count + 1),
        "customer_id": customers["id"][owner],
        "plan": np.array([PLANS[p][0] for p in plan], dtype=object),
        "amount": np.array([PLANS[p][1] for p in plan], dtype=np.int64),
        "period_months": np.array([PLANS[p][2] for p in plan], dtype=np.int64),
        "_owner": owner,
        "_plan": plan,
        "_start_day": start_day,
        "_cancel_day": cancel_day,
    }


def stamp_subscription_times(subscriptions: Columns, day_seconds: np.ndarray, rng) -> None:
    """Turn subscription day indexes into instants once the shop clock is known."""
    count = len(subscriptions["id"])
    started = day_seconds[subscriptions["_start_day"]] + rng.integers(
        8 * 3600, 20 * 3600, size=count
    )
    cancel_day = subscriptions["_cancel_day"]
    cancelled = np.where(cancel_day >= 0, day_seconds[np.maximum(cancel_day, 0)] + 12 * 3600, 0)
    subscriptions["started_at"] = started.astype("datetime64[s]")
    subscriptions["cancelled_at"] = np.where(
        cancel_day >= 0, cancelled.astype("datetime64[s]"), np.datetime64("NaT")
    )


def renewal_days(subscriptions: Columns, span: int) -> tuple[np.ndarray, np.ndarray]:
    """Subscription index and day index of every renewal order (every 30 days × period)."""
    step = 30 * subscriptions["period_months"]
    stop = np.where(subscriptions["_cancel_day"] >= 0, subscriptions["_cancel_day"], span)
    counts = np.maximum((stop - subscriptions["_start_day"] + step - 1) // step, 0)
    which = np.repeat(np.arange(len(step)), counts)
    offsets = np.cumsum(counts) - counts
    nth = np.arange(counts.sum()) - np.repeat(offsets, counts)
    return which, subscriptions["_start_day"][which] + nth * step[which]
