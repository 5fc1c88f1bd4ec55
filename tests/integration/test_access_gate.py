"""Nothing but login, logout, health and static files answers an anonymous caller."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from app.auth.gate import PUBLIC_ENDPOINTS

PAGES = [
    "/analytics/",
    "/analytics/dashboard/",
    "/analytics/revenue-streams/",
    "/analytics/products/",
    "/analytics/customers/",
    "/analytics/campaigns/",
    "/analytics/campaigns/1/",
    "/analytics/funnel/",
    "/analytics/cohorts/",
]
SAMPLE_ARGUMENT = {"int": "1", "path": "dash/dash-renderer.js", "string": "dash"}


def concrete_url(rule) -> str:
    """Fill each converter of a url_map rule with a plausible value."""
    return re.sub(
        r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>",
        lambda m: SAMPLE_ARGUMENT.get(m.group(1) or "string", "1"),
        rule.rule,
    )


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_page_visit_redirects_to_login_with_next(client, page):
    response = client.get(page)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": [page]}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/analytics/_dash-update-component"),
        ("GET", "/analytics/_dash-layout"),
        ("GET", "/analytics/_dash-dependencies"),
        ("GET", "/api/v1/anything"),
        ("POST", "/logout-not-a-route"),
    ],
)
def test_anonymous_machine_calls_get_401_json(client, method, path):
    response = client.open(path, method=method, json={})
    assert response.status_code == 401
    assert response.json["error"] == "authentication required" and response.json["status"] == 401


def test_no_endpoint_outside_the_allowlist_answers_anonymous_2xx(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        url = concrete_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            with client.open(url, method=method) as response:
                status, location = response.status_code, response.headers.get("Location", "")
            checked += 1
            if rule.endpoint in PUBLIC_ENDPOINTS:
                continue
            assert status in (302, 401), (method, url, status)
            if status == 302:
                assert location.startswith("/login?next=")
    assert checked >= 12


def test_public_endpoints_answer_without_login(client):
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200
    with client.get("/static/vendor/bootstrap.min.css") as stylesheet:
        assert stylesheet.status_code == 200


def test_logged_in_viewer_reaches_every_page(client, auth, viewer):
    auth.login(viewer.email)
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    assert client.get("/analytics/_dash-layout").status_code == 200


def test_after_logout_the_pages_are_closed_again(client, auth, viewer):
    auth.login(viewer.email)
    auth.logout()
    assert client.get("/analytics/dashboard/").status_code == 302
