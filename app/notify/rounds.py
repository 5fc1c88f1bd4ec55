"""The scheduler's morning round: insights for yesterday once its figures are complete, its
anomalies announced, and the digests sent once DIGEST_AT has passed."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import JobRun
from app.notify.alerts import announce
from app.notify.digest import send_digests
from app.pipeline.insights import InsightSettings, run_insights
from app.pipeline.jobs import NIGHTLY_JOB

log = logging.getLogger(__name__)


def nightly_done(session: Session, day) -> bool:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(JobRun)
            .where(
                JobRun.job == NIGHTLY_JOB,
                JobRun.period == day.isoformat(),
                JobRun.status == "succeeded",
            )
        )
        > 0
    )


def digest_time(config: Mapping) -> time:
    return time.fromisoformat(config["DIGEST_AT"])


def morning_round(session: Session, config: Mapping, now: datetime) -> dict[str, object]:
    """`now` in the shop's zone. Every step is claimed per period, so running the round
    again (a retry tick, another process) repeats nothing that succeeded."""
    today = now.date()
    yesterday = today - timedelta(days=1)
    outcomes: dict[str, object] = {}
    if not nightly_done(session, yesterday):
        log.info("insights for %s wait for the nightly aggregates", yesterday)
        return outcomes
    outcomes["insights"] = run_insights(session, today, InsightSettings.from_config(config))
    if outcomes["insights"] == "failed":
        return outcomes
    if not config["MAIL_SERVER"] and not config["ALERT_WEBHOOK_URL"]:
        return outcomes
    outcomes["alerts"] = announce(session, yesterday, config)
    if config["MAIL_SERVER"] and now.time() >= digest_time(config):
        for kind in ("daily", "weekly"):
            outcomes[kind] = send_digests(session, kind, today, config)
    return outcomes
