"""The shop's fixed vocabularies: one place for each list."""

from __future__ import annotations

CHANNELS: tuple[str, ...] = (
    "web",
    "mobile_app",
    "marketplace",
    "pos",
    "phone",
    "social",
    "subscription",
)
CHANNEL_LABELS = {
    "web": "Web store",
    "mobile_app": "Mobile app",
    "marketplace": "Marketplace",
    "pos": "Point of sale",
    "phone": "Phone",
    "social": "Social",
    "subscription": "Subscription",
}
ORDER_STATUSES: tuple[str, ...] = ("pending", "completed", "cancelled", "refunded")
# Orders that reached completed count towards revenue; a refund is booked separately.
COUNTED_STATUSES: tuple[str, ...] = ("completed", "refunded")
PAYMENT_METHODS: tuple[str, ...] = (
    "card",
    "paypal",
    "apple_pay",
    "google_pay",
    "gift_card",
    "bank_transfer",
    "cash",
)
PAYMENT_METHOD_LABELS: dict[str, str] = {
    "card": "Card",
    "paypal": "PayPal",
    "apple_pay": "Apple Pay",
    "google_pay": "Google Pay",
    "gift_card": "Gift card",
    "bank_transfer": "Bank transfer",
    "cash": "Cash",
}
PAYMENT_STATUSES: tuple[str, ...] = ("authorized", "captured", "failed", "refunded")
ROLES: tuple[str, ...] = ("viewer", "manager", "admin")
TOKEN_SCOPES: tuple[str, ...] = ("read", "write")
LOYALTY_TIERS: tuple[str, ...] = ("bronze", "silver", "gold", "platinum")
CAMPAIGN_STATUSES: tuple[str, ...] = ("draft", "active", "paused", "completed")
EVENT_TYPES: tuple[str, ...] = (
    "page_view",
    "product_view",
    "add_to_cart",
    "checkout",
    "purchase",
)
SEGMENTS: tuple[str, ...] = (
    "Champions",
    "Loyal",
    "Potential loyalists",
    "New",
    "Promising",
    "Need attention",
    "About to sleep",
    "At risk",
    "Can't lose",
    "Hibernating",
)
JOB_STATUSES: tuple[str, ...] = ("running", "succeeded", "failed")
# What a write can make stale (app/models/ops.py, StaleKey).
STALE_KINDS: tuple[str, ...] = (
    "day",
    "visit_day",
    "customer",
    "session",
    "orders",
    "scores",
    "everything",
)


def in_list(column: str, values: tuple[str, ...]) -> str:
    """SQL text for a CHECK constraint that keeps a column inside a vocabulary."""
    quoted = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"{column} IN ({quoted})"


# Figures the anomaly detector watches, overall ("all") and per channel.
WATCHED_METRICS: tuple[str, ...] = ("net_revenue", "orders", "aov", "conversion_rate", "refunds")
ALL_CHANNELS = "all"
# Figures staff set monthly targets for (and the month-end forecast covers).
TARGET_METRICS: tuple[str, ...] = ("net_revenue", "orders", "new_customers")
# What a staff member can subscribe to by e-mail.
SUBSCRIPTION_KINDS: tuple[str, ...] = ("daily", "weekly", "alerts")
