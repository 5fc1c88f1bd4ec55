"""Alerts: the days whose figures fell outside the range their history predicted."""

from __future__ import annotations

from urllib.parse import urlencode

from dash import Dash, Input, Output, dcc, html

from app.analytics.insights import METRIC_LABELS, anomalies_in
from app.dash_apps import context
from app.dash_apps.components import card, definitions, empty_state, page_header, table
from app.dash_apps.ranges import parse_range
from app.extensions import db
from app.formatting import format_figure
from app.models.enums import ALL_CHANNELS, CHANNEL_LABELS

COLUMNS = ("Day", "Figure", "Where", "Value", "Expected range", "Score")


def layout() -> html.Div:
    return html.Div(
        [
            page_header(
                "alerts",
                "Alerts",
                "Days whose figures fell outside the range the weeks before them predicted,"
                " the usual weekday pattern taken into account.",
            ),
            card("Unusual days in the range", html.Div(id="alerts-list")),
            definitions("alerts", ("Anomaly",)),
        ],
        id="alerts-page",
    )


def _orders_link(anomaly) -> str:
    """The orders behind the flagged day (and channel)."""
    day = anomaly.business_date.isoformat()
    params = {"start": day, "end": day}
    if anomaly.channel != ALL_CHANNELS:
        params["channel"] = anomaly.channel
    return "/analytics/orders/?" + urlencode(params)


def alert_rows(search: str | None) -> list[list]:
    currency = context.currency()
    rows = []
    for a in anomalies_in(db.session, parse_range(search, context.today())):
        shown = lambda value, metric=a.metric: format_figure(metric, value, currency)  # noqa: E731
        arrow = "▲" if a.value > a.expected else "▼"
        rows.append(
            [
                dcc.Link(f"{a.business_date:%a %d %b %Y}", href=_orders_link(a)),
                METRIC_LABELS[a.metric],
                "Overall" if a.channel == ALL_CHANNELS else CHANNEL_LABELS[a.channel],
                f"{arrow} {shown(a.value)}",
                f"{shown(a.lower)} – {shown(a.upper)}",
                f"{a.score:+.1f}",
            ]
        )
    return rows


def update_alerts(search: str | None):
    rows = alert_rows(search)
    if not rows:
        return empty_state(
            "alerts-empty-state",
            "No unusual days in this range. Days are judged every night once a figure has"
            " four weeks of history.",
        )
    return table("alerts-table", COLUMNS, rows, [False, False, False, True, True, True])


def register(app: Dash) -> None:
    app.callback(Output("alerts-list", "children"), Input("url", "search"))(update_alerts)
