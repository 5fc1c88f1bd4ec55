"""Dash callback POSTs carry the CSRF token Dash's renderer reads from our cookie."""

from __future__ import annotations

import re

from app.auth.gate import DASH_CSRF_COOKIE

ROUTER_CALL = {
    "output": "page-content.children",
    "outputs": {"id": "page-content", "property": "children"},
    "inputs": [
        {"id": "url", "property": "pathname", "value": "/analytics/dashboard/"},
        {"id": "url", "property": "search", "value": ""},
    ],
    "changedPropIds": ["url.pathname"],
    "state": [],
}


def login_with_csrf(client, email: str, password: str = "correct horse battery") -> None:
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302


def test_callback_without_the_token_is_refused(make_app, viewer):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    login_with_csrf(client, viewer.email)
    response = client.post("/analytics/_dash-update-component", json=ROUTER_CALL)
    assert response.status_code == 400
    assert "CSRF" in response.json["error"]


def test_callback_with_the_cookie_token_in_the_header_runs(make_app, viewer):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    login_with_csrf(client, viewer.email)
    client.get("/analytics/dashboard/")
    token = client.get_cookie(DASH_CSRF_COOKIE).value
    response = client.post(
        "/analytics/_dash-update-component", json=ROUTER_CALL, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert "dashboard-kpis" in response.get_data(as_text=True)
