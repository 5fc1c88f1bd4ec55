"""Anomalies of a day, announced once: a signed Slack-compatible webhook and an e-mail to each
subscriber of alerts (JobRun claims per day, and per user for mail)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import date
from email.message import EmailMessage

from flask import render_template
from sqlalchemy.orm import Session

from app.analytics.insights import METRIC_LABELS, anomalies_in
from app.analytics.periods import DateRange
from app.formatting import format_figure
from app.models import Anomaly
from app.models.enums import CHANNEL_LABELS
from app.notify import mail
from app.notify.digest import page_link, still_subscribed, subscribers
from app.notify.unsubscribe import unsubscribe_url
from app.pipeline.jobs import run_claimed

log = logging.getLogger(__name__)
WEBHOOK_JOB = "alert-webhook"
SIGNATURE_HEADER = "X-Storefront-Signature"
TIMESTAMP_HEADER = "X-Storefront-Timestamp"
WEBHOOK_ATTEMPTS = 3
WEBHOOK_BACKOFF_SECONDS = 1.0
WEBHOOK_TIMEOUT_SECONDS = 10


class WebhookFailed(RuntimeError):
    pass


def describe(anomaly: Anomaly, currency: str) -> str:
    where = "overall" if anomaly.channel == "all" else CHANNEL_LABELS[anomaly.channel]
    value = format_figure(anomaly.metric, anomaly.value, currency)
    low = format_figure(anomaly.metric, anomaly.lower, currency)
    high = format_figure(anomaly.metric, anomaly.upper, currency)
    word = "above" if anomaly.value > anomaly.expected else "below"
    return (
        f"{anomaly.business_date}: {METRIC_LABELS[anomaly.metric]} ({where}) {value}, "
        f"{word} the expected {low} to {high}"
    )


def webhook_payload(day: date, anomalies: list[Anomaly], config: Mapping) -> dict:
    """Slack's incoming-webhook shape: `text`, and blocks for clients that draw them."""
    lines = [describe(a, config["SHOP_CURRENCY"]) for a in anomalies]
    link = page_link(config["PUBLIC_URL"], "alerts", DateRange(day, day))
    text = f"{len(anomalies)} unusual figure(s) on {day}: <{link}|open the Alerts page>"
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}},
        ],
        "anomalies": [
            {
                "date": a.business_date.isoformat(),
                "metric": a.metric,
                "channel": a.channel,
                "value": a.value,
                "expected": a.expected,
                "lower": a.lower,
                "upper": a.upper,
                "score": a.score,
            }
            for a in anomalies
        ],
    }


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of `timestamp.body` with the shared secret, as `sha256=<hex>`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def post_webhook(url: str, secret: str, payload: dict) -> int:
    """POST the payload, retrying a failure or a non-2xx answer; returns the attempts taken."""
    if not secret:
        raise WebhookFailed("ALERT_WEBHOOK_SECRET is not set: webhooks are sent signed only")
    body = json.dumps(payload).encode()
    for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
        timestamp = str(int(time.time()))
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(secret, timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS):
                return attempt
        except (urllib.error.URLError, OSError) as error:
            if attempt == WEBHOOK_ATTEMPTS:
                raise WebhookFailed(f"webhook failed {attempt} times: {error}") from error
            log.warning("alert webhook attempt %d failed: %s", attempt, error)
            time.sleep(WEBHOOK_BACKOFF_SECONDS * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def alert_message(day: date, anomalies: list[Anomaly], user, config: Mapping) -> EmailMessage:
    currency = config["SHOP_CURRENCY"]
    context = {
        "day": day,
        "lines": [describe(a, currency) for a in anomalies],
        "link": page_link(config["PUBLIC_URL"], "alerts", DateRange(day, day)),
        "unsubscribe": unsubscribe_url(
            config["PUBLIC_URL"], config["SECRET_KEY"], user.id, "alerts"
        ),
    }
    message = EmailMessage()
    message["To"] = user.email
    message["Subject"] = f"{len(anomalies)} unusual figure(s) on {day}"
    message["List-Unsubscribe"] = f"<{context['unsubscribe']}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(render_template("mail/alert.txt", **context))
    message.add_alternative(render_template("mail/alert.html", **context), subtype="html")
    return message


def announce(session: Session, day: date, config: Mapping) -> dict[str, str]:
    """The day's anomalies to the webhook and to each alerts subscriber, once each."""
    anomalies = anomalies_in(session, DateRange(day, day))
    if not anomalies:
        return {}
    outcomes = {}
    if config["ALERT_WEBHOOK_URL"]:

        def post() -> int:
            payload = webhook_payload(day, anomalies_in(session, DateRange(day, day)), config)
            return post_webhook(
                config["ALERT_WEBHOOK_URL"], config["ALERT_WEBHOOK_SECRET"], payload
            )

        outcomes["webhook"] = run_claimed(session, WEBHOOK_JOB, day.isoformat(), post)
    settings = mail.MailSettings.from_config(config)
    for user in subscribers(session, "alerts") if settings.server else []:

        def send_one(user=user) -> int:
            if not still_subscribed(session, user.id, "alerts"):
                return 0
            found = anomalies_in(session, DateRange(day, day))
            return mail.send(settings, alert_message(day, found, user, config)) and 1

        job = f"alert-mail:{user.id}"
        outcomes[f"mail:{user.id}"] = run_claimed(session, job, day.isoformat(), send_one)
    return outcomes
