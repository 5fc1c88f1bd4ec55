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


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _signed_in(app, cookie: str) -> bool:
    """Whether a copy of a session cookie, used from another browser, still signs in."""
    from flask import g

    g.pop("_login_user", None)  # the test's app context outlives requests; a server's does not
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/analytics/dashboard/").status_code == 200


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, auth, viewer):
    auth.login(viewer.email)
    copied = _session_cookie(client)
    assert _signed_in(app, copied)
    auth.logout()
    assert not _signed_in(app, copied)
    assert client.get("/analytics/dashboard/").status_code == 302


def test_a_link_cannot_sign_anyone_out(client, auth, viewer):
    auth.login(viewer.email)
    page = client.get("/logout")
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    assert client.get("/analytics/dashboard/").status_code == 200  # still signed in


def test_logout_needs_the_csrf_token(make_app, viewer):
    from tests.integration.test_dash_csrf import login_with_csrf

    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    login_with_csrf(client, viewer.email)
    assert client.post("/logout").status_code == 400  # forged from elsewhere: refused
    assert client.get("/analytics/dashboard/").status_code == 200


def test_a_new_password_or_deactivation_ends_every_session(app, client, auth, viewer):
    auth.login(viewer.email)
    copied = _session_cookie(client)
    viewer.set_password("a completely new passphrase")
    db.session.commit()
    assert not _signed_in(app, copied)
    auth.login(viewer.email, password="a completely new passphrase")
    copied = _session_cookie(client)
    assert _signed_in(app, copied)
    viewer.active = False
    db.session.commit()
    assert not _signed_in(app, copied)


def test_the_csrf_token_from_before_signing_in_is_not_kept(make_app, viewer):
    import re

    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    form = client.get("/login").get_data(as_text=True)
    before = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    client.post(
        "/login",
        data={"email": viewer.email, "password": "correct horse battery", "csrf_token": before},
    )
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400


def test_strangers_cannot_lock_the_owner_out_of_their_account(make_app, viewer):
    app = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="100 per minute",
        LOGIN_ACCOUNT_RATE_LIMIT="3 per minute",
    )
    stranger = app.test_client()
    for _ in range(5):
        stranger.post(
            "/login",
            data={"email": viewer.email, "password": "guess"},
            environ_base={"REMOTE_ADDR": "203.0.113.9"},
        )
    attempt = stranger.post(
        "/login",
        data={"email": viewer.email, "password": "guess"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert attempt.status_code == 429  # the stranger is throttled …
    owner = app.test_client()
    response = owner.post(
        "/login",
        data={"email": viewer.email, "password": "correct horse battery"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert response.status_code == 302  # … the owner, elsewhere, is not
