"""Anomaly alerts: a signed Slack-compatible webhook to a real local receiver, retried when it
fails, sent once per day; and an e-mail to each alerts subscriber."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Anomaly, EmailSubscription, JobRun
from app.notify import alerts
from app.notify.alerts import announce
from app.pipeline.insights import InsightSettings, run_insights
from tests.factories import UserFactory
from tests.integration.mailbox import SMTP_PORT, Mailbox, smtp_server, text_of
from tests.integration.shop_history import SPIKE_DAY, TODAY, steady_shop_with_a_spike

RECEIVER_PORT = 8631
SECRET = "a-shared-secret-of-the-receiver-0123456789"


class Receiver:
    """Answers 500 to the first `fail` requests, then 200; keeps every request."""

    def __init__(self, fail: int) -> None:
        self.fail = fail
        self.requests: list[tuple[dict, bytes]] = []


@contextmanager
def webhook_receiver(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.requests.append((dict(self.headers), body))
            failing = len(receiver.requests) <= receiver.fail
            self.send_response(500 if failing else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", RECEIVER_PORT), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{RECEIVER_PORT}/hooks/alerts"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def flagged(app, monkeypatch):
    monkeypatch.setattr(alerts, "WEBHOOK_BACKOFF_SECONDS", 0.05)
    steady_shop_with_a_spike()
    run_insights(db.session, TODAY, InsightSettings.from_config(app.config))
    found = db.session.scalars(sa.select(Anomaly).where(Anomaly.business_date == SPIKE_DAY)).all()
    assert {(a.metric, a.channel) for a in found} >= {("net_revenue", "all"), ("orders", "all")}


def test_the_webhook_is_signed_retried_and_sent_once(flagged, app):
    receiver = Receiver(fail=1)
    with webhook_receiver(receiver) as url:
        app.config.update(ALERT_WEBHOOK_URL=url, ALERT_WEBHOOK_SECRET=SECRET)
        assert announce(db.session, SPIKE_DAY, app.config) == {"webhook": "succeeded"}
        assert announce(db.session, SPIKE_DAY, app.config) == {"webhook": "skipped"}
    assert len(receiver.requests) == 2  # the refused one and its retry, then nothing
    headers, body = receiver.requests[-1]
    stamp = headers["X-Storefront-Timestamp"]
    expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    assert headers["X-Storefront-Signature"] == "sha256=" + expected.hexdigest()
    payload = json.loads(body)
    assert payload["text"].startswith(
        f"{len(payload['anomalies'])} unusual figure(s) on 2026-03-15"
    )
    assert (
        "/analytics/alerts/?start=2026-03-15&end=2026-03-15|open the Alerts page>"
        in payload["text"]
    )
    assert (
        "Net revenue (overall) $360.00, above the expected" in payload["blocks"][1]["text"]["text"]
    )


def test_a_webhook_that_keeps_failing_is_recorded_and_retried_next_run(flagged, app):
    receiver = Receiver(fail=10)
    with webhook_receiver(receiver) as url:
        app.config.update(ALERT_WEBHOOK_URL=url, ALERT_WEBHOOK_SECRET=SECRET)
        assert announce(db.session, SPIKE_DAY, app.config) == {"webhook": "failed"}
        run = db.session.scalar(sa.select(JobRun).where(JobRun.job == alerts.WEBHOOK_JOB))
        assert run.status == "failed" and "HTTP Error 500" in run.error
        receiver.fail = 0
        assert announce(db.session, SPIKE_DAY, app.config) == {"webhook": "succeeded"}
    assert len(receiver.requests) == alerts.WEBHOOK_ATTEMPTS + 1


def test_no_secret_no_webhook(flagged, app):
    receiver = Receiver(fail=0)
    with webhook_receiver(receiver) as url:
        app.config.update(ALERT_WEBHOOK_URL=url, ALERT_WEBHOOK_SECRET="")
        assert announce(db.session, SPIKE_DAY, app.config) == {"webhook": "failed"}
    assert receiver.requests == []


def test_alerts_subscribers_get_one_email_with_the_expected_range(flagged, app):
    user = UserFactory(email="ops@shop.test")
    db.session.add(EmailSubscription(user_id=user.id, kind="alerts"))
    UserFactory(email="quiet@shop.test")
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=SMTP_PORT)
    mailbox = Mailbox()
    with smtp_server(mailbox):
        announce(db.session, SPIKE_DAY, app.config)
        announce(db.session, SPIKE_DAY, app.config)
    (message,) = mailbox.messages
    assert message["To"] == "ops@shop.test"
    assert "Net revenue (overall) $360.00, above the expected $" in text_of(message)
