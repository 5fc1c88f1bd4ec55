"""What callbacks need from the running app: the shop's settings and the signed-in user."""

from __future__ import annotations

from flask_login import current_user

from app.shop import currency, today, zone

__all__ = ["can", "currency", "today", "zone"]


def can(role: str) -> bool:
    """Server-side role check for callbacks: viewer < manager < admin."""
    return bool(current_user.is_authenticated and current_user.has_role(role))
