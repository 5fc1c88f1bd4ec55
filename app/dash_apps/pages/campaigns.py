"""Campaigns: the list with ROI, filtered by status, and a create/edit form for managers."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import sqlalchemy as sa
from dash import Dash, Input, Output, State, dcc, html, no_update

from app import audit
from app.analytics.campaigns import campaign_summaries
from app.analytics.periods import DateRange
from app.campaign_forms import CAMPAIGN_FIELDS, save_campaign, validate_campaign
from app.dash_apps import context, url_state
from app.dash_apps.components import (
    card,
    definitions,
    empty_state,
    export_buttons,
    page_header,
    table,
)
from app.dash_apps.exports import download, requested_format
from app.dash_apps.ranges import describe, page_range
from app.extensions import db
from app.formatting import format_count, format_money, to_major
from app.models import Campaign
from app.models.enums import CAMPAIGN_STATUSES

FIELDS = CAMPAIGN_FIELDS
COLUMNS = (
    "Campaign",
    "Code",
    "Status",
    "Orders",
    "Buyers",
    "Net revenue",
    "Discount cost",
    "Spend",
    "ROI",
)
TERMS = ("Campaign ROI",)
# dbc.Select keeps the empty value for its own disabled placeholder: "new" is choosable.
NEW = "new"
NEW_CAMPAIGN = {"label": "New campaign", "value": NEW}
BLANK_FORM = ["", "", "draft", "10", "all", "0", "0", None, None]


def _field(name: str, label: str, component) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(label, html_for=f"campaigns-form-{name}"),
            component,
            dbc.FormFeedback(id=f"campaigns-form-{name}-error", type="invalid"),
        ],
        md=6,
        className="mb-2",
    )


def campaign_form() -> dbc.Card:
    status_options = [{"label": s.title(), "value": s} for s in CAMPAIGN_STATUSES]
    inputs = [
        _field("name", "Name", dbc.Input(id="campaigns-form-name", maxLength=120)),
        _field("code", "Coupon code", dbc.Input(id="campaigns-form-code", maxLength=40)),
        _field(
            "status",
            "Status",
            dbc.Select(id="campaigns-form-status", options=status_options, value="draft"),
        ),
        # Text, not number inputs: a number input sends nothing for a value outside its
        # min/max, which would be saved as 0; the server says what is wrong instead.
        _field(
            "discount_percent",
            "Discount %",
            dbc.Input(id="campaigns-form-discount_percent", inputMode="numeric", value="10"),
        ),
        _field(
            "target_audience",
            "Audience",
            dbc.Input(id="campaigns-form-target_audience", value="all"),
        ),
        _field(
            "budget",
            f"Budget ({context.currency()})",
            dbc.Input(id="campaigns-form-budget", inputMode="decimal", value="0"),
        ),
        _field(
            "spend",
            f"Spend so far ({context.currency()})",
            dbc.Input(id="campaigns-form-spend", inputMode="decimal", value="0"),
        ),
        _field("starts_on", "Starts on", dbc.Input(id="campaigns-form-starts_on", type="date")),
        _field(
            "ends_on", "Ends on (optional)", dbc.Input(id="campaigns-form-ends_on", type="date")
        ),
    ]
    return card(
        "Create or edit a campaign",
        [
            dbc.Select(id="campaigns-form-edit", options=[NEW_CAMPAIGN], value=NEW),
            dbc.Row(inputs, className="mt-3"),
            dbc.Button("Save campaign", id="campaigns-form-save", color="primary"),
            html.Div(id="campaigns-form-message", className="mt-3"),
        ],
        element_id="campaigns-form",
    )


def layout() -> html.Div:
    filters = dbc.RadioItems(
        id="campaigns-status-filter",
        options=[{"label": "All", "value": "all"}]
        + [{"label": s.title(), "value": s} for s in CAMPAIGN_STATUSES],
        value="all",
        inline=True,
    )
    return html.Div(
        [
            page_header(
                "campaigns",
                "Campaigns",
                "Marketing campaigns, their orders, revenue and return on investment.",
            ),
            card(
                ["Campaigns", export_buttons("campaigns", "list")],
                [filters, html.Div(id="campaigns-list", className="mt-2")],
            ),
            campaign_form()
            if context.can("manager")
            else html.P(
                "Managers and admins can create and edit campaigns.",
                className="text-muted",
                id="campaigns-read-only",
            ),
            dcc.Store(id="campaigns-saved"),
            definitions("campaigns", TERMS),
        ],
        id="campaigns-page",
    )


def _period(search: str | None) -> DateRange | None:
    """The page's range (None, outside a page: each campaign's whole run)."""
    return None if search is None else page_range(search, context.today()).days


def _summaries(status: str | None, period: DateRange | None):
    return campaign_summaries(
        db.session,
        None if status in (None, "all") else status,
        days=period,
        today=context.today(),
    )


def update_list(status: str | None, _saved, search: str | None = None):
    currency = context.currency()
    period = _period(search)
    summaries = _summaries(status, period)
    if not summaries:
        return empty_state(
            "campaigns-empty-state", "No campaigns with this status. Managers can create one below."
        )
    rows = [
        [
            dcc.Link(s.name, href=f"/analytics/campaigns/{s.id}/"),
            s.code,
            s.status.title(),
            format_count(s.orders),
            format_count(s.conversions),
            format_money(s.revenue, currency),
            format_money(s.discount_cost, currency),
            format_money(s.spend, currency),
            "—" if s.roi is None else f"{s.roi:.0%}",
        ]
        for s in summaries
    ]
    scope = (
        "Each campaign's whole run."
        if period is None
        else f"Orders, buyers, revenue and spend within {describe(period)};"
        " open a campaign for its whole run."
    )
    return [
        html.P(scope, className="small text-muted mb-2", id="campaigns-scope"),
        table(
            "campaigns-table",
            COLUMNS,
            rows,
            [False, False, False, True, True, True, True, True, True],
        ),
    ]


def export_campaigns(_csv, _xlsx, status: str | None, search: str | None = None):
    currency, period = context.currency(), _period(search)
    columns = [
        "id",
        "name",
        "code",
        "status",
        "orders",
        "buyers",
        f"net_revenue_{currency}",
        f"discount_cost_{currency}",
        f"spend_{currency}",
        "roi",
    ]
    rows = [
        [
            s.id,
            s.name,
            s.code,
            s.status,
            s.orders,
            s.conversions,
            str(to_major(s.revenue, currency)),
            str(to_major(s.discount_cost, currency)),
            str(to_major(s.spend, currency)),
            s.roi,
        ]
        for s in _summaries(status, period)
    ]
    return download(
        "campaigns",
        requested_format("campaigns-list-xlsx"),
        columns,
        rows,
        covers=period or context.today(),
        currency=currency,
    )


def edit_options(_saved) -> list[dict]:
    campaigns = db.session.scalars(
        sa.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    )
    return [NEW_CAMPAIGN] + [
        {"label": f"{c.name} ({c.code})", "value": str(c.id)} for c in campaigns
    ]


def fill_form(campaign_id: str | None) -> list:
    """Load a campaign into the form (or blank it for a new one)."""
    campaign = db.session.get(Campaign, int(campaign_id)) if _editing(campaign_id) else None
    return BLANK_FORM if campaign is None else _form_values(campaign)


def _editing(campaign_id: str | None) -> bool:
    return bool(campaign_id) and campaign_id.isdigit()


def _form_values(campaign: Campaign) -> list:
    currency = context.currency()
    return [
        campaign.name,
        campaign.code,
        campaign.status,
        str(campaign.discount_percent),
        campaign.target_audience,
        str(to_major(campaign.budget, currency)),
        str(to_major(campaign.spend, currency)),
        campaign.starts_on.isoformat(),
        campaign.ends_on.isoformat() if campaign.ends_on else None,
    ]


def save_form(_clicks, campaign_id: str | None, *values):
    """Validate and save; refused on the server for anyone below manager. A new campaign
    leaves the form blank for the next; an edited one stays loaded as saved."""
    invalid = [False] * len(FIELDS)
    errors = [""] * len(FIELDS)
    unchanged = [no_update] * (len(FIELDS) + 1)
    if not context.can("manager"):
        alert = dbc.Alert(
            "Only managers and admins can change campaigns.",
            color="danger",
            id="campaigns-form-refused",
        )
        return alert, *invalid, *errors, None, *unchanged
    form = dict(zip(FIELDS, values, strict=True))
    edit_id = int(campaign_id) if _editing(campaign_id) else None
    checked = validate_campaign(db.session, form, context.currency(), edit_id)
    if checked.errors:
        for index, name in enumerate(FIELDS):
            invalid[index] = name in checked.errors
            errors[index] = checked.errors.get(name, "")
        return (
            dbc.Alert("Please correct the highlighted fields.", color="warning"),
            *invalid,
            *errors,
            None,
            *unchanged,
        )
    campaign = save_campaign(db.session, checked.values, edit_id)
    action = "campaign.update" if edit_id else "campaign.create"
    audit.record(action, f"campaign:{campaign.id}", {"code": campaign.code})
    db.session.commit()
    message = dbc.Alert(
        ["Saved ", dcc.Link(campaign.name, href=f"/analytics/campaigns/{campaign.id}/"), "."],
        color="success",
        id="campaigns-form-saved",
    )
    form_after = _form_values(campaign) if edit_id else BLANK_FORM
    return message, *invalid, *errors, campaign.id, str(edit_id or NEW), *form_after


def register(app: Dash) -> None:
    url_state.bind(app, "campaigns-status-filter", "status", "all", ("all", *CAMPAIGN_STATUSES))
    app.callback(
        Output("campaigns-list", "children"),
        Input("campaigns-status-filter", "value"),
        Input("campaigns-saved", "data"),
        Input("url", "search"),
    )(update_list)
    app.callback(
        Output("campaigns-list-download", "data"),
        Input("campaigns-list-csv", "n_clicks"),
        Input("campaigns-list-xlsx", "n_clicks"),
        State("campaigns-status-filter", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )(export_campaigns)
    app.callback(Output("campaigns-form-edit", "options"), Input("campaigns-saved", "data"))(
        edit_options
    )
    app.callback(
        *[Output(f"campaigns-form-{name}", "value") for name in FIELDS],
        Input("campaigns-form-edit", "value"),
    )(fill_form)
    app.callback(
        Output("campaigns-form-message", "children"),
        *[Output(f"campaigns-form-{name}", "invalid") for name in FIELDS],
        *[Output(f"campaigns-form-{name}-error", "children") for name in FIELDS],
        Output("campaigns-saved", "data"),
        Output("campaigns-form-edit", "value"),
        *[Output(f"campaigns-form-{name}", "value", allow_duplicate=True) for name in FIELDS],
        Input("campaigns-form-save", "n_clicks"),
        State("campaigns-form-edit", "value"),
        *[State(f"campaigns-form-{name}", "value") for name in FIELDS],
        prevent_initial_call=True,
    )(save_form)
