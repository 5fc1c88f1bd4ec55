"""Monthly cohort retention as a heatmap; the running month is marked, not shown as a decline."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html

from app.analytics.cohorts import cohort_retention
from app.dash_apps import context, figures
from app.dash_apps.components import card, definitions, empty_state, export_buttons, page_header
from app.dash_apps.exports import download, requested_format
from app.dash_apps.ranges import parse_range
from app.extensions import db

MONTH_CHOICES = (6, 12, 18, 24)


def layout() -> html.Div:
    choice = dbc.Select(
        id="cohorts-months",
        options=[{"label": f"Last {m} months", "value": str(m)} for m in MONTH_CHOICES],
        value="12",
    )
    return html.Div(
        [
            page_header(
                "cohorts",
                "Cohort retention",
                "Of the customers who first bought in a month, the share who ordered again"
                " n months later.",
            ),
            dbc.Row(dbc.Col(choice, md=3), className="mb-3"),
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


def update_cohorts(months: str | None, search: str | None = None):
    """Cohorts up to the end of the chosen range, so later months are not shown as losses."""
    as_of = parse_range(search, context.today()).end
    cohorts = cohort_retention(db.session, as_of, int(months or 12))
    if not cohorts:
        return empty_state(
            "cohorts-empty-state",
            "Cohorts are built every night from customers' first orders;"
            " the first appear the morning after the first orders.",
        ), None
    height = 120 + 32 * len(cohorts)
    return None, dcc.Graph(
        id="cohorts-chart", figure=figures.cohort_heatmap(cohorts), style={"height": f"{height}px"}
    )


def register(app: Dash) -> None:
    app.callback(
        Output("cohorts-empty", "children"),
        Output("cohorts-heatmap", "children"),
        Input("cohorts-months", "value"),
        Input("url", "search"),
    )(update_cohorts)
    register_exports(app)


def export_cohorts(_csv, _xlsx, months: str | None, search: str | None):
    as_of = parse_range(search, context.today()).end
    rows = [
        [
            f"{cohort.month:%Y-%m}",
            cohort.size,
            cell.months_since,
            cell.customers,
            round(cell.retention, 4),
            cell.incomplete,
        ]
        for cohort in cohort_retention(db.session, as_of, int(months or 12))
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
        State("cohorts-months", "value"),
        State("url", "search"),
        prevent_initial_call=True,
    )(export_cohorts)
