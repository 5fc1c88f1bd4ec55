"""What the scheduler works out about the figures (anomalies, month-end forecasts), the monthly
targets staff set, and who is told by e-mail."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, utc_now
from app.models.enums import (
    ALL_CHANNELS,
    CHANNELS,
    SUBSCRIPTION_KINDS,
    TARGET_METRICS,
    WATCHED_METRICS,
    in_list,
)


class Anomaly(Base):
    """A day whose figure fell outside the range its history predicted (written only by the
    anomaly job); money in minor units, rates as fractions."""

    __tablename__ = "anomalies"
    __table_args__ = (
        sa.UniqueConstraint("business_date", "metric", "channel"),
        sa.CheckConstraint(in_list("metric", WATCHED_METRICS), name="metric"),
        sa.CheckConstraint(in_list("channel", (ALL_CHANNELS, *CHANNELS)), name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_date: Mapped[date] = mapped_column(index=True)
    metric: Mapped[str] = mapped_column(sa.String(24))
    channel: Mapped[str] = mapped_column(sa.String(16))
    value: Mapped[float]
    expected: Mapped[float]
    lower: Mapped[float]
    upper: Mapped[float]
    score: Mapped[float]
    detected_at: Mapped[datetime] = mapped_column(default=utc_now)


class MonthlyTarget(Base):
    """A staff member's target for one figure of one month (month = its first day)."""

    __tablename__ = "monthly_targets"
    __table_args__ = (
        sa.UniqueConstraint("month", "metric"),
        sa.CheckConstraint(in_list("metric", TARGET_METRICS), name="metric"),
        sa.CheckConstraint("target > 0", name="target_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]
    metric: Mapped[str] = mapped_column(sa.String(24))
    target: Mapped[int] = mapped_column(Money)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
    updated_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class MonthForecast(Base):
    """The month-end outlook of one figure, as of a day (written only by the forecast job).

    The chance of reaching a target is worked out when read, from `rest` and the backtest's
    log errors (`error_centre`, `error_spread`), so a target set later is rated at once.
    """

    __tablename__ = "month_forecasts"
    __table_args__ = (
        sa.UniqueConstraint("month", "metric"),
        sa.CheckConstraint(in_list("metric", TARGET_METRICS), name="metric"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]
    metric: Mapped[str] = mapped_column(sa.String(24))
    as_of: Mapped[date]  # the last complete day the forecast knew
    month_to_date: Mapped[int] = mapped_column(Money)
    rest: Mapped[float]  # forecast of the days left
    forecast: Mapped[float]
    lower: Mapped[float]
    upper: Mapped[float]
    error_centre: Mapped[float]
    error_spread: Mapped[float]
    method: Mapped[str] = mapped_column(sa.String(24))
    mase: Mapped[float]
    baseline_mase: Mapped[float]
    computed_at: Mapped[datetime] = mapped_column(default=utc_now)


class EmailSubscription(Base):
    """A staff member receives this e-mail: the daily or weekly digest, or anomaly alerts."""

    __tablename__ = "email_subscriptions"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "kind"),
        sa.CheckConstraint(in_list("kind", SUBSCRIPTION_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(8))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
