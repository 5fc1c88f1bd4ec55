"""A real SMTP server (aiosmtpd) on a local port, keeping what it receives."""

from __future__ import annotations

import email
import email.policy
import threading
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller

SMTP_PORT = 8625


class Mailbox:
    """Keeps every message; refuses the first `refuse` DATA commands with a 451."""

    def __init__(self, refuse: int = 0) -> None:
        self.messages: list[EmailMessage] = []
        self.refusals_left = refuse
        self.refused = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._lock:
            if self.refusals_left:
                self.refusals_left -= 1
                self.refused += 1
                return "451 4.3.0 try again later"
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@contextmanager
def smtp_server(mailbox: Mailbox, port: int = SMTP_PORT):
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()
