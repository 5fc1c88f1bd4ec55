"""Outgoing mail through the SMTP server the environment names (MAIL_*), with retries."""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage

log = logging.getLogger(__name__)
ATTEMPTS = 3
BACKOFF_SECONDS = 1.0  # doubled after each failed attempt


class MailNotConfigured(RuntimeError):
    """MAIL_SERVER is not set: nothing can be sent."""


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int
    use_tls: bool
    use_ssl: bool
    username: str
    password: str
    sender: str
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping) -> MailSettings:
        return cls(
            server=config["MAIL_SERVER"],
            port=config["MAIL_PORT"],
            use_tls=config["MAIL_USE_TLS"],
            use_ssl=config["MAIL_USE_SSL"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            sender=config["MAIL_DEFAULT_SENDER"],
        )


def _deliver_once(settings: MailSettings, message: EmailMessage) -> None:
    context = ssl.create_default_context()
    if settings.use_ssl:
        connection = smtplib.SMTP_SSL(
            settings.server, settings.port, timeout=settings.timeout, context=context
        )
    else:
        connection = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    with connection as smtp:
        if settings.use_tls and not settings.use_ssl:
            smtp.starttls(context=context)
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(message)


def send(settings: MailSettings, message: EmailMessage) -> int:
    """Send, retrying a refused or failed attempt after a growing pause; returns the attempts
    it took, or raises the last error."""
    if not settings.server:
        raise MailNotConfigured("MAIL_SERVER is not set")
    if "From" not in message:
        message["From"] = settings.sender
    for attempt in range(1, ATTEMPTS + 1):
        try:
            _deliver_once(settings, message)
            return attempt
        except (smtplib.SMTPException, OSError) as error:
            if attempt == ATTEMPTS:
                raise
            log.warning("mail to %s, attempt %d failed: %s", message["To"], attempt, error)
            time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
    raise AssertionError("unreachable")
