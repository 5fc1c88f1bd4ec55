"""Where a login may send the browser next: only back into this site."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_LANDING = "/analytics/dashboard/"


def safe_next(target: str | None) -> str:
    """Return target when it is a local path, else the default landing page."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return DEFAULT_LANDING
    if "\\" in target or any(ord(char) < 32 for char in target):
        return DEFAULT_LANDING
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return DEFAULT_LANDING
    return target
