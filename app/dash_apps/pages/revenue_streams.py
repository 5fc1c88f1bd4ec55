"""Revenue by channel: amounts, shares, transactions and the daily trend of the seven channels."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html

from app.analytics.dashboard import channel_series, revenue_by_channel
from app.dash_apps import context, figures, url_state
from app.dash_apps.components import (
    card,
    definitions,
    empty_state,
    export_buttons,
    graph,
    page_header,
    table,
)
from app.dash_apps.exports import download, requested_format
from app.dash_apps.grains import GRAINS, grain_control, grain_of
from app.dash_apps.ranges import parse_range
from app.dash_apps.unusual_days import mark_unusual_days
from app.extensions import db
from app.formatting import format_count, format_money, to_major
from app.models.enums import CHANNEL_LABELS

COLUMNS = ("Channel", "Net revenue", "Share", "Orders")
TERMS = ("Revenue by channel", "Net revenue", "Refunds")


def layout() -> html.Div:
    return html.Div(
        [
            page_header(
                "revenue-streams",
                "Revenue by channel",
                "Net revenue across the seven sales channels.",
            ),
            html.Div(id="revenue-streams-empty"),
            dbc.Row(
                [
                    dbc.Col(
                        card(
                            ["Channels", export_buttons("revenue-streams", "channels")],
                            html.Div(id="revenue-streams-table"),
                        ),
                        lg=5,
                    ),
                    dbc.Col(
                        card(
                            ["Net revenue by channel", grain_control("revenue-streams-grain")],
                            graph("revenue-streams-trend"),
                        ),
                        lg=7,
                    ),
                ]
            ),
            definitions("revenue-streams", TERMS),
        ],
        id="revenue-streams-page",
    )


def channel_rows(search: str | None, *, formatted: bool, channels=None) -> list[list]:
    """The channel table's rows (`channels`: the range's figures, when already read)."""
    currency = context.currency()
    if channels is None:
        channels = revenue_by_channel(db.session, parse_range(search, context.today()))
    if formatted:
        return [
            [
                dcc.Link(
                    CHANNEL_LABELS[c.channel],
                    href="/analytics/orders/"
                    + url_state.with_value(search, "channel", c.channel, ""),
                    id=f"revenue-streams-open-{c.channel}",
                ),
                format_money(c.net_revenue, currency),
                "" if c.share is None else f"{c.share:.1%}",
                format_count(c.transactions),
            ]
            for c in channels
        ]
    return [
        [
            CHANNEL_LABELS[c.channel],
            str(to_major(c.net_revenue, currency)),
            "" if c.share is None else round(c.share, 4),
            c.transactions,
        ]
        for c in channels
    ]


def update_revenue(search: str | None):
    days = parse_range(search, context.today())
    currency = context.currency()
    channels = revenue_by_channel(db.session, days)
    rows = channel_rows(search, formatted=True, channels=channels)
    total = sum(c.net_revenue for c in channels)
    rows.append(
        [
            html.Strong("Total"),
            html.Strong(format_money(total, currency), id="revenue-streams-total"),
            "",
            "",
        ]
    )
    trend = channel_series(db.session, days)
    empty = None
    if not any(amount for _day, _channel, amount, _count in trend):
        empty = empty_state(
            "revenue-streams-empty-state", f"No revenue between {days.start} and {days.end}."
        )
    return (
        empty,
        table("revenue-streams-channels", COLUMNS, rows, [False, True, True, True]),
        mark_unusual_days(
            figures.channel_trend(trend, currency, grain_of(search)), days, grain_of(search)
        ),
    )


def export_channels(_csv, _xlsx, search: str | None):
    fmt = requested_format("revenue-streams-channels-xlsx")
    columns = ["channel", f"net_revenue_{context.currency()}", "share", "orders"]
    return download(
        "revenue-by-channel",
        fmt,
        columns,
        channel_rows(search, formatted=False),
        covers=parse_range(search, context.today()),
        currency=context.currency(),
    )


def register(app: Dash) -> None:
    url_state.bind(app, "revenue-streams-grain", "group", "day", GRAINS)
    app.callback(
        Output("revenue-streams-empty", "children"),
        Output("revenue-streams-table", "children"),
        Output("revenue-streams-trend", "figure"),
        Input("url", "search"),
    )(update_revenue)
    app.callback(
        Output("revenue-streams-channels-download", "data"),
        Input("revenue-streams-channels-csv", "n_clicks"),
        Input("revenue-streams-channels-xlsx", "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )(export_channels)
