"""Digests end to end: a real SMTP server receives them, two scheduler processes racing send
each user's digest once, a refused send is retried, and the unsubscribe link stops them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.analytics.dashboard import dashboard_kpis
from app.analytics.periods import DateRange
from app.extensions import db
from app.formatting import format_money
from app.models import EmailSubscription, JobRun
from app.notify import mail
from app.notify.digest import send_digests
from app.pipeline.insights import InsightSettings, run_insights
from tests.conftest import INSTANCE_DIR
from tests.factories import UserFactory
from tests.integration.mailbox import SMTP_PORT, Mailbox, html_of, smtp_server, text_of
from tests.integration.shop_history import SPIKE_DAY, TODAY, steady_shop_with_a_spike

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def shop(app):
    steady_shop_with_a_spike()
    assert run_insights(db.session, TODAY, InsightSettings.from_config(app.config)) == "succeeded"
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=SMTP_PORT)


def subscribe(email: str, *kinds: str):
    user = UserFactory(email=email)
    for kind in kinds:
        db.session.add(EmailSubscription(user_id=user.id, kind=kind))
    db.session.commit()
    return user


def scheduler_process(database_url: str, today) -> subprocess.Popen:
    """What the scheduler process runs for the daily digest, as a process of its own."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": INSTANCE_DIR,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(SMTP_PORT),
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "notify", "digests"]
    return subprocess.Popen(
        [*command, "--kind", "daily", "--today", today.isoformat()],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def race(database_url: str, today) -> list[str]:
    processes = [scheduler_process(database_url, today) for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    return outputs


def unsubscribe_path(message, app) -> str:
    link = re.search(r"Unsubscribe from this \w+ \(one click\): (\S+)", text_of(message))[1]
    return link.removeprefix(app.config["PUBLIC_URL"])


def test_two_racing_schedulers_send_each_subscriber_one_digest(shop, database_url, app, client):
    ada = subscribe("ada@shop.test", "daily")
    bob = subscribe("bob@shop.test", "daily", "weekly")
    subscribe("carol@shop.test", "weekly")  # no daily digest
    mailbox = Mailbox()
    with smtp_server(mailbox):
        outputs = race(database_url, TODAY)
        race(database_url, TODAY)  # a later run of both: the period is done
        assert sorted(m["To"] for m in mailbox.messages) == ["ada@shop.test", "bob@shop.test"]
        # Ada unsubscribes by her link; the next day's race sends only Bob's.
        assert client.get(unsubscribe_path(mailbox.to("ada@shop.test")[0], app)).status_code == 200
        race(database_url, TODAY + timedelta(days=1))
    assert [m["To"] for m in mailbox.messages[2:]] == ["bob@shop.test"]
    claims = db.session.scalars(sa.select(JobRun).where(JobRun.job.like("digest-daily:%"))).all()
    assert sorted((c.job, c.period, c.status) for c in claims) == [
        (f"digest-daily:{ada.id}", SPIKE_DAY.isoformat(), "succeeded"),
        (f"digest-daily:{bob.id}", SPIKE_DAY.isoformat(), "succeeded"),
        (f"digest-daily:{bob.id}", TODAY.isoformat(), "succeeded"),
    ]
    # Of the first race, one process sent each digest and the other skipped it.
    assert "".join(outputs).count("succeeded") == 2 and "".join(outputs).count("skipped") == 2


def test_the_digest_shows_the_dashboard_figures_movers_anomalies_and_links(shop, app):
    subscribe("ada@shop.test", "daily")
    mailbox = Mailbox()
    with smtp_server(mailbox):
        send_digests(db.session, "daily", TODAY, app.config)
    (message,) = mailbox.messages
    text, html = text_of(message), html_of(message)
    day = DateRange(SPIKE_DAY, SPIKE_DAY)
    shown = dashboard_kpis(db.session, day)
    assert shown.current.net_revenue == 36_000 and shown.previous.net_revenue == 8_000
    assert f"Net revenue: {format_money(36_000, 'USD')} (+350.0% / —)" in text
    assert "Orders: 9 (+350.0% / —)" in text
    assert f"- Web store: {format_money(20_000, 'USD')} (was {format_money(4_000, 'USD')})" in text
    assert "2026-03-15 Net revenue (all): $360.00, expected" in text
    assert "/analytics/dashboard/?start=2026-03-15&end=2026-03-15" in text
    assert 'data-kpi="net_revenue"' in html and "$360.00" in html
    assert message["Subject"] == "Daily digest, Sun 15 Mar 2026: net revenue $360.00"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_unsubscribing_by_the_link_stops_the_next_digest_only_for_that_user(shop, app, client):
    ada = subscribe("ada@shop.test", "daily")
    subscribe("bob@shop.test", "daily")
    mailbox = Mailbox()
    with smtp_server(mailbox):
        send_digests(db.session, "daily", TODAY, app.config)
        (to_ada,) = mailbox.to("ada@shop.test")
        path = unsubscribe_path(to_ada, app)
        forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
        assert client.get(forged).status_code == 404  # a tampered token unsubscribes nobody
        answer = client.get(path)  # anonymous, one click
        assert answer.status_code == 200 and b"You are unsubscribed" in answer.data
        send_digests(db.session, "daily", TODAY + timedelta(days=1), app.config)
    assert len(mailbox.to("ada@shop.test")) == 1
    assert len(mailbox.to("bob@shop.test")) == 2
    left = db.session.scalars(sa.select(EmailSubscription.user_id)).all()
    assert ada.id not in left and len(left) == 1


def test_a_refused_send_is_retried_and_a_failed_one_recorded_and_sent_later(shop, app, monkeypatch):
    monkeypatch.setattr(mail, "BACKOFF_SECONDS", 0.05)
    subscribe("ada@shop.test", "daily")
    refusing = Mailbox(refuse=1)
    with smtp_server(refusing):
        assert list(send_digests(db.session, "daily", TODAY, app.config).values()) == ["succeeded"]
    assert refusing.refused == 1 and len(refusing.messages) == 1
    # Nobody listening: every attempt fails, the run is recorded as failed, and the next run
    # (the scheduler's retry tick) sends it.
    later = TODAY + timedelta(days=1)
    assert list(send_digests(db.session, "daily", later, app.config).values()) == ["failed"]
    failed = db.session.scalar(sa.select(JobRun).where(JobRun.period == TODAY.isoformat()))
    assert failed.status == "failed" and "Connection refused" in failed.error
    mailbox = Mailbox()
    with smtp_server(mailbox):
        assert list(send_digests(db.session, "daily", later, app.config).values()) == ["succeeded"]
    assert len(mailbox.messages) == 1
    db.session.refresh(failed)
    assert failed.status == "succeeded" and failed.attempts == 2
