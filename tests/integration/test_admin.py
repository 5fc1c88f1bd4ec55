"""Flask-Admin screens: admins only, CSRF-protected, every change in the audit log."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ApiToken, AuditLog, Campaign, DailyAnalyticsSnapshot, User
from tests.factories import CampaignFactory, UserFactory
from tests.integration.http import create_token

PASSWORD = "correct horse battery"
SCREENS = (
    "users",
    "api_tokens",
    "campaigns",
    "customers",
    "daily_analytics_snapshots",
    "revenue_streams",
    "customer_metrics",
    "campaign_performance",
    "page_view_analytics",
    "conversion_events",
    "job_runs",
    "audit_log",
)


def csrf_token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page
    )
    assert match, f"no CSRF token on {url}"
    return match.group(1)


@pytest.fixture
def admin_client(make_app, admin):
    """A browser-like session of a signed-in admin, with CSRF protection on."""
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def audit_actions() -> list[str]:
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()


def test_only_admins_reach_the_screens(app, client, auth, viewer):
    assert client.get("/admin/").status_code == 302  # the gate: sign in first
    auth.login(viewer.email)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/users/").status_code == 403
    manager = UserFactory(email="m@shop.test", role="manager")
    auth.logout()
    auth.login(manager.email)
    assert client.get("/admin/campaigns/").status_code == 403


def test_every_screen_opens_for_an_admin(app, admin_client, runner):
    create_token(runner)
    CampaignFactory()
    for screen in SCREENS:
        response = admin_client.get(f"/admin/{screen}/")
        assert response.status_code == 200, screen
    page = admin_client.get("/admin/users/").get_data(as_text=True)
    assert "admin@shop.test" in page and "password_hash" not in page


def test_changing_a_role_is_audited_and_needs_the_csrf_token(app, admin_client, viewer):
    url = f"/admin/users/edit/?id={viewer.id}"
    refused = admin_client.post(url, data={"role": "manager", "active": "y"})
    assert refused.status_code == 400
    token = csrf_token(admin_client, url)
    saved = admin_client.post(url, data={"role": "manager", "active": "y", "csrf_token": token})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, viewer.id).role == "manager"
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "admin.admin_users.update")
    )
    assert entry.actor == "admin@shop.test" and entry.details == {"role": ["viewer", "manager"]}


def test_an_admin_cannot_remove_their_own_access(app, admin_client, admin):
    url = f"/admin/users/edit/?id={admin.id}"
    token = csrf_token(admin_client, url)
    response = admin_client.post(url, data={"role": "viewer", "csrf_token": token})
    assert "cannot remove your own admin access" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin"


def test_revoking_a_token_locks_its_caller_out(app, admin_client, runner):
    secret = create_token(runner)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    form = {
        "action": "revoke",
        "rowid": str(token_id),
        "csrf_token": csrf_token(admin_client, "/admin/api_tokens/"),
    }
    assert admin_client.post("/admin/api_tokens/action/", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).revoked_at is not None
    assert "token.revoke" in audit_actions()
    response = app.test_client().get(
        "/api/v1/segments", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 401


def test_campaigns_follow_the_staff_forms_rules(app, admin_client):
    CampaignFactory(code="TAKEN")
    fields = {
        "name": "Winter",
        "code": "taken",
        "status": "draft",
        "discount_percent": "10",
        "target_audience": "all",
        "budget": "5000",
        "spend": "0",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-31",
    }
    fields["csrf_token"] = csrf_token(admin_client, "/admin/campaigns/new/")
    refused = admin_client.post("/admin/campaigns/new/", data=fields)
    assert "already uses the code TAKEN" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Campaign.id))) == 1
    created = admin_client.post("/admin/campaigns/new/", data={**fields, "code": "winter26"})
    assert created.status_code == 302
    db.session.expire_all()
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == "WINTER26"))
    assert campaign.budget == 500_000  # "5000" typed means 5,000.00 in the shop currency
    assert audit_actions()[-1] == "admin.admin_campaigns.create"


def test_analytics_tables_cannot_be_changed(app, admin_client):
    db.session.add(DailyAnalyticsSnapshot(business_date=sa.func.current_date()))
    db.session.commit()
    snapshot_id = db.session.scalar(sa.select(DailyAnalyticsSnapshot.id))
    token = csrf_token(admin_client, "/admin/campaigns/new/")
    admin_client.post(
        "/admin/daily_analytics_snapshots/delete/", data={"id": snapshot_id, "csrf_token": token}
    )
    assert admin_client.get("/admin/daily_analytics_snapshots/new/").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(DailyAnalyticsSnapshot.id))) == 1
    assert audit_actions() == []


def test_an_admin_erases_a_customers_personal_data(app, admin_client):
    from app.models import Customer
    from tests.factories import CustomerFactory, OrderFactory

    customer = CustomerFactory(external_id="C-7", email="ann@example.com", name="Ann")
    OrderFactory(customer=customer, subtotal=9_000)
    form = {
        "action": "erase",
        "rowid": str(customer.id),
        "csrf_token": csrf_token(admin_client, "/admin/customers/"),
    }
    assert admin_client.post("/admin/customers/action/", data=form).status_code == 302
    db.session.expire_all()
    erased = db.session.get(Customer, customer.id)
    assert (erased.email, erased.name, erased.external_id) == (None, None, f"erased-{customer.id}")
    assert audit_actions() == ["customer.erase"]


def _campaign_form(**changes) -> dict:
    return {
        "name": "Winter",
        "code": "ADM1",
        "status": "draft",
        "discount_percent": "10",
        "target_audience": "all",
        "budget": "4400.00",
        "spend": "0",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-31",
        **changes,
    }


def test_admins_create_and_edit_campaigns_in_major_units_and_never_see_sql(app, admin_client):
    token = csrf_token(admin_client, "/admin/campaigns/new/")
    created = admin_client.post(
        "/admin/campaigns/new/", data={**_campaign_form(), "csrf_token": token}
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.code == "ADM1"))
    assert campaign.budget == 440_000  # 4,400.00 typed, kept in cents
    listing = admin_client.get("/admin/campaigns/").get_data(as_text=True)
    assert "4,400.00" in listing and "440000" not in listing
    edit_url = f"/admin/campaigns/edit/?id={campaign.id}"
    page = admin_client.get(edit_url).get_data(as_text=True)
    assert 'value="4400.00"' in page  # the form shows major units too
    token = csrf_token(admin_client, edit_url)
    unchanged = admin_client.post(edit_url, data={**_campaign_form(), "csrf_token": token})
    assert unchanged.status_code == 302, unchanged.get_data(as_text=True)[:2000]
    token = csrf_token(admin_client, edit_url)
    refused = admin_client.post(
        edit_url, data={**_campaign_form(discount_percent="150"), "csrf_token": token}
    )
    text = refused.get_data(as_text=True)
    assert "whole percentage from 0 to 100" in text
    assert "INSERT" not in text and "UPDATE" not in text and "IntegrityError" not in text
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).discount_percent == 10
