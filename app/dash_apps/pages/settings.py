"""Settings: which e-mails a staff member gets (admins manage anyone's), and monthly targets
(managers and admins set them)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import dash_bootstrap_components as dbc
import sqlalchemy as sa
from dash import Dash, Input, Output, State, html
from flask_login import current_user
from marshmallow import ValidationError

from app import audit
from app.analytics.insights import first_of_month, targets_of
from app.dash_apps import context
from app.dash_apps.components import card, page_header
from app.extensions import db
from app.formatting import minor_unit_exponent, to_major
from app.models import User
from app.models.enums import TARGET_METRICS
from app.pipeline.subscriptions import set_subscriptions, subscriptions_of
from app.pipeline.targets import MONTH, TargetsIn, month_of, save_targets

KIND_OPTIONS = [
    {"label": "Daily digest (yesterday's figures, every morning)", "value": "daily"},
    {"label": "Weekly digest (last week, on Mondays)", "value": "weekly"},
    {"label": "Anomaly alerts (the morning after an unusual day)", "value": "alerts"},
]
TARGET_LABELS = {
    "net_revenue": "Net revenue",
    "orders": "Orders",
    "new_customers": "New customers",
}


def _people() -> list[dict]:
    """Admins choose anyone active; everyone else only themselves."""
    query = sa.select(User).where(User.active.is_(True)).order_by(User.email)
    if not context.can("admin"):
        query = query.where(User.id == current_user.id)
    return [{"label": user.email, "value": user.id} for user in db.session.scalars(query)]


def _subscriptions_card() -> dbc.Card:
    return card(
        "E-mails",
        [
            dbc.Label("For", html_for="settings-user"),
            dbc.Select(
                id="settings-user",
                options=_people(),
                value=current_user.id,
                disabled=not context.can("admin"),
                className="mb-2",
            ),
            dbc.Checklist(id="settings-subscriptions", options=KIND_OPTIONS, value=[]),
            dbc.Button("Save e-mails", id="settings-subscriptions-save", className="mt-2"),
            html.Div(id="settings-subscriptions-message", className="mt-2"),
        ],
    )


def _target_input(metric: str) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(TARGET_LABELS[metric], html_for=f"settings-target-{metric}"),
            dbc.Input(id=f"settings-target-{metric}", inputMode="decimal"),
            dbc.FormFeedback(id=f"settings-target-{metric}-error", type="invalid"),
        ],
        md=3,
    )


def _targets_card() -> dbc.Card:
    manager = context.can("manager")
    return card(
        "Monthly targets",
        [
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label("Month (YYYY-MM)", html_for="settings-month"),
                            dbc.Input(
                                id="settings-month", value=f"{context.today():%Y-%m}", maxLength=7
                            ),
                            dbc.FormFeedback(id="settings-month-error", type="invalid"),
                        ],
                        md=3,
                    ),
                    *(_target_input(metric) for metric in TARGET_METRICS),
                ],
                className="g-2",
            ),
            html.Small(
                f"Net revenue in {context.currency()}; leave a figure empty for no target.",
                className="text-muted",
            ),
            html.Div(
                dbc.Button("Save targets", id="settings-targets-save", className="mt-2")
                if manager
                else html.Div(
                    "Managers and admins set targets.",
                    id="settings-targets-save",
                    className="text-muted mt-2",
                )
            ),
            html.Div(id="settings-targets-message", className="mt-2"),
        ],
    )


def layout() -> html.Div:
    return html.Div(
        [
            page_header("settings", "Settings", "E-mail digests and alerts, and monthly targets."),
            _subscriptions_card(),
            _targets_card(),
        ],
        id="settings-page",
    )


def load_subscriptions(user_id) -> list[str]:
    chosen = _allowed_user(user_id)
    return subscriptions_of(db.session, chosen) if chosen else []


def _allowed_user(user_id) -> int | None:
    """The user whose e-mails may be read or changed by the signed-in one (server-side)."""
    try:
        chosen = int(user_id)
    except (TypeError, ValueError):
        return None
    if chosen == current_user.id or context.can("admin"):
        return chosen if db.session.get(User, chosen) else None
    return None


def save_subscriptions(_clicks, user_id, kinds):
    chosen = _allowed_user(user_id)
    if chosen is None:
        return dbc.Alert("Only admins change other people's e-mails.", color="danger")
    try:
        set_subscriptions(db.session, chosen, kinds or [])
    except ValueError as error:
        db.session.rollback()
        return dbc.Alert(str(error), color="danger")
    if chosen != current_user.id:
        audit.record("subscriptions.set", f"user:{chosen}", {"kinds": sorted(kinds or [])})
    db.session.commit()
    return dbc.Alert("Saved.", color="success", id="settings-subscriptions-saved")


def _shown_target(metric: str, value: int | None) -> str:
    if value is None:
        return ""
    return str(to_major(value, context.currency())) if metric == "net_revenue" else str(value)


def load_targets(month_text):
    try:
        month = month_of(MONTH(month_text.strip()))
    except (ValidationError, AttributeError):
        month = first_of_month(context.today())
    targets = targets_of(db.session, month)
    return [_shown_target(metric, targets.get(metric)) for metric in TARGET_METRICS]


def _typed(metric: str, text: str | None):
    """What a person typed as the API's value: money to minor units, counts whole."""
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    if metric != "net_revenue":
        return int(text) if text.lstrip("-").isdigit() else text
    try:
        amount = Decimal(text).scaleb(minor_unit_exponent(context.currency()))
    except InvalidOperation:
        return text
    return int(amount) if amount == amount.to_integral_value() else text


