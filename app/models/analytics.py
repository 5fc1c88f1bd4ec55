"""Pre-computed figures the pages and the read API serve, plus campaigns and raw events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, utc_now
from app.models.enums import CAMPAIGN_STATUSES, CHANNELS, EVENT_TYPES, in_list


class DailyAnalyticsSnapshot(Base):
    __tablename__ = "daily_analytics_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_date: Mapped[date] = mapped_column(unique=True)
    orders: Mapped[int] = mapped_column(default=0)
    gross: Mapped[int] = mapped_column(Money, default=0)
    discounts: Mapped[int] = mapped_column(Money, default=0)
    refunds: Mapped[int] = mapped_column(Money, default=0)
    net_revenue: Mapped[int] = mapped_column(Money, default=0)
    tax: Mapped[int] = mapped_column(Money, default=0)
    shipping: Mapped[int] = mapped_column(Money, default=0)
    customers: Mapped[int] = mapped_column(default=0)
    new_customers: Mapped[int] = mapped_column(default=0)
    returning_customers: Mapped[int] = mapped_column(default=0)
    aov: Mapped[int] = mapped_column(Money, default=0)
    sessions: Mapped[int] = mapped_column(default=0)
    converted_sessions: Mapped[int] = mapped_column(default=0)
    conversion_rate: Mapped[float] = mapped_column(default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class RevenueStream(Base):
    __tablename__ = "revenue_streams"
    __table_args__ = (
        sa.UniqueConstraint("business_date", "channel"),
        sa.CheckConstraint(in_list("channel", CHANNELS), name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_date: Mapped[date]
    channel: Mapped[str] = mapped_column(sa.String(16))
    gross: Mapped[int] = mapped_column(Money, default=0)
    discounts: Mapped[int] = mapped_column(Money, default=0)
    refunds: Mapped[int] = mapped_column(Money, default=0)
    amount: Mapped[int] = mapped_column(Money, default=0)  # net revenue of the channel
    transaction_count: Mapped[int] = mapped_column(default=0)


class CustomerMetrics(Base):
    __tablename__ = "customer_metrics"
    __table_args__ = (
        # Both cover page queries: segment totals, and the value distribution of buyers.
        sa.Index("ix_customer_metrics_segment_lifetime_value", "segment", "lifetime_value"),
        sa.Index(
            "ix_customer_metrics_orders_count_lifetime_value", "orders_count", "lifetime_value"
        ),
        # The API's customer list: the first page by value without a sort of every buyer.
        sa.Index("ix_customer_metrics_lifetime_value", "lifetime_value"),
        # Cohorts and new-customer days by first order; the products page's repeaters (first
        # order in a range, a later one since) from the index alone.
        sa.Index(
            "ix_customer_metrics_first_order_date_last_order_date",
            "first_order_date",
            "last_order_date",
        ),
    )

    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    orders_count: Mapped[int] = mapped_column(default=0)
    lifetime_value: Mapped[int] = mapped_column(Money, default=0)
    aov: Mapped[int] = mapped_column(Money, default=0)
    first_order_at: Mapped[datetime | None]
    last_order_at: Mapped[datetime | None]
    # The business days of the first and last counted orders (cohorts, new-customer days).
    first_order_date: Mapped[date | None]
    last_order_date: Mapped[date | None]
    # The per-customer summary the nightly scores and the CLV model read instead of the orders:
    # distinct business days with a counted order, and the sales of those days after the first.
    purchase_days: Mapped[int] = mapped_column(default=0, server_default="0")
    repeat_day_sales: Mapped[int] = mapped_column(Money, default=0, server_default="0")
    r_score: Mapped[int | None]
    f_score: Mapped[int | None]
    m_score: Mapped[int | None]
    segment: Mapped[str | None] = mapped_column(sa.String(32))
    vip_tier: Mapped[str | None] = mapped_column(sa.String(16))
    loyalty_points: Mapped[int] = mapped_column(default=0)
    referrals_count: Mapped[int] = mapped_column(default=0)
    referral_revenue: Mapped[int] = mapped_column(Money, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class CustomerPrediction(Base):
    """A buyer's churn risk and the CLV model's predictions, as of the last nightly scoring.

    Apart from customer_metrics because every scored buyer's row changes every night: here
    that is a narrow row and three index entries, there it was a wide row and seven. The
    scoring replaces the model's rows whole; the churn risk is the model's 1 − P(alive), or
    the rule's (model columns NULL) for a buyer the model has not scored.
    """

    __tablename__ = "customer_predictions"
    __table_args__ = (
        sa.Index("ix_customer_predictions_churn_risk", "churn_risk"),
        sa.Index("ix_customer_predictions_value_at_risk", "value_at_risk"),
    )

    # No foreign key, as in daily_buyers: its check cost a quarter of a second of every
    # night's 84,000 inserts on PostgreSQL. Rows come only from customer_metrics (whose
    # customers cascade), readers always join it, and each scoring replaces them all.
    customer_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    churn_risk: Mapped[float]
    # Predictions of the latest fitted CLV model (NULL where the rule gives the churn risk).
    p_alive: Mapped[float | None]
    expected_orders_90d: Mapped[float | None]
    clv_12m: Mapped[int | None] = mapped_column(Money)
    value_at_risk: Mapped[int | None] = mapped_column(Money)


class AliveMatrixCell(Base):
    """Scored customers and their value at risk per segment and P(alive) band: the customers
    page's matrix. Written whole by every rescoring (segments and predictions change only
    there), so the page reads 40 rows instead of joining every prediction to its segment."""

    __tablename__ = "alive_matrix"

    segment: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    band: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    customers: Mapped[int]
    value_at_risk: Mapped[int] = mapped_column(Money)


class DailyBuyers(Base):
    """The customers with a counted order on a business day (app/analytics/buyers.py): what
    makes a range's distinct buyers exact without a DISTINCT over its orders."""

    __tablename__ = "daily_buyers"

    business_date: Mapped[date] = mapped_column(primary_key=True)
    customer_ids: Mapped[bytes] = mapped_column(sa.LargeBinary)
    buyers: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        sa.CheckConstraint(in_list("status", CAMPAIGN_STATUSES), name="status"),
        sa.CheckConstraint("budget >= 0 AND spend >= 0", name="money_not_negative"),
        sa.CheckConstraint(
            "discount_percent >= 0 AND discount_percent <= 100", name="discount_percent_range"
        ),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    discount_percent: Mapped[int] = mapped_column(default=0)
    target_audience: Mapped[str] = mapped_column(sa.String(40), default="all")
    budget: Mapped[int] = mapped_column(Money, default=0)
    spend: Mapped[int] = mapped_column(Money, default=0)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class CampaignPerformance(Base):
    __tablename__ = "campaign_performance"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "business_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    business_date: Mapped[date]
    orders: Mapped[int] = mapped_column(default=0)
    conversions: Mapped[int] = mapped_column(default=0)
    revenue: Mapped[int] = mapped_column(Money, default=0)
    discount_cost: Mapped[int] = mapped_column(Money, default=0)


