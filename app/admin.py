"""Admin screens (Flask-Admin at /admin/): admins only, every change written to AuditLog.

Behind the same access gate as everything else (a login is required before any of this
runs); a signed-in viewer or manager gets 403. Forms are Flask-WTF forms, so the app-wide
CSRF protection covers every admin POST, the list view's actions included.
"""

from __future__ import annotations

import base64
import hashlib
import logging

import sqlalchemy as sa
from flask import Flask, abort, flash
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_admin.theme import Bootstrap4Theme
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from app import audit
from app.campaign_forms import CAMPAIGN_FIELDS, validate_campaign
from app.extensions import db
from app.formatting import format_money, to_major
from app.models import (
    ApiToken,
    AuditLog,
    Campaign,
    CampaignPerformance,
    ConversionEvent,
    Customer,
    CustomerMetrics,
    DailyAnalyticsSnapshot,
    JobRun,
    PageViewAnalytics,
    RevenueStream,
    User,
)
from app.models.enums import CAMPAIGN_STATUSES, ROLES
from app.pipeline.erasure import erase_customer
from app.security import csp_nonce
from app.shop import currency
from app.timeutil import utc_now

log = logging.getLogger(__name__)
# Values never copied into the audit trail.
SECRET_FIELDS = frozenset({"password_hash", "token_hash"})


def is_admin() -> bool:
    return current_user.is_authenticated and current_user.has_role("admin")


class AdminHome(AdminIndexView):
    def is_accessible(self) -> bool:
        return is_admin()

    def inaccessible_callback(self, name, **kwargs):
        abort(403)

    @expose("/")
    def index(self):
        return self.render("admin/home.html")


class AdminOnly(ModelView):
    """Base of every screen: admins only, CSRF-protected forms, changes audited in the same
    transaction as the change itself."""

    form_base_class = FlaskForm
    page_size = 50
    can_view_details = True
    can_set_page_size = True

    def is_accessible(self) -> bool:
        return is_admin()

    def inaccessible_callback(self, name, **kwargs):
        abort(403)

    def _target(self, model) -> str:
        return f"{model.__tablename__}:{model.id}"

    def on_model_change(self, form, model, is_created: bool) -> None:
        with db.session.no_autoflush:  # nothing half-filled reaches the database unchecked
            self.check(form, model, is_created)
        state = sa.inspect(model)
        changed = {
            attr.key: [_plain(attr.history.deleted), _plain(attr.history.added)]
            for attr in state.attrs
            if attr.key not in SECRET_FIELDS
            and attr.key in state.mapper.columns
            and attr.history.has_changes()
        }
        db.session.flush()  # a new row gets its id, for the audit entry
        action_name = "create" if is_created else "update"
        audit.record(f"admin.{self.endpoint}.{action_name}", self._target(model), changed)

    def on_model_delete(self, model) -> None:
        audit.record(f"admin.{self.endpoint}.delete", self._target(model), None)

    def check(self, form, model, is_created: bool) -> None:
        """Raise wtforms' ValidationError to refuse a change (shown to the admin)."""

    def handle_view_exception(self, exc: Exception) -> bool:
        """A refusal by the database is a message, never its SQL and parameters."""
        if isinstance(exc, sa.exc.SQLAlchemyError):
            log.warning("admin %s: the database refused a change: %s", self.endpoint, exc)
            flash("The change could not be saved: the database refused it.", "error")
            return True
        return super().handle_view_exception(exc)


def choices(values: tuple[str, ...]) -> list[SelectChoice]:
    return [SelectChoice(value) for value in values]


def _plain(values) -> object:
    value = values[0] if values else None
    return value if isinstance(value, int | float | bool | str | type(None)) else str(value)


class ReadOnly(AdminOnly):
    can_create = False
    can_edit = False
    can_delete = False
    can_export = False


class UserAdmin(AdminOnly):
    """Roles and access; logins are created with `flask users create` (it sets the password)."""

    can_create = False
    can_delete = False
    column_list = ("email", "role", "active", "created_at", "last_login_at")
    column_searchable_list = ("email",)
    column_filters = ("role", "active")
    column_details_exclude_list = ("password_hash",)
    form_columns = ("role", "active")
    form_overrides = {"role": SelectField}
    form_args = {"role": {"choices": choices(ROLES)}}

    def check(self, form, model, is_created: bool) -> None:
        if model.id == current_user.id and (not model.active or model.role != "admin"):
            raise ValidationError("You cannot remove your own admin access.")


class TokenAdmin(AdminOnly):
    """Tokens are issued by `flask tokens create`; here they can be seen and revoked."""

    can_create = False
    can_edit = False
    can_delete = False
    column_list = ("name", "prefix", "scope", "owner", "created_at", "last_used_at", "revoked_at")
    column_details_exclude_list = ("token_hash",)
    column_filters = ("scope",)

    @action("revoke", "Revoke", "Revoke the selected tokens? Their callers get 401 from now on.")
    def revoke(self, ids: list[str]) -> None:
        tokens = db.session.scalars(
            sa.select(ApiToken).where(
                ApiToken.id.in_([int(i) for i in ids]), ApiToken.revoked_at.is_(None)
            )
        ).all()
        for token in tokens:
            token.revoked_at = utc_now()
            audit.record("token.revoke", f"token:{token.id}", {"name": token.name, "via": "admin"})
        db.session.commit()
        flash(f"Revoked {len(tokens)} token(s).", "success")


