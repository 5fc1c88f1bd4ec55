"""Security headers on every response, with a Content-Security-Policy the Dash pages work under.

No inline script runs unless the policy names it: Dash's own inline bootstrap scripts by their
hashes (computed once the Dash app is built), Flask-Admin's by a per-request nonce. Styles may
be inline (Plotly and Dash components set style attributes); nothing loads from elsewhere.
Inline event handlers are refused but for the exact ones Flask-Admin writes (by hash).
Also here: who a caller is, for the API's rate limits.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request
from flask_login import current_user

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def csp_nonce() -> str:
    """This request's nonce (templates put it on their inline scripts)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(
    script_hashes: list[str], nonce: str, handler_hashes: list[str] = ()
) -> str:
    """Hashes come quoted ('sha256-…'); handler hashes allow only those inline event handlers."""
    handlers = ["'unsafe-hashes'", *handler_hashes] if handler_hashes else []
    scripts = " ".join(["'self'", f"'nonce-{nonce}'", *script_hashes, *handlers])
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def api_caller() -> str:
    """Rate-limit key: the token, else the signed-in user, else the address."""
    token = getattr(g, "api_token", None)
    if token is not None:
        return f"token:{token.id}"
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{request.remote_addr}"


def api_rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def init_app(app: Flask) -> None:
    production = app.config["APP_ENV"] == "production"

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["Content-Security-Policy"] = content_security_policy(
            app.config.get("DASH_CSP_HASHES", []),
            csp_nonce(),
            app.config.get("CSP_HANDLER_HASHES", []),
        )
        if production:
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response

    app.jinja_env.globals["csp_nonce"] = csp_nonce
