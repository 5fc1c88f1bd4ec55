"""Demo customer-side records that depend on orders: sign-up times, loyalty, referrals."""

from __future__ import annotations

import numpy as np

from app.demo.generator import Columns

TIER_THRESHOLDS = np.array([500, 2000, 5000])  # points earned to reach silver, gold, platinum
TIERS = np.array(["bronze", "silver", "gold", "platinum"], dtype=object)
REFERRAL_REWARD_POINTS = 500


def stamp_signups(rng, customers: Columns, orders: Columns, day_seconds: np.ndarray) -> None:
    """Sign-up instant on the sign-up day, and never after the customer's first order."""
    count = len(customers["id"])
    signup = day_seconds[customers["_signup_day"]] + rng.integers(0, 86_400, size=count)
    placed = orders["placed_at"].astype(np.int64)
    first_order = np.full(count, np.iinfo(np.int64).max)
    np.minimum.at(first_order, orders["customer_id"] - 1, placed)
    customers["created_at"] = np.minimum(signup, first_order - 60).astype("datetime64[s]")


def make_loyalty(rng, customers: Columns, orders: Columns) -> Columns:
    """Members earn a point per whole currency unit spent on completed orders."""
    counted = np.isin(orders["status"], ["completed", "refunded"])
    spend = np.bincount(
        orders["customer_id"][counted] - 1,
        weights=(orders["subtotal"] - orders["discount"])[counted],
        minlength=len(customers["id"]),
    )
    members = np.flatnonzero((spend > 0) & (rng.random(len(spend)) < 0.45))
    earned = (spend[members] // 100).astype(np.int64)
    redeemed = (np.floor(earned * rng.uniform(0, 0.6, size=len(members)) / 100) * 100).astype(
        np.int64
    )
    joined = customers["created_at"][members] + rng.integers(0, 3600, size=len(members)).astype(
        "timedelta64[s]"
    )
    return {
        "id": np.arange(1, len(members) + 1),
        "customer_id": customers["id"][members],
        "points_balance": earned - redeemed,
        "points_earned": earned,
        "points_redeemed": redeemed,
        "tier": TIERS[np.searchsorted(TIER_THRESHOLDS, earned, side="right")],
        "joined_at": joined,
    }


def make_referrals(rng, customers: Columns) -> Columns:
    """About 8% of customers were referred by someone who signed up before them."""
    count = len(customers["id"])
    referred = np.flatnonzero((np.arange(count) > 10) & (rng.random(count) < 0.08))
    referrer = (rng.random(len(referred)) * referred).astype(np.int64)
    referred_by = np.full(count, None, dtype=object)
    referred_by[referred] = customers["id"][referrer]
    customers["referred_by_id"] = referred_by
    return {
        "id": np.arange(1, len(referred) + 1),
        "referrer_id": customers["id"][referrer],
        "referred_id": customers["id"][referred],
        "referred_at": customers["created_at"][referred],
        "reward_points": np.full(len(referred), REFERRAL_REWARD_POINTS),
    }
