"""Products: sales, profit and returns by product and category, movers, what sells together.

Read from the refresher's per-day product tables; only "first product → repeat" reads lines.
"""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, html

from app.analytics.baskets import first_product_repeat, product_pairs
from app.analytics.products import (
    Figures,
    daily_totals,
    has_product_figures,
    product_rows,
    sort_rows,
    summed,
)
from app.dash_apps import context, figures, url_state
from app.dash_apps.components import (
    button_radio,
    card,
    compared,
    definitions,
    empty_state,
    export_buttons,
    graph,
    kpi_card,
    page_header,
)
from app.dash_apps.exports import download, requested_format
from app.dash_apps.grains import GRAINS, grain_control, grain_of
from app.dash_apps.product_tables import (
    RETURNS_MIN_ORDERS,
    category_table,
    export_rows,
    first_products_table,
    grid_row,
    gross_profit_cards,
    movers_table,
    muted,
    pairs_table,
    returns_table,
)
from app.dash_apps.ranges import PageRange, page_range
from app.extensions import db
from app.formatting import format_count, format_money, format_share

TERMS = (
    "Net sales by product",
    "Cost of goods",
    "Gross profit",
    "Margin",
    "Cost-known share",
    "Return rate",
    "Support, confidence and lift",
    "First product → repeat rate",
)
SORTS = {"net_sales": "Net sales", "units": "Units", "gross_profit": "Profit", "margin": "Margin"}
GRID_ROWS = 500
HIDDEN = {"display": "none"}
GRID_COLUMNS = [
    {"field": "name", "headerName": "Product", "pinned": "left", "minWidth": 180},
    {"field": "category", "headerName": "Category"},
    {"field": "net_sales", "headerName": "Net sales", "type": "rightAligned"},
    {"field": "units", "headerName": "Units", "type": "rightAligned"},
    {"field": "gross_profit", "headerName": "Gross profit", "type": "rightAligned"},
    {"field": "margin", "headerName": "Margin", "type": "rightAligned"},
    {"field": "cost_known", "headerName": "Cost known", "type": "rightAligned"},
    {"field": "return_rate", "headerName": "Return rate", "type": "rightAligned"},
    {"field": "change", "headerName": "Change in net sales", "type": "rightAligned"},
    {"field": "sku", "headerName": "SKU"},
]


def layout() -> html.Div:
    return html.Div(
        [
            page_header(
                "products",
                "Products",
                "Sales, profit and returns by product and category, and what sells together.",
            ),
            html.Div(id="products-empty"),
            dbc.Row(id="products-kpis"),
            html.Div(body(), id="products-body", style=HIDDEN),
            definitions("products", TERMS),
        ],
        id="products-page",
    )


def body() -> list:
    """Everything under the KPIs, shown once the shop has orders with lines."""
    return [
        card(
            [
                "Top products ",
                button_radio(
                    "products-sort", SORTS, "net_sales", compact=True, extra_class="flex-wrap"
                ),
                export_buttons("products", "products"),
            ],
            dag.AgGrid(
                id="products-grid",
                columnDefs=GRID_COLUMNS,
                rowData=[],
                # Sorted on the server by the buttons above (an unknown margin sorts last).
                defaultColDef={"sortable": False, "resizable": True, "minWidth": 90},
                dashGridOptions={"rowHeight": 34, "suppressCellFocus": True},
                style={"height": "420px"},
                columnSize="autoSize",
            ),
        ),
        dbc.Row(
            [
                dbc.Col(
                    card(
                        ["Top categories", export_buttons("products", "categories")],
                        html.Div(id="products-categories"),
                    ),
                    lg=6,
                ),
                dbc.Col(
                    card(
                        ["Net sales and gross profit", grain_control("products-grain")],
                        html.Div(id="products-trend-box"),
                    ),
                    lg=6,
                ),
            ]
        ),
        dbc.Row(
            [
                dbc.Col(card("Movers in net sales", html.Div(id="products-movers")), lg=6),
                dbc.Col(
                    card(
                        f"Highest return rates (products in {RETURNS_MIN_ORDERS}+ orders)",
                        html.Div(id="products-returns"),
                    ),
                    lg=6,
                ),
            ]
        ),
        dbc.Row(
            [
                dbc.Col(card("Bought together", html.Div(id="products-pairs")), lg=7),
                dbc.Col(
                    card(
                        "First product bought → repeat rate of new customers",
                        html.Div(id="products-first"),
                    ),
                    lg=5,
                ),
            ]
        ),
    ]


