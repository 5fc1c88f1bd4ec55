"""Customers: segments, lifetime value, predicted value, top and at-risk customers, loyalty."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html

from app.analytics.clv import latest_model
from app.analytics.customer_reports import (
    alive_matrix,
    customer_list,
    loyalty_figures,
    ltv_distribution,
    referral_figures,
    shown_person,
)
from app.analytics.customers import ALIVE_BANDS
from app.analytics.dashboard import kpis as kpis_of
from app.analytics.dashboard import segment_summary
from app.dash_apps import context, figures, url_state
from app.dash_apps.components import (
    card,
    definitions,
    empty_state,
    export_buttons,
    graph,
    kpi_card,
    page_header,
)
from app.dash_apps.exports import download, requested_format
from app.dash_apps.ranges import describe, page_range
from app.extensions import db
from app.formatting import format_count, format_money, to_major
from app.models.enums import SEGMENTS

TERMS = ("Lifetime value", "RFM scores", "Segments", "Churn risk", "P(alive) and CLV")
PAGE_SIZE = 50
MAX_ROWS_PER_CALL = 200
EXPORT_LIMIT = 10_000
# The most useful columns first (on a phone the first two or three are what shows), each
# sized to its content; the grid scrolls sideways rather than cutting every column short.
GRID_COLUMNS = [
    {
        "field": "customer_id",
        "headerName": "Customer",
        "sortable": False,
        "pinned": "left",
        "cellRenderer": "markdown",
        "minWidth": 120,
    },
    {"field": "lifetime_value", "headerName": "Lifetime value", "type": "rightAligned"},
    {"field": "segment", "headerName": "Segment"},
    {"field": "orders_count", "headerName": "Orders", "type": "rightAligned"},
    {"field": "recency_days", "headerName": "Days since order", "type": "rightAligned"},
    {"field": "churn_risk", "headerName": "Churn risk", "type": "rightAligned"},
    {"field": "p_alive", "headerName": "P(alive)", "type": "rightAligned"},
    {"field": "clv_12m", "headerName": "12-month CLV", "type": "rightAligned"},
    {"field": "value_at_risk", "headerName": "Value at risk", "type": "rightAligned"},
    {"field": "aov", "headerName": "AOV", "type": "rightAligned"},
    {"field": "name", "headerName": "Name"},
    {"field": "email", "headerName": "Email", "sortable": False},
    {"field": "vip_tier", "headerName": "Tier", "sortable": False},
]
LISTS = {
    "top": "Top customers",
    "at-risk": "At-risk customers (churn risk ≥ 50%, repeat buyers)",
    "value-at-risk": "Value at risk: predicted 12-month value × (1 − P(alive)), largest first",
}


def customer_grid(kind: str) -> dag.AgGrid:
    return dag.AgGrid(
        id=f"customers-{kind}-grid",
        columnDefs=GRID_COLUMNS,
        rowModelType="infinite",
        defaultColDef={"sortable": True, "resizable": True, "minWidth": 90},
        dashGridOptions={"cacheBlockSize": PAGE_SIZE, "maxBlocksInCache": 4, "rowHeight": 34},
        style={"height": "420px"},
        columnSize="autoSize",
    )


def layout() -> html.Div:
    lists = [
        card([LISTS[kind], export_buttons("customers", kind)], customer_grid(kind))
        for kind in LISTS
    ]
    return html.Div(
        [
            page_header("customers", "Customers", "Who buys, how often, and what they are worth."),
            html.Div(id="customers-empty"),
            dbc.Row(id="customers-kpis"),
            dbc.Row(
                [
                    dbc.Col(
                        card(
                            "Segments: share of customers and of lifetime revenue",
                            graph("customers-segments"),
                        ),
                        lg=7,
                    ),
                    dbc.Col(card("Lifetime value distribution", graph("customers-ltv")), lg=5),
                ]
            ),
            card("Predicted value", html.Div(id="customers-model")),
            dbc.Row(
                [
                    dbc.Col(
                        card("Segments by P(alive): customers", graph("customers-alive-matrix")),
                        lg=7,
                    ),
                    dbc.Col(
                        card(
                            "Calibration check: repeat purchases after the calibration end",
                            graph("customers-calibration"),
                        ),
                        lg=5,
                    ),
                ]
            ),
            *lists,
            dbc.Row(
                [
                    dbc.Col(card("Loyalty programme", html.Div(id="customers-loyalty")), lg=6),
                    dbc.Col(card("Referrals", html.Div(id="customers-referrals")), lg=6),
                ]
            ),
            definitions("customers", TERMS),
        ],
        id="customers-page",
    )


def update_customers(_pathname: str | None, search: str | None = ""):
    currency = context.currency()
    days = page_range(search, context.today()).days
    in_range = kpis_of(db.session, days)
    segments = segment_summary(db.session)
    loyalty, referrals = loyalty_figures(db.session), referral_figures(db.session)
    scored = sum(row.customers for row in segments)
    empty = (
        None
        if scored
        else empty_state(
            "customers-empty-state",
            "No customers with orders yet: each customer is scored every night from their orders.",
        )
    )
    segment = segment_of(search)
    if scored and segment:
        empty = dbc.Alert(
            [
                f"The customer lists below show only the segment {segment}. ",
                dcc.Link("Show every segment", href="/analytics/customers/"),
            ],
            color="info",
            id="customers-segment-filter",
            className="py-2",
        )
    kpis = [
        kpi_card(
            "customers-bought-in-range",
            f"Bought in {describe(days)}",
            format_count(in_range.customers),
            compare=False,
        ),
        kpi_card(
            "customers-new-in-range",
            "of them buying for the first time",
            format_count(in_range.new_customers),
            compare=False,
        ),
        dbc.Col(
            html.P(
                "The range sets the two figures above. Everything else on this page is as of"
                " today, over each customer's whole history.",
                className="small text-muted",
                id="customers-as-of-today",
            ),
            xs=12,
        ),
        kpi_card("customers-scored", "Customers with orders", format_count(scored), compare=False),
        kpi_card(
            "customers-loyalty-members",
            "Loyalty members",
            format_count(loyalty.members),
            compare=False,
        ),
        kpi_card(
            "customers-referrals-count",
            "Referrals",
            format_count(referrals.referrals),
            compare=False,
        ),
        kpi_card(
            "customers-referred-revenue",
            "Revenue from referred customers",
            format_money(referrals.referred_revenue, currency),
            compare=False,
        ),
    ]
    loyalty_body = [
        html.P(
            f"Points issued {loyalty.points_issued:,} · redeemed {loyalty.points_redeemed:,}"
            f" · outstanding {loyalty.points_outstanding:,}",
            id="customers-loyalty-points",
        ),
        html.Ul(
            [
                html.Li(f"{tier.title()}: {count:,} members")
                for tier, count in loyalty.members_per_tier.items()
            ],
            id="customers-loyalty-tiers",
        ),
    ]
    referral_body = html.P(
        f"{referrals.referrals:,} customers were referred by {referrals.referrers:,} others; "
        f"{referrals.referred_buyers:,} of them have bought, worth "
        f"{format_money(referrals.referred_revenue, currency)} to date.",
        id="customers-referral-summary",
    )
    return (
        empty,
        kpis,
        figures.segment_bars(segments, currency),
        figures.ltv_histogram(ltv_distribution(db.session), currency),
        loyalty_body,
        referral_body,
        *prediction_outputs(currency),
    )


def prediction_outputs(currency: str) -> tuple:
    """The model's status, the segment × P(alive) matrix and the calibration chart."""
    model = latest_model(db.session)
    if model is None:
        attempt = latest_model(db.session, fitted_only=False)
        reason = (
            attempt.message if attempt is not None else "the nightly job has not fitted one yet"
        )
        status = dbc.Alert(
            f"No predictive model yet ({reason}). Churn risk is rule-based; P(alive), CLV and "
            "value at risk appear once a model is fitted.",
            color="secondary",
            id="customers-model-missing",
        )
        empty = figures.empty_figure("No predictive model yet")
        return status, empty, empty
    matrix = alive_matrix(db.session)
    at_risk = sum(value for _n, value in matrix.values())
    status = html.P(
        [
            f"BG/NBD + Gamma-Gamma fitted {model.fitted_at:%Y-%m-%d} on {model.customers:,} "
            f"customers ({model.repeat_customers:,} with repeat purchases) up to "
            f"{model.calibration_end:%Y-%m-%d}. Churn risk = 1 − P(alive). Total value at risk: ",
            html.Strong(format_money(at_risk, currency), id="customers-value-at-risk-total"),
            ".",
        ],
        id="customers-model-status",
    )
    calibration = (
        figures.calibration_chart(model.calibration)
        if model.calibration
        else figures.empty_figure("No orders after the calibration end to check against")
    )
    bands = [label for label, _low, _high in ALIVE_BANDS]
    return status, figures.alive_matrix_heatmap(matrix, SEGMENTS, bands), calibration


