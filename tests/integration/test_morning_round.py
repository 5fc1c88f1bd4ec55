"""The scheduler's morning round: nothing before the nightly figures are complete, then insights
and alerts, and the digests only once DIGEST_AT has passed; each once."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import EmailSubscription, JobRun
from app.notify.rounds import morning_round
from app.pipeline.jobs import run_nightly
from tests.factories import UserFactory
from tests.integration.mailbox import SMTP_PORT, Mailbox, smtp_server
from tests.integration.shop_history import SPIKE_DAY, TODAY, steady_shop_with_a_spike
from tests.refresh import settings


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(TODAY.year, TODAY.month, TODAY.day, hour, minute, tzinfo=UTC)


def test_the_round_waits_for_the_nightly_job_then_alerts_then_digests(app):
    steady_shop_with_a_spike()
    user = UserFactory(email="owner@shop.test")
    db.session.add_all(EmailSubscription(user_id=user.id, kind=k) for k in ("daily", "alerts"))
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=SMTP_PORT, DIGEST_AT="07:00")
    mailbox = Mailbox()
    with smtp_server(mailbox):
        assert morning_round(db.session, app.config, at(0, 5)) == {}  # nightly not done yet
        assert run_nightly(db.session, SPIKE_DAY, TODAY, settings()) == "succeeded"
        early = morning_round(db.session, app.config, at(0, 30))
        assert early["insights"] == "succeeded" and "daily" not in early
        (alert,) = mailbox.messages  # the alert, no digest before 07:00
        assert alert["Subject"].endswith("unusual figure(s) on 2026-03-15")
        later = morning_round(db.session, app.config, at(7, 5))
        assert later["insights"] == "skipped" and later["daily"] == {user.id: "succeeded"}
        morning_round(db.session, app.config, at(7, 35))
    subjects = [m["Subject"] for m in mailbox.messages]
    assert len(subjects) == 2 and subjects[1].startswith("Daily digest, Sun 15 Mar 2026")
    runs = db.session.scalars(sa.select(JobRun.job).order_by(JobRun.id)).all()
    assert runs == [
        "nightly-aggregates",
        "insights",
        f"alert-mail:{user.id}",
        f"digest-daily:{user.id}",
    ]
