"""Monthly cohort retention as a heatmap; the running month is marked, not shown as a decline."""

from __future__ import annotations

from dash import Dash, Input, Output, State, dcc, html

from app.analytics.cohorts import cohort_retention
from app.dash_apps import context, figures
from app.dash_apps.components import (
    GRAPH_CONFIG,
    card,
    definitions,
    empty_state,
    export_buttons,
    page_header,
)
from app.dash_apps.exports import download, requested_format
from app.dash_apps.ranges import parse_range
from app.extensions import db


def layout() -> html.Div:
    return html.Div(
        [
            page_header(
                "cohorts",
                "Cohort retention",
                "Of the customers who first bought in a month, the share who ordered again"
                " n months later. The range picks the first-order months shown.",
            ),
            html.Div(id="cohorts-empty"),
            card(
                [
                    "Retention by first-order month (* = month still running)",
                    export_buttons("cohorts", "matrix"),
                ],
                html.Div(id="cohorts-heatmap"),
            ),
            definitions("cohorts", ("Cohort retention",)),
        ],
        id="cohorts-page",
    )


def _cohorts(search: str | None):
    """The cohorts whose first-order month lies in the range, followed up to the range's end
    (so later months are not shown as losses)."""
    days = parse_range(search, context.today())
    months = (days.end.year - days.start.year) * 12 + days.end.month - days.start.month + 1
    return days.end, cohort_retention(db.session, days.end, months)


def update_cohorts(search: str | None = None):
    _as_of, cohorts = _cohorts(search)
    if not cohorts:
        return empty_state(
            "cohorts-empty-state",
            "Cohorts are built every night from customers' first orders;"
            " the first appear the morning after the first orders.",
        ), None
    height = 120 + 32 * len(cohorts)
    # On a phone the heatmap keeps a readable width and scrolls sideways inside its card.
    width = 160 + 56 * max(len(cohort.cells) for cohort in cohorts)
    return None, html.Div(
        dcc.Graph(
            id="cohorts-chart",
            figure=figures.cohort_heatmap(cohorts),
            config={**GRAPH_CONFIG, "displayModeBar": False},
            style={"height": f"{height}px", "minWidth": f"{min(width, 900)}px"},
        ),
        className="table-responsive",
    )


def register(app: Dash) -> None:
    app.callback(
        Output("cohorts-empty", "children"),
        Output("cohorts-heatmap", "children"),
        Input("url", "search"),
    )(update_cohorts)
    register_exports(app)


def export_cohorts(_csv, _xlsx, search: str | None):
    as_of, cohorts = _cohorts(search)
    rows = [
        [
            f"{cohort.month:%Y-%m}",
            cohort.size,
            cell.months_since,
            cell.customers,
            round(cell.retention, 4),
            cell.incomplete,
        ]
        for cohort in cohorts
        for cell in cohort.cells
    ]
    columns = [
        "cohort_month",
        "cohort_size",
        "months_since",
        "customers",
        "retention",
        "incomplete",
    ]
    return download(
        "cohort-retention", requested_format("cohorts-matrix-xlsx"), columns, rows, covers=as_of
    )


def register_exports(app: Dash) -> None:
    app.callback(
        Output("cohorts-matrix-download", "data"),
        Input("cohorts-matrix-csv", "n_clicks"),
        Input("cohorts-matrix-xlsx", "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )(export_cohorts)