class PageViewAnalytics(Base):
    __tablename__ = "page_view_analytics"
    __table_args__ = (sa.UniqueConstraint("business_date", "page"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_date: Mapped[date]
    page: Mapped[str] = mapped_column(sa.String(200))
    views: Mapped[int] = mapped_column(default=0)
    unique_visitors: Mapped[int] = mapped_column(default=0)


class ConversionEvent(Base):
    __tablename__ = "conversion_events"
    __table_args__ = (
        sa.CheckConstraint(in_list("event_type", EVENT_TYPES), name="event_type"),
        sa.Index("ix_conversion_events_business_date_event_type", "business_date", "event_type"),
        sa.Index("ix_conversion_events_session_id_occurred_at", "session_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    event_type: Mapped[str] = mapped_column(sa.String(16))
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    session_id: Mapped[str] = mapped_column(sa.String(64))
    occurred_at: Mapped[datetime]
    business_date: Mapped[date]
    order_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="SET NULL"), index=True
    )
    page: Mapped[str | None] = mapped_column(sa.String(200))
    channel: Mapped[str | None] = mapped_column(sa.String(16))


class CohortRetention(Base):
    """Customers of a first-order month who ordered again n months later (n = 0 is the cohort)."""

    __tablename__ = "cohort_retention"
    __table_args__ = (sa.UniqueConstraint("cohort_month", "months_since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_month: Mapped[date]  # first day of the month
    months_since: Mapped[int]
    customers: Mapped[int] = mapped_column(default=0)


class PaymentMethodDaily(Base):
    """Counted orders and the amount paid, per business day and payment method."""

    __tablename__ = "payment_method_daily"
    __table_args__ = (sa.UniqueConstraint("business_date", "method"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_date: Mapped[date]
    method: Mapped[str] = mapped_column(sa.String(16))
    orders: Mapped[int] = mapped_column(default=0)
    amount: Mapped[int] = mapped_column(Money, default=0)


class FunnelDaily(Base):
    """Sessions that entered on a day (by channel) and how far, in order, they got."""

    __tablename__ = "funnel_daily"
    __table_args__ = (sa.UniqueConstraint("business_date", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_date: Mapped[date]
    channel: Mapped[str] = mapped_column(sa.String(16))
    sessions: Mapped[int] = mapped_column(default=0)
    product_views: Mapped[int] = mapped_column(default=0)
    add_to_carts: Mapped[int] = mapped_column(default=0)
    checkouts: Mapped[int] = mapped_column(default=0)
    purchases: Mapped[int] = mapped_column(default=0)


class FunnelSession(Base):
    """One row per visit (session) with a page view: its entry day and channel, the last
    funnel step it reached in order within the conversion window, and the whole minutes it
    took to purchase. Kept by the refresher from the `session` stale keys; the day figures
    (FunnelDaily, FunnelConversionTime) are sums of these rows."""

    __tablename__ = "funnel_sessions"
    __table_args__ = (sa.Index("ix_funnel_sessions_business_date", "business_date"),)

    session_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    business_date: Mapped[date]
    channel: Mapped[str] = mapped_column(sa.String(16))
    reached: Mapped[int] = mapped_column(sa.SmallInteger)  # index into EVENT_TYPES
    minutes: Mapped[int | None]  # whole minutes from entry to purchase, when it converted


class FunnelConversionTime(Base):
    """Converted sessions by entry day, channel and whole minutes from entry to purchase."""

    __tablename__ = "funnel_conversion_times"
    __table_args__ = (sa.UniqueConstraint("business_date", "channel", "minutes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_date: Mapped[date]
    channel: Mapped[str] = mapped_column(sa.String(16))
    minutes: Mapped[int]
    sessions: Mapped[int] = mapped_column(default=0)


class ClvModel(Base):
    """One fit of BG/NBD + Gamma-Gamma (app/analytics/clv.py), or why it could not be made."""

    __tablename__ = "clv_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    fitted_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    calibration_end: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(16))  # fitted | failed
    message: Mapped[str | None] = mapped_column(sa.Text)
    customers: Mapped[int] = mapped_column(default=0)
    repeat_customers: Mapped[int] = mapped_column(default=0)
    r: Mapped[float | None]
    alpha: Mapped[float | None]
    a: Mapped[float | None]
    b: Mapped[float | None]
    bgnbd_log_likelihood: Mapped[float | None]
    p: Mapped[float | None]
    q: Mapped[float | None]
    gamma: Mapped[float | None]  # in the shop currency's major units
    gamma_gamma_log_likelihood: Mapped[float | None]
    # Predicted vs actual repeat purchase days per week after calibration_end, when data exists.
    calibration: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
