"""The shop's operational data that analytics reads."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Money, utc_now
from app.models.enums import (
    CHANNELS,
    LOYALTY_TIERS,
    ORDER_STATUSES,
    PAYMENT_METHODS,
    PAYMENT_STATUSES,
    in_list,
)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        sa.CheckConstraint(in_list("acquisition_channel", CHANNELS), name="acquisition_channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    name: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    acquisition_channel: Mapped[str] = mapped_column(sa.String(16), default="web")
    referred_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )

    orders: Mapped[list[Order]] = relationship(back_populates="customer")
    referred_by: Mapped[Customer | None] = relationship(remote_side=[id])


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        sa.CheckConstraint(in_list("status", ORDER_STATUSES), name="status"),
        sa.CheckConstraint(in_list("channel", CHANNELS), name="channel"),
        sa.CheckConstraint(
            "subtotal >= 0 AND discount >= 0 AND shipping >= 0 AND tax >= 0"
            " AND discount <= subtotal",
            name="amounts_not_negative",
        ),
        sa.CheckConstraint("total = subtotal - discount + shipping + tax", name="total_adds_up"),
        # Covers the day's distinct customers as well as the day's orders.
        sa.Index(
            "ix_orders_business_date_status_customer_id", "business_date", "status", "customer_id"
        ),
        sa.Index("ix_orders_customer_id_placed_at", "customer_id", "placed_at"),
        # Covers each customer's first/last counted day (new customers, cohorts, RFM recency).
        sa.Index(
            "ix_orders_customer_id_status_business_date", "customer_id", "status", "business_date"
        ),
        # Covers a campaign's distinct buyers over any range, read from the index alone.
        sa.Index(
            "ix_orders_campaign_id_business_date_status_customer_id",
            "campaign_id",
            "business_date",
            "status",
            "customer_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # active_history: real-time tracking must know the old value of what changed.
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="RESTRICT"), active_history=True
    )
    placed_at: Mapped[datetime] = mapped_column(active_history=True)
    completed_at: Mapped[datetime | None]
    # The shop-local day the order was placed on: revenue is reported on it.
    business_date: Mapped[date] = mapped_column(active_history=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending", active_history=True)
    channel: Mapped[str] = mapped_column(sa.String(16), default="web")
    subtotal: Mapped[int] = mapped_column(Money)
    discount: Mapped[int] = mapped_column(Money, default=0)
    shipping: Mapped[int] = mapped_column(Money, default=0)
    tax: Mapped[int] = mapped_column(Money, default=0)
    total: Mapped[int] = mapped_column(Money)
    campaign_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    coupon_code: Mapped[str | None] = mapped_column(sa.String(40))

    customer: Mapped[Customer | None] = relationship(back_populates="orders")
    payments: Mapped[list[Payment]] = relationship(back_populates="order")
    refunds: Mapped[list[Refund]] = relationship(back_populates="order")


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        sa.CheckConstraint(in_list("method", PAYMENT_METHODS), name="method"),
        sa.CheckConstraint(in_list("status", PAYMENT_STATUSES), name="status"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(sa.String(16))
    amount: Mapped[int] = mapped_column(Money)
    status: Mapped[str] = mapped_column(sa.String(16), default="captured")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    order: Mapped[Order] = relationship(back_populates="payments")


class Refund(Base):
    __tablename__ = "refunds"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[int] = mapped_column(Money)
    refunded_at: Mapped[datetime] = mapped_column(active_history=True)
    # Booked on the refund's own shop-local day, not the order's.
    business_date: Mapped[date] = mapped_column(index=True, active_history=True)
    reason: Mapped[str | None] = mapped_column(sa.String(200))

    order: Mapped[Order] = relationship(back_populates="refunds")


class LoyaltyAccount(Base):
    __tablename__ = "loyalty_accounts"
    __table_args__ = (
        sa.CheckConstraint(in_list("tier", LOYALTY_TIERS), name="tier"),
        sa.CheckConstraint("points_redeemed <= points_earned", name="redeemed_within_earned"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), unique=True
    )
    points_balance: Mapped[int] = mapped_column(default=0)
    points_earned: Mapped[int] = mapped_column(default=0)
    points_redeemed: Mapped[int] = mapped_column(default=0)
    tier: Mapped[str] = mapped_column(sa.String(16), default="bronze")
    joined_at: Mapped[datetime] = mapped_column(default=utc_now)


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    referrer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    referred_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), unique=True
    )
    referred_at: Mapped[datetime]
    reward_points: Mapped[int] = mapped_column(default=0)


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (sa.CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    plan: Mapped[str] = mapped_column(sa.String(40))
    amount: Mapped[int] = mapped_column(Money)
    period_months: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
