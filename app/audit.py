"""The audit trail: one way to record who did what, from a request or from the command line."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from app.extensions import db
from app.models import AuditLog


def record(action: str, target: str, details: dict[str, Any] | None = None) -> AuditLog:
    """Add an entry to the caller's transaction: the signed-in user, else "cli"."""
    in_request = has_request_context()
    user = current_user if in_request and current_user.is_authenticated else None
    entry = AuditLog(
        user_id=user.id if user else None,
        actor=user.email if user else "cli",
        action=action,
        target=target,
        details=details,
        remote_addr=request.remote_addr if in_request else None,
    )
    db.session.add(entry)
    return entry