class CampaignAdmin(AdminOnly):
    """Campaigns with the staff form's rules (app/campaign_forms.py), money in major units."""

    can_delete = False  # its orders and performance history refer to it; complete it instead
    column_list = ("name", "code", "status", "discount_percent", "budget", "spend", "starts_on")
    column_searchable_list = ("name", "code")
    column_filters = ("status",)
    form_columns = CAMPAIGN_FIELDS
    form_overrides = {"status": SelectField}
    form_args = {"status": {"choices": choices(CAMPAIGN_STATUSES)}}
    column_formatters = {
        "budget": lambda _view, _context, model, _name: format_money(model.budget, currency()),
        "spend": lambda _view, _context, model, _name: format_money(model.spend, currency()),
    }

    def scaffold_form(self):
        form = super().scaffold_form()
        # Typed as text and judged by the shared rules alone (they know a code is unique once
        # upper-cased, and say what is wrong with an amount instead of changing it).
        form.code = StringField("Code")
        form.discount_percent = StringField("Discount %")
        form.budget = StringField("Budget (in the shop currency, e.g. 1250.00)")
        form.spend = StringField("Spend (in the shop currency)")
        return form

    def on_form_prefill(self, form, id) -> None:
        campaign = self.get_one(id)
        form.discount_percent.data = str(campaign.discount_percent)
        form.budget.data = str(to_major(campaign.budget, currency()))
        form.spend.data = str(to_major(campaign.spend, currency()))

    def check(self, form, model, is_created: bool) -> None:
        typed = {name: form[name].data for name in self.form_columns}
        checked = validate_campaign(db.session, typed, currency(), None if is_created else model.id)
        if checked.errors:
            raise ValidationError(" ".join(checked.errors.values()))
        for name, value in checked.values.items():
            setattr(model, name, value)


class CustomerAdmin(ReadOnly):
    """Read-only, but for erasing a customer's personal data on request."""

    column_list = ("external_id", "email", "name", "acquisition_channel", "created_at")
    column_searchable_list = ("external_id", "email")
    column_filters = ("acquisition_channel",)

    @action(
        "erase",
        "Erase personal data",
        "Erase the email, name and shop id of the selected customers? Figures stay the same; "
        "this cannot be undone.",
    )
    def erase(self, ids: list[str]) -> None:
        customers = db.session.scalars(
            sa.select(Customer).where(Customer.id.in_([int(i) for i in ids]))
        ).all()
        for customer in customers:
            erase_customer(db.session, customer.external_id)
            audit.record("customer.erase", f"customer:{customer.id}", None)
        db.session.commit()
        flash(f"Erased the personal data of {len(customers)} customer(s).", "success")


def _read_only(model, *, sort: str, category: str = "Analytics", **options) -> ReadOnly:
    """A read-only screen of a table, newest (or largest) first."""
    attributes = {"column_default_sort": (sort, True), **options}
    view = type(f"{model.__name__}Admin", (ReadOnly,), attributes)
    name = model.__tablename__
    return view(model, db, category=category, endpoint=f"admin_{name}", url=name)


def inline_handler_hashes(admin: Admin) -> list[str]:
    """CSP hashes of the few inline event handlers Flask-Admin's templates write (the filter
    menu and each list action), so the policy allows exactly those and no other."""
    handlers = {"return false;", "javascript:void(0)"}  # menus link to javascript:void(0)
    for view in admin._views:
        for name, _label in getattr(view, "_actions", []):
            handlers.add(f"return modelActions.execute('{name}');")
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(h.encode()).digest()).decode() + "'"
        for h in sorted(handlers)
    ]


def init_admin(app: Flask) -> Admin:
    admin = Admin(
        app,
        name="Storefront Analytics",
        url="/admin",
        index_view=AdminHome(url="/admin"),
        theme=Bootstrap4Theme(fluid=True),
        csp_nonce_generator=csp_nonce,
    )
    for view, model, category in (
        (UserAdmin, User, "Access"),
        (TokenAdmin, ApiToken, "Access"),
        (CampaignAdmin, Campaign, None),
        (CustomerAdmin, Customer, None),
    ):
        name = model.__tablename__
        admin.add_view(view(model, db, category=category, endpoint=f"admin_{name}", url=name))
    for model, sort in (
        (DailyAnalyticsSnapshot, "business_date"),
        (RevenueStream, "business_date"),
        (CustomerMetrics, "lifetime_value"),
        (CampaignPerformance, "business_date"),
        (PageViewAnalytics, "business_date"),
        (ConversionEvent, "occurred_at"),
    ):
        admin.add_view(_read_only(model, sort=sort))
    # Campaign itself is the seventh analytics table: editable above.
    for model, sort, filters in (
        (JobRun, "started_at", ("job", "status")),
        (AuditLog, "created_at", ("action", "actor")),
    ):
        admin.add_view(_read_only(model, sort=sort, column_filters=filters, category="Operations"))
    app.config["CSP_HANDLER_HASHES"] = inline_handler_hashes(admin)
    return admin