def _present(row: dict, currency: str, personal_data: bool) -> dict:
    shown = shown_person(row, personal_data)
    return {
        **shown,
        # A link to the profile (AG Grid's markdown renderer; the id is escaped for markdown).
        "customer_id": f"[{_markdown_text(shown['customer_id'])}]"
        f"(/analytics/customers/{int(row['profile_id'])}/)",
        "lifetime_value": format_money(row["lifetime_value"], currency),
        "aov": format_money(row["aov"], currency),
        "churn_risk": "" if row["churn_risk"] is None else f"{row['churn_risk']:.0%}",
        "p_alive": "" if row["p_alive"] is None else f"{row['p_alive']:.0%}",
        "clv_12m": "" if row["clv_12m"] is None else format_money(row["clv_12m"], currency),
        "value_at_risk": ""
        if row["value_at_risk"] is None
        else format_money(row["value_at_risk"], currency),
        "last_order_at": None,
    }


def _markdown_text(text: str) -> str:
    return "".join(f"\\{c}" if c in "\\`*_{}[]()#+-.!<>|~" else c for c in str(text))


def serve_rows(request: dict | None, kind: str, segment: str | None = None) -> dict:
    """Server-side paging and sorting for the infinite grids; personal data masked below
    manager."""
    request = request or {}
    start, limit = row_window(request)
    sort = (request.get("sortModel") or [{}])[0]
    rows, total = customer_list(
        db.session,
        kind.replace("-", "_"),
        offset=start,
        limit=limit,
        sort=sort.get("colId"),
        descending=sort.get("sort", "desc") == "desc",
        segment=segment,
        today=context.today(),
    )
    currency, personal_data = context.currency(), context.can("manager")
    return {"rowData": [_present(row, currency, personal_data) for row in rows], "rowCount": total}