def save_targets_form(_clicks, month_text, *typed):
    """Checked by the API's own rules; nothing is written unless every field is valid."""
    fields = 1 + len(TARGET_METRICS)
    blank = (*[False] * fields, *[""] * fields)
    if not context.can("manager"):
        return dbc.Alert("Managers and admins set targets.", color="danger"), *blank
    values = {"month": (month_text or "").strip()}
    values |= {m: _typed(m, text) for m, text in zip(TARGET_METRICS, typed, strict=True)}
    try:
        checked = TargetsIn().load(values)
    except ValidationError as error:
        names = ("month", *TARGET_METRICS)
        messages = [error.messages.get(name, [""])[0] for name in names]
        return (
            dbc.Alert("Please correct the highlighted fields.", color="warning"),
            *[bool(message) for message in messages],
            *messages,
        )
    month = checked.pop("month")
    save_targets(db.session, month, checked, current_user.id)
    audit.record("targets.set", f"targets:{month:%Y-%m}", {"via": "settings", **checked})
    db.session.commit()
    return dbc.Alert(f"Targets for {month:%B %Y} saved.", color="success"), *blank


def register(app: Dash) -> None:
    app.callback(Output("settings-subscriptions", "value"), Input("settings-user", "value"))(
        load_subscriptions
    )
    app.callback(
        Output("settings-subscriptions-message", "children"),
        Input("settings-subscriptions-save", "n_clicks"),
        State("settings-user", "value"),
        State("settings-subscriptions", "value"),
        prevent_initial_call=True,
    )(save_subscriptions)
    app.callback(
        *[Output(f"settings-target-{m}", "value") for m in TARGET_METRICS],
        Input("settings-month", "value"),
    )(load_targets)
    fields = ("month", *(f"target-{m}" for m in TARGET_METRICS))
    app.callback(
        Output("settings-targets-message", "children"),
        *[Output(f"settings-{name}", "invalid") for name in fields],
        *[Output(f"settings-{name}-error", "children") for name in fields],
        Input("settings-targets-save", "n_clicks"),
        State("settings-month", "value"),
        *[State(f"settings-target-{m}", "value") for m in TARGET_METRICS],
        prevent_initial_call=True,
    )(save_targets_form)
