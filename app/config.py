"""Settings read from the environment; secrets have no defaults in production."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TRUE_WORDS = {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the app refuses to start."""


def load_config(
    instance_path: str,
    overrides: Mapping[str, object] | None = None,
    environ: Mapping[str, str] = os.environ,
) -> dict:
    """Build the Flask config mapping from environment variables, then apply overrides."""
    overrides = dict(overrides or {})
    app_env = str(overrides.get("APP_ENV") or environ.get("APP_ENV", "development"))
    production = app_env == "production"
    database_url = normalise_database_url(
        environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'storefront.sqlite'}"
    )
    config = {
        "APP_ENV": app_env,
        "SECRET_KEY": overrides.get("SECRET_KEY")
        or _secret_key(environ, instance_path, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SHOP_TIMEZONE": _timezone(environ.get("SHOP_TIMEZONE", "UTC")),
        "SHOP_CURRENCY": environ.get("SHOP_CURRENCY", "USD").upper(),
        "SCHEDULER_ENABLED": _flag(environ, "SCHEDULER_ENABLED"),
        # A write waits this long for a lock another writer holds, then answers 503.
        "WRITE_LOCK_WAIT_SECONDS": _seconds(environ.get("WRITE_LOCK_WAIT_SECONDS", "5")),
        # How often the scheduler's refresher takes in what writes made stale.
        "REFRESH_INTERVAL_SECONDS": _seconds(environ.get("REFRESH_INTERVAL_SECONDS", "1")),
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": not _flag(environ, "RATELIMIT_DISABLED"),
        "LOGIN_RATE_LIMIT": environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Per account and address: a stranger's wrong guesses never lock the owner out.
        "LOGIN_ACCOUNT_RATE_LIMIT": environ.get(
            "LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute;30 per hour"
        ),
        # Per account from every address: past this many failures, each attempt waits.
        "LOGIN_SLOWDOWN_AFTER": environ.get("LOGIN_SLOWDOWN_AFTER", "10 per 10 minutes"),
        "LOGIN_SLOWDOWN_SECONDS": float(environ.get("LOGIN_SLOWDOWN_SECONDS", "2")),
        "API_RATE_LIMIT": environ.get("API_RATE_LIMIT", "600 per minute"),
        "CLV_MONTHLY_DISCOUNT_RATE": _rate(environ.get("CLV_MONTHLY_DISCOUNT_RATE", "0.01")),
        # Anomaly alerts: the robust z-score a day must reach (lower: more alerts), the days of
        # history before a figure is judged, and how many recent days each nightly run judges.
        "ANOMALY_THRESHOLD": _number(environ, "ANOMALY_THRESHOLD", 5.0, 2.0, 20.0),
        "ANOMALY_MIN_HISTORY": int(_number(environ, "ANOMALY_MIN_HISTORY", 28, 14, 56)),
        "ANOMALY_LOOKBACK_DAYS": int(_number(environ, "ANOMALY_LOOKBACK_DAYS", 28, 1, 365)),
        # Alerts are also posted (Slack-compatible JSON, HMAC-SHA256 signed) to this address.
        "ALERT_WEBHOOK_URL": environ.get("ALERT_WEBHOOK_URL", ""),
        "ALERT_WEBHOOK_SECRET": environ.get("ALERT_WEBHOOK_SECRET", ""),
        # Outgoing mail (digests, alerts) through this SMTP server; no server: no mail.
        "MAIL_SERVER": environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(_number(environ, "MAIL_PORT", 25, 1, 65535)),
        "MAIL_USE_TLS": _flag(environ, "MAIL_USE_TLS"),
        "MAIL_USE_SSL": _flag(environ, "MAIL_USE_SSL"),
        "MAIL_USERNAME": environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": environ.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": environ.get("MAIL_DEFAULT_SENDER", "analytics@localhost"),
        # Digests go out at this time of the shop's day (or on the first run after it).
        "DIGEST_AT": _clock(environ.get("DIGEST_AT", "07:00")),
        # The address staff reach the app at, for links in e-mails.
        "PUBLIC_URL": environ.get("PUBLIC_URL", "http://127.0.0.1:8050").rstrip("/"),
        "API_TITLE": "Storefront Analytics API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        # Required by flask-smorest to enable the page; our template serves the local copy.
        "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui/",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": "Figures of the shop, and ingestion of orders and events. "
                "Send `Authorization: Bearer <token>`; create tokens with `flask tokens create`. "
                "Every read answer carries `X-Figures-As-Of`, an ISO 8601 instant (UTC): every "
                "order, refund and event committed before it is in the figures. Writes reach "
                "the figures within seconds."
            },
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
        # Dash pages stay open all day; the token lives as long as the login session.
        "WTF_CSRF_TIME_LIMIT": None,
        # A request body larger than this is refused (413) before it is read.
        "MAX_CONTENT_LENGTH": _positive_int(environ, "MAX_CONTENT_LENGTH", 10 * 1024 * 1024),
        # JSON nested deeper than this is refused (400) before it is parsed.
        "MAX_JSON_DEPTH": _positive_int(environ, "MAX_JSON_DEPTH", 32),
        "LOG_FORMAT": environ.get("LOG_FORMAT", "text").lower(),
        "LOG_LEVEL": environ.get("LOG_LEVEL", "INFO").upper(),
        "CONFIGURE_LOGGING": True,
        # A staff session ends after this long without a request (Flask refreshes it on each).
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=float(environ.get("SESSION_LIFETIME_HOURS", "12"))
        ),
        "REMEMBER_COOKIE_DURATION": timedelta(days=7),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
    }
    config.update(overrides)
    config["SHOP_TIMEZONE"] = _timezone(str(config["SHOP_TIMEZONE"]))
    on_sqlite = str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite")
    if production and on_sqlite and not _flag(environ, "ALLOW_SQLITE"):
        raise ConfigError("APP_ENV=production needs a PostgreSQL DATABASE_URL (or ALLOW_SQLITE=1)")
    if production:
        _check_production_limits(config, environ)
        _check_production_notifications(config)
    return config


