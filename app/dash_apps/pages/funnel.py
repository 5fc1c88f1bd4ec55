"""The conversion funnel of sessions entered in the period."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, html

from app.analytics.funnel import DEFAULT_WINDOW_DAYS, funnel_summary
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
from app.dash_apps.ranges import parse_range
from app.extensions import db
from app.models.enums import CHANNEL_LABELS

COLUMNS = ("Step", "Sessions", "Step conversion", "Overall conversion", "Drop-off")
CHANNEL_COLUMNS = ("Channel", "Sessions", "Purchases", "Conversion")
TRACKED = ("web", "mobile_app", "social", "marketplace")


def layout() -> html.Div:
    channels = [{"label": "All channels", "value": "all"}] + [
        {"label": CHANNEL_LABELS[c], "value": c} for c in TRACKED
    ]
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Channel"),
                    dbc.Select(id="funnel-channel", options=channels, value="all"),
                ],
                md=4,
            ),
            dbc.Col(
                html.P(
                    f"Conversion window: {DEFAULT_WINDOW_DAYS} days from entry.",
                    className="text-muted mt-4 mb-0",
                    id="funnel-window",
                ),
                md=4,
            ),
        ],
        className="mb-3",
    )
    return html.Div(
        [
            page_header(
                "funnel", "Conversion funnel", "How far visitor sessions get, step by step."
            ),
            controls,
            html.Div(id="funnel-empty"),
            dbc.Row(
                [
                    dbc.Col(card("Funnel", graph("funnel-chart")), lg=6),
                    dbc.Col(
                        card(
                            ["Steps", export_buttons("funnel", "steps")],
                            [
                                html.Div(id="funnel-table"),
                                html.P(id="funnel-median", className="mt-3 mb-0"),
                            ],
                        ),
                        lg=6,
                    ),
                ]
            ),
            card("By channel", html.Div(id="funnel-channels")),
            definitions("funnel", ("Funnel", "Sessions", "Conversion rate")),
        ],
        id="funnel-page",
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "no converted sessions"
    minutes = seconds / 60
    return f"{minutes:.0f} minutes" if minutes < 120 else f"{minutes / 60:.1f} hours"


def update_funnel(search: str | None, channel: str | None):
    """Reads the nightly funnel tables: sessions entered in the range, by channel."""
    days = parse_range(search, context.today())
    window_days = DEFAULT_WINDOW_DAYS
    funnel = funnel_summary(db.session, days, None if channel in (None, "all") else channel)
    rows = [
        [
            s.event_type.replace("_", " ").title(),
            f"{s.sessions:,}",
            "" if s.step_conversion is None else f"{s.step_conversion:.1%}",
            "" if s.overall_conversion is None else f"{s.overall_conversion:.1%}",
            f"{s.drop_off:,}",
        ]
        for s in funnel.steps
    ]
    empty = (
        None
        if funnel.steps[0].sessions
        else empty_state(
            "funnel-empty-state", f"No tracked sessions between {days.start} and {days.end}."
        )
    )
    median = (
        f"Median time from entry to purchase: {_duration(funnel.median_seconds_to_convert)}"
        f" (window {window_days} days)."
    )
    return (
        empty,
        figures.funnel_chart(funnel.steps),
        table("funnel-steps", COLUMNS, rows, [False, True, True, True, True]),
        median,
        channel_breakdown(days),
    )


def channel_breakdown(days) -> dbc.Table:
    """Sessions, purchases and conversion of each tracked channel over the same days."""
    rows = []
    for channel in TRACKED:
        steps = funnel_summary(db.session, days, channel).steps
        entered, bought = steps[0].sessions, steps[-1].sessions
        rate = f"{bought / entered:.1%}" if entered else "—"
        rows.append([CHANNEL_LABELS[channel], f"{entered:,}", f"{bought:,}", rate])
    return table("funnel-channels-table", CHANNEL_COLUMNS, rows, [False, True, True, True])


def _ratio(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


def export_steps(_csv, _xlsx, search: str | None, channel: str | None):
    days = parse_range(search, context.today())
    funnel = funnel_summary(db.session, days, None if channel in (None, "all") else channel)
    rows = [
        [
            s.event_type.replace("_", " ").capitalize(),
            s.sessions,
            _ratio(s.step_conversion),
            _ratio(s.overall_conversion),
            _ratio(s.drop_off),
        ]
        for s in funnel.steps
    ]
    columns = ["step", "sessions", "step_conversion", "overall_conversion", "drop_off"]
    return download("funnel", requested_format("funnel-steps-xlsx"), columns, rows, covers=days)


def register(app: Dash) -> None:
    url_state.bind(app, "funnel-channel", "channel", "all", ("all", *TRACKED))
    app.callback(
        Output("funnel-empty", "children"),
        Output("funnel-chart", "figure"),
        Output("funnel-table", "children"),
        Output("funnel-median", "children"),
        Output("funnel-channels", "children"),
        Input("url", "search"),
        Input("funnel-channel", "value"),
    )(update_funnel)
    app.callback(
        Output("funnel-steps-download", "data"),
        Input("funnel-steps-csv", "n_clicks"),
        Input("funnel-steps-xlsx", "n_clicks"),
        State("url", "search"),
        State("funnel-channel", "value"),
        prevent_initial_call=True,
    )(export_steps)
