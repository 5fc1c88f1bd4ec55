"""One campaign: performance over time, ROI, buyers, discount cost and its latest orders."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html

from app.analytics.campaigns import (
    campaign_days,
    campaign_orders,
    campaign_summary,
    scheduled_days,
)
from app.analytics.periods import DateRange
from app.dash_apps import context, figures
from app.dash_apps.components import (
    card,
    definitions,
    empty_state,
    export_buttons,
    kpi_card,
    page_header,
    table,
)
from app.dash_apps.exports import download, requested_format
from app.dash_apps.ranges import describe, names_a_range, page_range
from app.extensions import db
from app.formatting import format_count, format_money, format_shop_time, to_major
from app.models.enums import CHANNEL_LABELS

ORDER_COLUMNS = (
    "Order",
    "Placed (shop time)",
    "Status",
    "Channel",
    "Subtotal",
    "Discount",
    "Total",
)


def not_found(campaign_id: str) -> html.Div:
    return html.Div(
        [
            html.H1("Campaign not found", className="h3"),
            html.P(
                f"No campaign has the id {campaign_id}. It may have been deleted.",
                className="text-muted",
            ),
            dcc.Link("All campaigns", href="/analytics/campaigns/"),
        ],
        id="campaign-detail-not-found",
    )


def chosen_period(search: str | None) -> DateRange | None:
    """The range in the URL, when it names one; None: the campaign's whole run (the default)."""
    if not names_a_range(search):
        return None
    return page_range(search, context.today()).days


def layout(campaign_id: str, search: str | None = None) -> html.Div:
    period = chosen_period(search)
    summary = campaign_summary(db.session, int(campaign_id), today=context.today(), days=period)
    if summary is None:
        return not_found(campaign_id)
    currency, zone = context.currency(), context.zone()
    days = campaign_days(db.session, summary.id, context.today())
    if period is not None:
        days = [day for day in days if period.start <= day.business_date <= period.end]
    path = f"/analytics/campaigns/{summary.id}/"
    run = scheduled_days(summary.campaign, context.today())
    whole = f"its whole run ({describe(run)})" if run else "its whole run"
    scope = (
        html.P(
            [
                f"Within {describe(period)} · ",
                dcc.Link("show its whole run", href=path, id="campaign-detail-whole-run"),
            ],
            className="small text-muted",
            id="campaign-detail-scope",
        )
        if period
        else html.P(
            [
                f"Over {whole} · ",
                dcc.Link(
                    "show it within a range", href=path + "?days=30", id="campaign-detail-in-range"
                ),
            ],
            className="small text-muted",
            id="campaign-detail-scope",
        )
    )
    orders = campaign_orders(db.session, summary.id)
    kpis = dbc.Row(
        [
            kpi_card(
                "campaign-detail-orders", "Orders", format_count(summary.orders), compare=False
            ),
            kpi_card(
                "campaign-detail-buyers", "Buyers", format_count(summary.conversions), compare=False
            ),
            kpi_card(
                "campaign-detail-net-revenue",
                "Net revenue",
                format_money(summary.revenue, currency),
                compare=False,
            ),
            kpi_card(
                "campaign-detail-discount-cost",
                "Discount cost",
                format_money(summary.discount_cost, currency),
                compare=False,
            ),
            kpi_card(
                "campaign-detail-spend",
                "Spend",
                format_money(summary.spend, currency),
                compare=False,
            ),
            kpi_card(
                "campaign-detail-roi",
                "ROI",
                "—" if summary.roi is None else f"{summary.roi:.0%}",
                compare=False,
            ),
        ]
    )
    order_rows = [
        [
            o.external_id,
            format_shop_time(o.placed_at, zone),
            o.status,
            o.channel,
            format_money(o.subtotal, currency),
            format_money(o.discount, currency),
            format_money(o.total, currency),
        ]
        for o in orders
    ]
    chart = (
        dcc.Graph(
            id="campaign-detail-performance", figure=figures.campaign_performance(days, currency)
        )
        if days
        else empty_state(
            "campaign-detail-empty",
            "No attributed orders yet; they appear here within seconds of arriving.",
        )
    )
    return html.Div(
        [
            page_header("campaign-detail", summary.name, f"Code {summary.code} · {summary.status}"),
            scope,
            kpis,
            card("Performance per day", chart),
            card(
                ["Latest orders", export_buttons("campaign-detail", "orders")],
                table(
                    "campaign-detail-orders-table",
                    ORDER_COLUMNS,
                    order_rows,
                    [False, False, False, False, True, True, True],
                ),
            ),
            definitions("campaign-detail", ("Campaign ROI",)),
        ],
        id="campaign-detail-page",
    )


def export_orders(_csv, _xlsx, pathname: str | None):
    campaign_id = int((pathname or "").rstrip("/").rsplit("/", 1)[-1])
    currency, zone = context.currency(), context.zone()
    columns = [
        "order",
        "placed_shop_time",
        "status",
        "channel",
        f"subtotal_{currency}",
        f"discount_{currency}",
        f"total_{currency}",
    ]
    rows = [
        [
            o.external_id,
            format_shop_time(o.placed_at, zone),
            o.status,
            CHANNEL_LABELS.get(o.channel, o.channel),
            str(to_major(o.subtotal, currency)),
            str(to_major(o.discount, currency)),
            str(to_major(o.total, currency)),
        ]
        for o in campaign_orders(db.session, campaign_id, limit=10_000)
    ]
    return download(
        f"campaign-{campaign_id}-orders",
        requested_format("campaign-detail-orders-xlsx"),
        columns,
        rows,
        currency=currency,
    )


def register(app: Dash) -> None:
    app.callback(
        Output("campaign-detail-orders-download", "data"),
        Input("campaign-detail-orders-csv", "n_clicks"),
        Input("campaign-detail-orders-xlsx", "n_clicks"),
        State("url", "pathname"),
        prevent_initial_call=True,
    )(export_orders)