def kpi_cards(now: Figures, before: Figures, currency: str, chosen: PageRange) -> list:
    """Net sales, units, gross profit (with its cost-known share), margin, returns."""
    compare = not chosen.so_far  # per-day figures cannot be cut at the same hour

    def versus(name: str) -> dict:
        return {
            **compared(getattr(now, name), getattr(before, name), chosen.versus, compare),
            "xl": True,
        }

    return [
        kpi_card(
            "products-net-sales",
            "Net sales",
            format_money(now.net_sales, currency),
            **versus("net_sales"),
        ),
        kpi_card("products-units", "Units sold", format_count(now.units), **versus("units")),
        *gross_profit_cards("products", now, currency, versus),
        kpi_card(
            "products-returns-total",
            "Returns",
            format_money(now.returns, currency),
            **versus("returns"),
            higher_is_better=False,
            note=f"return rate {format_share(now.return_rate)}",
        ),
    ]


def update_products(search: str | None):
    """Everything read from the per-day tables: KPIs, grid, categories, trend, movers, returns."""
    chosen = page_range(search, context.today())
    days, currency = chosen.days, context.currency()
    if not has_product_figures(db.session):
        empty = empty_state(
            "products-empty-state",
            "Products appear here once orders arrive with their lines (the products and"
            " quantities each order holds), through the API or an import of a lines file.",
        )
        # Nothing under the KPIs either: no zeros that look like figures, no empty chart.
        return empty, HIDDEN, [], [], None, None, None, None
    rows = product_rows(db.session, days, chosen.before)
    current = [r for r in rows if r.figures.units or r.figures.returns]
    # `rows` holds every product sold in either range: its previous figures are the total.
    now, before = summed(current), summed(rows, previous=True)
    empty = None
    if not current:
        empty = empty_state(
            "products-empty-state",
            f"No sales with lines between {days.start} and {days.end}.",
        )
    sort = url_state.value_in(search, "sort", "net_sales", SORTS)
    grid = [grid_row(r, currency, not chosen.so_far) for r in sort_rows(current, sort)[:GRID_ROWS]]
    trend = graph("products-trend")
    trend.figure = figures.product_trend(
        daily_totals(db.session, days), days, currency, grain_of(search)
    )
    return (
        empty,
        {},
        kpi_cards(now, before, currency, chosen) if current else [],
        grid,
        category_table(current, currency),
        trend,
        movers_table(rows, currency, chosen),
        returns_table(current, currency),
    )


def update_baskets(search: str | None):
    """Pairs bought together (per-day pair counts) and first product → repeat (lines)."""
    if not has_product_figures(db.session):
        return muted("No orders with lines yet."), muted("No orders with lines yet.")
    days = page_range(search, context.today()).days
    return (
        pairs_table(product_pairs(db.session, days)),
        first_products_table(first_product_repeat(db.session, days)),
    )


def export_table(which: str, search: str | None, fmt: str) -> dict:
    """The products or categories of the range, every figure a number (profit blank where no
    cost is known, never zero)."""
    chosen = page_range(search, context.today())
    currency = context.currency()
    rows = [
        r
        for r in product_rows(db.session, chosen.days, chosen.before)
        if r.figures.units or r.figures.returns
    ]
    sort = url_state.value_in(search, "sort", "net_sales", SORTS)
    columns, table_rows = export_rows(which, sort_rows(rows, sort), currency)
    return download(
        f"product-{which}" if which == "categories" else "products",
        fmt,
        columns,
        table_rows,
        covers=chosen.days,
        currency=currency,
    )


def _exporter(which: str):
    def export(_csv, _xlsx, search: str | None):
        return export_table(which, search, requested_format(f"products-{which}-xlsx"))

    return export


def register(app: Dash) -> None:
    url_state.bind(app, "products-sort", "sort", "net_sales", SORTS)
    url_state.bind(app, "products-grain", "group", "day", GRAINS)
    app.callback(
        Output("products-empty", "children"),
        Output("products-body", "style"),
        Output("products-kpis", "children"),
        Output("products-grid", "rowData"),
        Output("products-categories", "children"),
        Output("products-trend-box", "children"),
        Output("products-movers", "children"),
        Output("products-returns", "children"),
        Input("url", "search"),
    )(update_products)
    app.callback(
        Output("products-pairs", "children"),
        Output("products-first", "children"),
        Input("url", "search"),
    )(update_baskets)
    for which in ("products", "categories"):
        app.callback(
            Output(f"products-{which}-download", "data"),
            Input(f"products-{which}-csv", "n_clicks"),
            Input(f"products-{which}-xlsx", "n_clicks"),
            State("url", "search"),
            prevent_initial_call=True,
        )(_exporter(which))
