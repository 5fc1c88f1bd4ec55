import pytest

from app.config import ConfigError, load_config, normalise_database_url

GOOD_SECRET = "0f3a" * 16
SHARED_LIMITS = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(
            str(tmp_path), environ={"APP_ENV": "production", "DATABASE_URL": "postgresql://db/shop"}
        )


def test_production_refuses_sqlite_unless_explicitly_allowed(tmp_path):
    environ = {"APP_ENV": "production", "SECRET_KEY": GOOD_SECRET, **SHARED_LIMITS}
    with pytest.raises(ConfigError, match="PostgreSQL"):
        load_config(str(tmp_path), environ=environ)
    assert (
        load_config(str(tmp_path), environ={**environ, "ALLOW_SQLITE": "1"})["APP_ENV"]
        == "production"
    )


def test_production_cookies_are_secure(tmp_path):
    environ = {
        "APP_ENV": "production",
        "SECRET_KEY": GOOD_SECRET,
        "DATABASE_URL": "postgresql://db/shop",
        **SHARED_LIMITS,
    }
    config = load_config(str(tmp_path), environ=environ)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_secret_is_generated_once_and_kept(tmp_path):
    first = load_config(str(tmp_path), environ={})["SECRET_KEY"]
    second = load_config(str(tmp_path), environ={})["SECRET_KEY"]
    assert first == second
    assert len(first) == 64
    assert (tmp_path / "secret_key").read_text() == first


def test_defaults_are_sqlite_under_instance_utc_and_usd(tmp_path):
    config = load_config(str(tmp_path), environ={"SECRET_KEY": "x"})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/storefront.sqlite"
    assert config["SHOP_TIMEZONE"] == "UTC"
    assert config["SHOP_CURRENCY"] == "USD"
    assert config["SCHEDULER_ENABLED"] is False


def test_unknown_time_zone_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="IANA"):
        load_config(str(tmp_path), environ={"SECRET_KEY": "x", "SHOP_TIMEZONE": "Mars/Olympus"})


def test_overrides_win_over_environment(tmp_path):
    config = load_config(
        str(tmp_path), {"SHOP_TIMEZONE": "Europe/Berlin"}, environ={"SECRET_KEY": "x"}
    )
    assert config["SHOP_TIMEZONE"] == "Europe/Berlin"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_the_installed_driver(given, expected):
    assert normalise_database_url(given) == expected


@pytest.mark.parametrize("secret", ["x", "changeme", "short-but-not-a-placeholder", "secret"])
def test_production_refuses_a_short_or_placeholder_secret_key(tmp_path, secret):
    environ = {
        "APP_ENV": "production",
        "DATABASE_URL": "postgresql://db/shop",
        "SECRET_KEY": secret,
    }
    with pytest.raises(ConfigError, match="at least 32"):
        load_config(str(tmp_path), environ={**environ, **SHARED_LIMITS})


def test_production_refuses_per_worker_rate_limits_with_several_workers(tmp_path):
    environ = {
        "APP_ENV": "production",
        "DATABASE_URL": "postgresql://db/shop",
        "SECRET_KEY": GOOD_SECRET,
    }
    with pytest.raises(ConfigError, match="memory://"):
        load_config(str(tmp_path), environ={**environ, "WEB_CONCURRENCY": "4"})
    assert load_config(str(tmp_path), environ={**environ, "WEB_CONCURRENCY": "1"})
    assert load_config(str(tmp_path), environ={**environ, **SHARED_LIMITS, "WEB_CONCURRENCY": "4"})


PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": GOOD_SECRET,
    "DATABASE_URL": "postgresql://db/shop",
    **SHARED_LIMITS,
}


@pytest.mark.parametrize("secret", ["", "changeme", "short-secret"])
def test_production_refuses_a_webhook_without_a_real_secret(tmp_path, secret):
    environ = {**PRODUCTION, "ALERT_WEBHOOK_URL": "https://hooks.example/x"}
    with pytest.raises(ConfigError, match="ALERT_WEBHOOK_SECRET"):
        load_config(str(tmp_path), environ={**environ, "ALERT_WEBHOOK_SECRET": secret})
    assert load_config(str(tmp_path), environ={**environ, "ALERT_WEBHOOK_SECRET": GOOD_SECRET})


def test_production_mail_needs_a_sender(tmp_path):
    environ = {**PRODUCTION, "MAIL_SERVER": "smtp.example"}
    with pytest.raises(ConfigError, match="MAIL_DEFAULT_SENDER"):
        load_config(str(tmp_path), environ=environ)
    config = load_config(
        str(tmp_path), environ={**environ, "MAIL_DEFAULT_SENDER": "Shop <reports@shop.example>"}
    )
    assert config["MAIL_SERVER"] == "smtp.example" and config["MAIL_PORT"] == 25


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ANOMALY_THRESHOLD", "1"),
        ("ANOMALY_THRESHOLD", "high"),
        ("ANOMALY_MIN_HISTORY", "7"),
        ("MAIL_PORT", "0"),
        ("DIGEST_AT", "7am"),
    ],
)
def test_alert_and_mail_settings_out_of_range_are_refused(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_config(str(tmp_path), environ={name: value})


def test_alert_settings_defaults(tmp_path):
    config = load_config(str(tmp_path), environ={})
    assert (config["ANOMALY_THRESHOLD"], config["ANOMALY_MIN_HISTORY"]) == (5.0, 28)
    assert config["ALERT_WEBHOOK_URL"] == "" and config["MAIL_SERVER"] == ""
