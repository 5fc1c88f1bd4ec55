"""Run bookkeeping for scheduled jobs, and the audit trail of staff actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utc_now
from app.models.enums import JOB_STATUSES, in_list


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
