"""The audit trail: one way to record who did what, from a request or from the command line."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user

from app.extensions import db
from app.models import AuditLog


def record(action: str, target: str, details: dict[str, Any] | None = None) -> AuditLog:
    """Add an entry to the caller's transaction: the API token, the signed-in user, or "cli"."""
    in_request = has_request_context()
    token = g.get("api_token") if in_request else None
    user = current_user if in_request and current_user.is_authenticated else None
    if token is not None:
        user_id, actor = token.owner_id, f"token:{token.id} {token.name}"
    elif user is not None:
        user_id, actor = user.id, user.email
    else:
        user_id, actor = None, "cli"
    entry = AuditLog(
        user_id=user_id,
        actor=actor[:254],
        action=action,
        target=target,
        details=details,
        remote_addr=request.remote_addr if in_request else None,
    )
    db.session.add(entry)
    return entry
