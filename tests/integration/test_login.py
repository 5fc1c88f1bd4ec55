"""Staff login through the form."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import User
from tests.factories import UserFactory


def test_login_page_renders_the_form_with_bootstrap(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page
    assert "/static/vendor/bootstrap.min.css" in page
    assert "cdn" not in page.lower()


def test_valid_login_lands_on_the_dashboard_and_records_the_time(client, auth, viewer):
    response = auth.login(viewer.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/analytics/dashboard/"
    user = db.session.scalar(sa.select(User).where(User.email == viewer.email))
    assert user.last_login_at is not None


def test_login_email_is_case_insensitive(auth, viewer):
    assert auth.login("Viewer@Shop.TEST").status_code == 302


def test_login_follows_a_local_next(auth, viewer):
    response = auth.login(viewer.email, next_url="/analytics/customers/?days=7")
    assert response.headers["Location"] == "/analytics/customers/?days=7"


def test_login_never_redirects_off_the_site(auth, viewer):
    response = auth.login(viewer.email, next_url="//elsewhere.example")
    assert response.headers["Location"] == "/analytics/dashboard/"


def test_wrong_password_is_refused_with_a_message(client, auth, viewer):
    response = auth.login(viewer.email, password="wrong password")
    assert response.status_code == 400
    assert "Invalid email or password." in response.get_data(as_text=True)
    assert client.get("/analytics/dashboard/").status_code == 302


def test_unknown_email_gets_the_same_message(auth):
    response = auth.login("nobody@shop.test")
    assert "Invalid email or password." in response.get_data(as_text=True)


def test_inactive_user_is_refused(client, auth, app):
    UserFactory(email="gone@shop.test", active=False)
    response = auth.login("gone@shop.test")
    assert "disabled" in response.get_data(as_text=True)
    assert client.get("/analytics/dashboard/").status_code == 302


def test_passwords_are_stored_hashed(viewer):
    assert "correct horse" not in viewer.password_hash
    assert viewer.check_password("correct horse battery")


def test_login_form_requires_its_csrf_token(make_app, viewer):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post(
        "/login", data={"email": viewer.email, "password": "correct horse battery"}
    )
    assert response.status_code == 400
    assert client.get("/analytics/dashboard/").status_code == 302


def test_login_attempts_are_rate_limited(make_app, viewer):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [
        client.post("/login", data={"email": viewer.email, "password": "nope"}).status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
