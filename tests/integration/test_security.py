"""Headers, sessions, passwords, throttling and request logs, as a client or operator sees them."""

from __future__ import annotations

import json
import logging
import time

import pytest

from app.auth.passwords import password_problems
from app.observability import JsonFormatter

PASSWORD = "correct horse battery"


@pytest.mark.parametrize("path", ["/login", "/healthz", "/analytics/dashboard/", "/api/v1/kpis"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    headers = response.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "Strict-Transport-Security" not in headers  # development: plain HTTP


def test_production_adds_hsts_and_secure_cookies(make_app, monkeypatch):
    monkeypatch.setenv("ALLOW_SQLITE", "1")  # the production check reads the environment
    app = make_app(APP_ENV="production")
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_a_staff_session_is_bounded_and_its_cookie_protected(app, client, viewer):
    response = client.post("/login", data={"email": viewer.email, "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 12 * 3600


def test_an_account_guessed_from_many_addresses_answers_slower_not_never(make_app, viewer):
    app = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_SLOWDOWN_AFTER="3 per minute",
        LOGIN_SLOWDOWN_SECONDS=0.5,
    )
    client = app.test_client()

    def attempt(password: str, address: str) -> tuple[int, float]:
        started = time.perf_counter()
        status = client.post(
            "/login",
            data={"email": viewer.email, "password": password},
            environ_base={"REMOTE_ADDR": address},
        ).status_code
        return status, time.perf_counter() - started

    guesses = [attempt("wrong guess", f"10.0.0.{n}") for n in range(5)]
    assert [status for status, _ in guesses] == [400] * 5  # refused, never locked
    assert max(seconds for _, seconds in guesses[:3]) < 0.5 <= guesses[4][1]
    status, seconds = attempt("correct horse battery", "10.0.0.99")  # the owner
    assert status == 302 and seconds >= 0.5


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1", "at least 10"),
        ("password123", "most common"),
        ("viewer-2026-secret", "email address"),
        ("aaaaabbbbbb", "5 different"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(runner, password, problem):
    assert any(problem in p for p in password_problems(password, "viewer@shop.test"))
    result = runner.invoke(args=["users", "create", "viewer@shop.test", "--password", password])
    assert result.exit_code != 0 and problem in result.output


def test_errors_never_show_a_stack_trace(make_app, viewer, auth):
    app = make_app(PROPAGATE_EXCEPTIONS=False, TESTING=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("SELECT secret FROM internals")

    client = app.test_client()
    client.post("/login", data={"email": viewer.email, "password": PASSWORD})
    page = client.get("/boom")
    assert page.status_code == 500
    body = page.get_data(as_text=True)
    assert "Traceback" not in body and "SELECT secret" not in body and "has been logged" in body


def test_each_request_is_logged_once_with_an_id_status_and_duration(client, caplog):
    caplog.set_level(logging.INFO, logger="storefront.request")
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    client.get("/healthz", headers={"X-Request-ID": "bad id; forged=1"})
    first, second = [r for r in caplog.records if r.name == "storefront.request"]
    assert (first.request_id, first.status, first.path) == ("abc-123", 200, "/healthz")
    assert first.duration_ms >= 0 and first.caller == "anonymous"
    assert second.request_id != "bad id; forged=1" and len(second.request_id) == 32
    line = json.loads(JsonFormatter().format(first))
    assert line["request_id"] == "abc-123" and line["status"] == 200 and line["level"] == "INFO"


def test_a_forged_line_in_a_path_stays_on_the_request_s_own_log_line(client, caplog):
    import logging

    from app.observability import printable

    assert printable("/x\n2026-01-01 INFO forged") == "/x\\n2026-01-01 INFO forged"
    with caplog.at_level(logging.INFO, logger="storefront.request"):
        client.get("/x%0a2026-11-24 INFO storefront.request GET /admin 200")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "storefront.request"]
    assert "\n" not in line and "\\n2026-11-24" in line
