"""Run bookkeeping for scheduled jobs, and the audit trail of staff actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utc_now
from app.models.enums import JOB_STATUSES, STALE_KINDS, in_list


class JobRun(Base):
    """One row per job and period; the unique pair is the claim that makes a run happen once."""

    __tablename__ = "job_runs"
    __table_args__ = (
        sa.UniqueConstraint("job", "period"),
        sa.CheckConstraint(in_list("status", JOB_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(64))
    period: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16), default="running")
    attempts: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(default=utc_now)
    finished_at: Mapped[datetime | None]
    rows: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(sa.Text)
    # host:pid of the process running it: a claim whose process is gone is retaken at once.
    owner: Mapped[str | None] = mapped_column(sa.String(128))


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(254))
    action: Mapped[str] = mapped_column(sa.String(64))
    target: Mapped[str | None] = mapped_column(sa.String(200))
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    remote_addr: Mapped[str | None] = mapped_column(sa.String(64))


class StaleKey(Base):
    """A figure some write made stale, appended in the writer's own transaction.

    The refresher (app/pipeline/refresher.py) is the only reader: it recomputes every key it
    reads and deletes exactly those rows in the same transaction. Kinds and their columns:
    `day` and `visit_day` (business_date), `customer` (customer_id), `session` (session_id:
    the visit's funnel row and page-view days; without an id, every visit's, after a bulk load),
    `orders` (first_order_id..last_order_id: their days, customers and purchase events),
    `scores` (every customer's time-dependent figures — recency, RFM scores, segment, churn
    risk, predictions — from the per-customer summary, without reading orders) and
    `everything` (every customer's figures recomputed from the orders, every cohort, and the
    scores).
    """

    __tablename__ = "stale_keys"
    __table_args__ = (sa.CheckConstraint(in_list("kind", STALE_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16))
    business_date: Mapped[date | None]
    customer_id: Mapped[int | None]
    session_id: Mapped[str | None] = mapped_column(sa.String(64))
    first_order_id: Mapped[int | None]
    last_order_id: Mapped[int | None]
    # The oldest pending key says how fresh the figures are (see app/analytics/freshness.py).
    created_at: Mapped[datetime] = mapped_column(default=utc_now, index=True)


class ShopSetting(Base):
    """A fact about the stored data itself, e.g. the zone its business dates were stamped in."""

    __tablename__ = "shop_settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