def row_window(request: dict) -> tuple[int, int]:
    """(offset, limit) of a grid's row request: never negative, never past MAX_ROWS_PER_CALL,
    whatever a crafted request says (SQLite reads LIMIT -1 as no limit at all)."""
    try:
        start = int(request.get("startRow", 0))
        end = int(request.get("endRow", PAGE_SIZE))
    except (TypeError, ValueError):
        start, end = 0, PAGE_SIZE
    start = min(max(start, 0), 10**9)
    return start, min(max(end - start, 0), MAX_ROWS_PER_CALL)


def _export_row(row: dict, currency: str) -> list:
    def major(amount: int | None) -> str | None:
        return None if amount is None else str(to_major(amount, currency))

    return [
        row["customer_id"],
        row["name"],
        row["email"],
        row["segment"],
        row["orders_count"],
        major(row["lifetime_value"]),
        major(row["aov"]),
        row["recency_days"],
        row["churn_risk"],
        row["p_alive"],
        major(row["clv_12m"]),
        major(row["value_at_risk"]),
        row["vip_tier"],
    ]


def export_list(kind: str, fmt: str) -> dict:
    rows, _ = customer_list(
        db.session, kind.replace("-", "_"), offset=0, limit=EXPORT_LIMIT, today=context.today()
    )
    currency, personal_data = context.currency(), context.can("manager")
    columns = [
        "customer_id",
        "name",
        "email",
        "segment",
        "orders",
        f"lifetime_value_{currency}",
        f"aov_{currency}",
        "days_since_order",
        "churn_risk",
        "p_alive",
        f"clv_12m_{currency}",
        f"value_at_risk_{currency}",
        "tier",
    ]
    table = [_export_row(shown_person(row, personal_data), currency) for row in rows]
    return download(
        f"{kind}-customers", fmt, columns, table, covers=context.today(), currency=currency
    )


def _exporter(kind: str):
    def export(_csv, _xlsx):
        return export_list(kind, requested_format(f"customers-{kind}-xlsx"))

    return export


def _server(kind: str):
    def serve(request, search=None):
        return serve_rows(request, kind, segment_of(search))

    return serve


def segment_of(search: str | None) -> str | None:
    """`?segment=` from a click on a segment elsewhere: the lists show only that segment."""
    return url_state.value_in(search, "segment", "", SEGMENTS) or None


def register(app: Dash) -> None:
    app.callback(
        Output("customers-empty", "children"),
        Output("customers-kpis", "children"),
        Output("customers-segments", "figure"),
        Output("customers-ltv", "figure"),
        Output("customers-loyalty", "children"),
        Output("customers-referrals", "children"),
        Output("customers-model", "children"),
        Output("customers-alive-matrix", "figure"),
        Output("customers-calibration", "figure"),
        Input("url", "pathname"),
        Input("url", "search"),
    )(update_customers)
    for kind in LISTS:
        app.callback(
            Output(f"customers-{kind}-grid", "getRowsResponse"),
            Input(f"customers-{kind}-grid", "getRowsRequest"),
            State("url", "search"),
        )(_server(kind))
        app.callback(
            Output(f"customers-{kind}-download", "data"),
            Input(f"customers-{kind}-csv", "n_clicks"),
            Input(f"customers-{kind}-xlsx", "n_clicks"),
            prevent_initial_call=True,
        )(_exporter(kind))
