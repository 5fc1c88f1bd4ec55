"""Dashboard: the KPIs of the period against the one before, trend, customers, payments."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html, no_update

from app.analytics.dashboard import (
    KpiComparison,
    campaigns_running,
    customer_split,
    daily_series,
    dashboard_kpis,
    kpis_so_far,
    payment_methods,
    segment_summary,
)
from app.analytics.insights import first_of_month, month_outlooks
from app.analytics.products import has_product_figures, product_totals
from app.dash_apps import context, figures, url_state
from app.dash_apps.components import (
    card,
    compared,
    definitions,
    empty_state,
    export_buttons,
    graph,
    kpi_card,
    page_header,
    table,
)
from app.dash_apps.exports import download, requested_format
from app.dash_apps.grains import GRAINS, bucket_end, grain_control, grain_of
from app.dash_apps.outlook import month_card_body
from app.dash_apps.product_tables import gross_profit_cards
from app.dash_apps.ranges import FIRST_DAY, LAST_DAY, PageRange, page_range
from app.dash_apps.unusual_days import mark_unusual_days
from app.extensions import db
from app.formatting import format_count, format_money, to_major
from app.timeutil import day_bounds_utc, utc_now

TERMS = (
    "Net revenue",
    "Counted orders",
    "AOV",
    "Customers",
    "New customers",
    "Conversion rate",
    "Discounts",
    "Refunds",
    "Segments",
)
SEGMENT_COLUMNS = (
    "Segment",
    "Customers",
    "Share of customers",
    "Lifetime revenue",
    "Share of revenue",
)


def layout() -> html.Div:
    return html.Div(
        [
            page_header(
                "dashboard",
                "Dashboard",
                "The shop's key figures for the period, against the period before.",
            ),
            html.Div(id="dashboard-empty"),
            dbc.Row(id="dashboard-kpis"),
            html.P(
                [
                    dcc.Link(
                        "See the orders behind these figures →",
                        href="/analytics/orders/",
                        id="dashboard-orders-link",
                    ),
                    html.Span(
                        " · click a day on the trend for that day's orders",
                        className="text-muted",
                    ),
                ],
                className="small",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        card(
                            ["Net revenue", grain_control("dashboard-grain")],
                            graph("dashboard-trend"),
                        ),
                        lg=8,
                    ),
                    dbc.Col(card("Payment methods", graph("dashboard-payments")), lg=4),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(
                        card("New and returning customers", graph("dashboard-customers")), lg=8
                    ),
                    dbc.Col(
                        [
                            card(
                                "This month and its targets",
                                html.Div(id="dashboard-forecast"),
                                element_id="dashboard-forecast-card",
                            ),
                            card("Campaigns", html.Div(id="dashboard-campaigns")),
                        ],
                        lg=4,
                    ),
                ]
            ),
            card(
                [
                    "Customer segments",
                    html.Small(
                        " as of today, over each customer's whole history (not the range)",
                        className="text-muted",
                    ),
                    export_buttons("dashboard", "segments"),
                ],
                html.Div(id="dashboard-segments"),
            ),
            definitions("dashboard", TERMS),
        ],
        id="dashboard-page",
    )


def kpi_cards(comparison: KpiComparison, currency: str, versus: str) -> list:
    now, before = comparison.current, comparison.previous

    def change(name: str) -> dict:
        return {
            "change": comparison.change(name),
            "before": getattr(before, name),
            "versus": versus,
        }

    return [
        kpi_card(
            "dashboard-net-revenue",
            "Net revenue",
            format_money(now.net_revenue, currency),
            **change("net_revenue"),
        ),
        kpi_card("dashboard-orders", "Orders", format_count(now.orders), **change("orders")),
        kpi_card(
            "dashboard-aov", "Average order value", format_money(now.aov, currency), **change("aov")
        ),
        kpi_card(
            "dashboard-customers-count",
            "Customers",
            format_count(now.customers),
            **change("customers"),
        ),
        kpi_card(
            "dashboard-new-customers",
            "New customers",
            format_count(now.new_customers),
            **change("new_customers"),
        ),
        kpi_card(
            "dashboard-conversion",
            "Conversion rate",
            f"{now.conversion_rate:.2%}" if now.sessions else "— (no visits tracked)",
            **change("conversion_rate"),
        ),
        kpi_card(
            "dashboard-discounts",
            "Discounts",
            format_money(now.discounts, currency),
            **change("discounts"),
            higher_is_better=False,
        ),
        kpi_card(
            "dashboard-refunds",
            "Refunds",
            format_money(now.refunds, currency),
            **change("refunds"),
            higher_is_better=False,
        ),
    ]


def profit_cards(chosen: PageRange, currency: str) -> list:
    """Gross profit (with the share of net sales whose cost is known) and margin, from the
    per-day product figures; explained instead when no order has come with its lines."""
    if not has_product_figures(db.session):
        return [
            dbc.Col(
                html.P(
                    "Gross profit and margin appear here once orders arrive with their lines"
                    " (products, quantities and costs).",
                    className="small text-muted",
                    id="dashboard-profit-missing",
                ),
                xs=12,
            )
        ]
    now, before = product_totals(db.session, chosen.days), product_totals(db.session, chosen.before)

    def change(name: str) -> dict:
        # Per-day figures cannot be cut at the same hour of an earlier day.
        return compared(getattr(now, name), getattr(before, name), chosen.versus, not chosen.so_far)

    return gross_profit_cards("dashboard", now, currency, change)


def segment_rows(currency: str, *, formatted: bool) -> list[list]:
    money = (
        (lambda v: format_money(v, currency))
        if formatted
        else (lambda v: str(to_major(v, currency)))
    )
    share = (
        (lambda v: "" if v is None else f"{v:.1%}")
        if formatted
        else (lambda v: "" if v is None else round(v, 4))
    )
    return [
        [
            dcc.Link(
                row.segment,
                href=f"/analytics/customers/?{urlencode({'segment': row.segment})}",
                id=f"dashboard-segment-{row.segment.lower().replace(' ', '-')}",
            )
            if formatted
            else row.segment,
            row.customers,
            share(row.customer_share),
            money(row.revenue),
            share(row.revenue_share),
        ]
        for row in segment_summary(db.session)
    ]


def comparison_of(chosen: PageRange) -> KpiComparison:
    """Whole days against whole days; today so far against the same hours of the earlier day."""
    if not chosen.so_far:
        return dashboard_kpis(db.session, chosen.days, chosen.before)
    now = utc_now()
    today_starts, _ = day_bounds_utc(chosen.days.start, context.zone())
    before_starts, _ = day_bounds_utc(chosen.before.start, context.zone())
    elapsed = now - today_starts
    return KpiComparison(
        chosen.days,
        kpis_so_far(db.session, chosen.days.start, now),
        kpis_so_far(db.session, chosen.before.start, before_starts + elapsed),
    )


def update_dashboard(search: str | None):
    chosen = page_range(search, context.today())
    days = chosen.days
    currency = context.currency()
    comparison = comparison_of(chosen)
    series, before = daily_series(db.session, days), daily_series(db.session, chosen.before)
    methods = payment_methods(db.session, days)
    empty = None
    if comparison.current.orders == 0:
        empty = empty_state(
            "dashboard-empty-state", f"No counted orders between {days.start} and {days.end}."
        )
    running = campaigns_running(db.session, days)
    segments = segment_rows(currency, formatted=True)
    grain = grain_of(search)
    return (
        empty,
        kpi_cards(comparison, currency, chosen.versus) + profit_cards(chosen, currency),
        mark_unusual_days(figures.revenue_trend(series, before, currency, grain), days, grain),
        figures.payment_mix(methods, currency)
        if methods
        else figures.empty_figure("No payments in this period"),
        figures.new_vs_returning(customer_split(db.session, days)),
        [
            html.Div(format_count(running), id="dashboard-active-campaigns", className="fs-2"),
            html.Div("campaigns running in this period", className="text-muted"),
            html.A("All campaigns", href="/analytics/campaigns/"),
        ],
        table(
            "dashboard-segments-table", SEGMENT_COLUMNS, segments, [False, True, True, True, True]
        )
        if any(row[1] for row in segments)
        else empty_state(
            "dashboard-segments-empty",
            "Customers are sorted into segments every night from their orders;"
            " the first segments appear the morning after the first orders.",
        ),
        month_card_body(month_outlooks(db.session, first_of_month(context.today())), currency),
    )


def export_segments(_csv: int | None, _xlsx: int | None, search: str | None):
    fmt = requested_format("dashboard-segments-xlsx")
    currency = context.currency()
    columns = [
        "segment",
        "customers",
        "customer_share",
        f"lifetime_revenue_{currency}",
        "revenue_share",
    ]
    return download(
        "customer-segments",
        fmt,
        columns,
        segment_rows(currency, formatted=False),
        covers=context.today(),
        currency=currency,
    )


def orders_link(search: str | None) -> str:
    return "/analytics/orders/" + (search or "")


def open_day(click: dict | None, search: str | None):
    """A click on a point of the trend opens the orders of its day (or week, or month)."""
    try:
        day = date.fromisoformat(str(click["points"][0]["x"])[:10])
    except (TypeError, KeyError, IndexError, ValueError):
        return no_update
    if not FIRST_DAY <= day <= LAST_DAY:  # a crafted click: no page has such a day
        return no_update
    grain = grain_of(search)
    kept = {k: v for k, v in url_state.query(search).items() if k == "compare"}
    end = bucket_end(day, grain)
    return "/analytics/orders/?" + urlencode(
        {"start": day.isoformat(), "end": end.isoformat(), **kept}
    )


def register(app: Dash) -> None:
    app.callback(Output("dashboard-orders-link", "href"), Input("url", "search"))(orders_link)
    url_state.bind(app, "dashboard-grain", "group", "day", GRAINS)
    app.callback(
        Output("url", "href", allow_duplicate=True),
        Input("dashboard-trend", "clickData"),
        State("url", "search"),
        prevent_initial_call=True,
    )(open_day)
    app.callback(
        Output("dashboard-empty", "children"),
        Output("dashboard-kpis", "children"),
        Output("dashboard-trend", "figure"),
        Output("dashboard-payments", "figure"),
        Output("dashboard-customers", "figure"),
        Output("dashboard-campaigns", "children"),
        Output("dashboard-segments", "children"),
        Output("dashboard-forecast", "children"),
        Input("url", "search"),
    )(update_dashboard)
    app.callback(
        Output("dashboard-segments-download", "data"),
        Input("dashboard-segments-csv", "n_clicks"),
        Input("dashboard-segments-xlsx", "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )(export_segments)