# Guesses an attacker tries first; a production key is long and random.
PLACEHOLDER_SECRETS = frozenset(
    {"secret", "changeme", "change-me", "dev", "development", "test", "password", "x"}
)
MIN_SECRET_LENGTH = 32


def _check_production_secret(secret: str) -> None:
    if len(secret) < MIN_SECRET_LENGTH or secret.strip().lower() in PLACEHOLDER_SECRETS:
        raise ConfigError(
            f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} random characters in production: "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )


def _check_production_limits(config: dict, environ: Mapping[str, str]) -> None:
    """Each gunicorn worker keeps its own counts in memory:// storage, so with several workers
    every limit is multiplied by their number. Production needs a shared store."""
    workers = int(environ.get("WEB_CONCURRENCY") or min((os.cpu_count() or 1) * 2, 8))
    memory = str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://")
    if memory and workers > 1 and config["RATELIMIT_ENABLED"]:
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI=memory:// with {workers} workers multiplies every rate limit "
            "by the workers; set it to redis://… (shared), or WEB_CONCURRENCY=1"
        )


def _check_production_notifications(config: dict) -> None:
    """A webhook needs a real shared secret; mail needs a sender and a public address."""
    if config["ALERT_WEBHOOK_URL"]:
        secret = str(config["ALERT_WEBHOOK_SECRET"])
        if len(secret) < MIN_SECRET_LENGTH or secret.strip().lower() in PLACEHOLDER_SECRETS:
            raise ConfigError(
                f"ALERT_WEBHOOK_SECRET must be at least {MIN_SECRET_LENGTH} random characters "
                "when ALERT_WEBHOOK_URL is set in production"
            )
    if config["MAIL_SERVER"] and "localhost" in str(config["MAIL_DEFAULT_SENDER"]):
        raise ConfigError("MAIL_DEFAULT_SENDER must be set when MAIL_SERVER is, in production")


def _clock(text: str) -> str:
    try:
        time.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"DIGEST_AT={text!r} must be a time of day such as 07:00") from exc
    return text


def _number(environ: Mapping[str, str], name: str, default: float, low: float, high: float):
    text = environ.get(name, str(default))
    try:
        value = float(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ConfigError(f"{name}={text!r} must be a number from {low:g} to {high:g}")
    return value


def normalise_database_url(url: str) -> str:
    """Point bare PostgreSQL URLs at the psycopg 3 driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in TRUE_WORDS


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0 <= rate < 1:
        raise ConfigError(f"CLV_MONTHLY_DISCOUNT_RATE={text!r} must be a fraction from 0 to 1")
    return rate


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, str(default))
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"{name}={text!r} must be a whole number above 0")
    return int(text)


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0.1 <= seconds <= 60:
        raise ConfigError(f"{text!r} seconds: a setting of seconds must be from 0.1 to 60")
    return seconds


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"SHOP_TIMEZONE={name!r} is not an IANA time zone") from exc
    return name


def _secret_key(environ: Mapping[str, str], instance_path: str, production: bool) -> str:
    if environ.get("SECRET_KEY"):
        if production:
            _check_production_secret(environ["SECRET_KEY"])
        return environ["SECRET_KEY"]
    if production:
        raise ConfigError("SECRET_KEY must be set when APP_ENV=production")
    # Development: generate once and keep it, so logins survive a restart.
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
