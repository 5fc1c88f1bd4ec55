"""The dashboard's month card: month to date, the forecast month end and the target."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from app.analytics.forecast import METHOD_LABELS
from app.analytics.insights import METRIC_LABELS, TargetOutlook
from app.formatting import format_figure


def _line(outlook: TargetOutlook, currency: str) -> html.Div:
    shown = lambda value: format_figure(outlook.metric, value, currency)  # noqa: E731
    label = METRIC_LABELS[outlook.metric]
    f = outlook.forecast
    if f is None:
        body = [html.Span("not enough history for a forecast yet", className="text-muted")]
    else:
        body = [
            html.Span(f"{shown(f.month_to_date)} so far · month end "),
            html.B(shown(f.forecast), id=f"dashboard-forecast-{outlook.metric}"),
            html.Span(f" ({shown(f.lower)} – {shown(f.upper)})", className="text-muted"),
        ]
    if outlook.target is not None:
        body.append(html.Span(f" · target {shown(outlook.target)}"))
        if outlook.probability is not None:
            chance = f"{outlook.probability:.0%} chance"
            body.append(dbc.Badge(chance, color="secondary", className="ms-2"))
    return html.Div([html.Div(label, className="fw-semibold"), *body], className="mb-2")


def month_card_body(outlooks: list[TargetOutlook], currency: str) -> list:
    lines = [_line(outlook, currency) for outlook in outlooks]
    methods = {o.forecast.method for o in outlooks if o.forecast is not None}
    note = "Range: 4 times in 5 the month ends inside it."
    if methods:
        names = ", ".join(sorted(METHOD_LABELS[m] for m in methods))
        as_of = max(o.forecast.as_of for o in outlooks if o.forecast is not None)
        note = f"Forecast as of {as_of:%d %b} by {names} (chosen by back-test). " + note
    lines.append(html.Small([note, " ", html.A("Set targets", href="/analytics/settings/")]))
    return lines
