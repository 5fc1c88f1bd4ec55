"""Drill-down: the orders behind a figure (a day, a channel, a KPI), paged, sorted, exportable,
all kept in the URL."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html

from app.analytics.customer_reports import mask_name
from app.analytics.drilldown import PAGE_SIZE, OrderLine, orders_behind
from app.dash_apps import context, url_state
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
from app.dash_apps.ranges import describe, page_range
from app.extensions import db
from app.formatting import format_count, format_money, format_shop_time, to_major
from app.models.enums import CHANNEL_LABELS

COLUMNS = (
    "Order",
    "Placed (shop time)",
    "Status",
    "Channel",
    "Customer",
    "Sales",
    "Refunded (any day)",
)
EXPORT_LIMIT = 10_000
# `?sort=`: label, column, newest/largest first.
SORT_CHOICES = {
    "newest": ("Newest first", "placed", True),
    "oldest": ("Oldest first", "placed", False),
    "largest": ("Largest sale first", "sales", True),
    "smallest": ("Smallest sale first", "sales", False),
}


def _page(params: dict[str, str]) -> int:
    value = params.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) <= 100_000 else 1


def _channel(search: str | None) -> str | None:
    return url_state.value_in(search, "channel", "", CHANNEL_LABELS) or None


def layout() -> html.Div:
    return html.Div(
        [
            page_header(
                "orders",
                "Orders",
                "The orders behind the figures: counted orders placed in the range; refunds"
                " count on the day they are made.",
            ),
            html.Div(id="orders-summary"),
            card(
                [
                    "Orders",
                    dbc.Select(
                        id="orders-sort",
                        options=[
                            {"label": label, "value": key}
                            for key, (label, _, _) in SORT_CHOICES.items()
                        ],
                        value="newest",
                        size="sm",
                        className="d-inline-block w-auto ms-2",
                    ),
                    export_buttons("orders", "list"),
                ],
                [html.Div(id="orders-table"), html.Div(id="orders-pager", className="mt-2")],
            ),
            definitions("orders", ("Net revenue", "Counted orders")),
        ],
        id="orders-page",
    )


def _who(line: OrderLine, personal_data: bool) -> str:
    name = line.name if personal_data else mask_name(line.name)
    return f"{line.customer} · {name}" if name else (line.customer or "—")


def update_orders(search: str | None):
    params = url_state.query(search)
    chosen = page_range(search, context.today())
    channel, page = _channel(search), _page(params)
    sort, descending = SORT_CHOICES[url_state.value_in(search, "sort", "newest", SORT_CHOICES)][1:]
    result = orders_behind(
        db.session, chosen.days, channel=channel, page=page, sort=sort, descending=descending
    )
    currency, zone, personal = context.currency(), context.zone(), context.can("manager")
    where = f" in {CHANNEL_LABELS[channel]}" if channel else ""
    summary = dbc.Row(
        [
            kpi_card(
                "orders-count",
                f"Counted orders{where}, {describe(chosen.days)}",
                format_count(result.total),
                compare=False,
            ),
            kpi_card(
                "orders-sales",
                "Their sales (after discounts)",
                format_money(result.sales, currency),
                compare=False,
            ),
            kpi_card(
                "orders-refunds",
                f"Refunds made in the range ({format_count(result.refund_count)})",
                format_money(result.refunds, currency),
                compare=False,
            ),
            kpi_card(
                "orders-net-revenue",
                "Net revenue = sales − refunds",
                format_money(result.net_revenue, currency),
                compare=False,
            ),
        ]
    )
    if not result.total:
        return (
            summary,
            empty_state("orders-empty", f"No counted orders{where} in this range."),
            None,
        )
    rows = [
        [
            line.external_id,
            format_shop_time(line.placed_at, zone),
            line.status.title(),
            CHANNEL_LABELS.get(line.channel, line.channel),
            dcc.Link(_who(line, personal), href=f"/analytics/customers/{line.customer_id}/")
            if line.customer_id
            else "—",
            format_money(line.sales, currency),
            format_money(line.refunded, currency) if line.refunded else "",
        ]
        for line in result.lines
    ]
    return (
        summary,
        table("orders-list", COLUMNS, rows, [False, False, False, False, False, True, True]),
        pager(params, page, result.total),
    )


def pager(params: dict[str, str], page: int, total: int) -> html.Div:
    pages = max(1, -(-total // PAGE_SIZE))

    def link(label: str, number: int, element_id: str):
        href = "?" + urlencode({**params, "page": str(number)})
        return dcc.Link(
            label, href=href, id=element_id, className="btn btn-sm btn-outline-secondary"
        )

    parts = []
    if page > 1:
        parts.append(link("← Newer", page - 1, "orders-previous"))
    parts.append(html.Span(f" Page {page} of {pages} ", className="mx-2 small text-muted"))
    if page < pages:
        parts.append(link("Older →", page + 1, "orders-next"))
    return html.Div(parts, className="d-flex align-items-center")


def export_orders(_csv, _xlsx, search: str | None):
    chosen = page_range(search, context.today())
    channel = _channel(search)
    result = orders_behind(db.session, chosen.days, channel=channel, page=1, page_size=EXPORT_LIMIT)
    currency, zone, personal = context.currency(), context.zone(), context.can("manager")
    columns = [
        "order_id",
        "placed_shop_time",
        "business_date",
        "status",
        "channel",
        "customer_id",
        "customer_name",
        f"subtotal_{currency}",
        f"discount_{currency}",
        f"sales_{currency}",
        f"refunded_any_day_{currency}",
    ]
    rows = [
        [
            line.external_id,
            format_shop_time(line.placed_at, zone),
            line.business_date.isoformat(),
            line.status,
            CHANNEL_LABELS.get(line.channel, line.channel),
            line.customer,
            line.name if personal else mask_name(line.name),
            str(to_major(line.subtotal, currency)),
            str(to_major(line.discount, currency)),
            str(to_major(line.sales, currency)),
            str(to_major(line.refunded, currency)),
        ]
        for line in result.lines
    ]
    name = f"orders-{channel}" if channel else "orders"
    return download(
        name,
        requested_format("orders-list-xlsx"),
        columns,
        rows,
        covers=chosen.days,
        currency=currency,
    )


def register(app: Dash) -> None:
    url_state.bind(app, "orders-sort", "sort", "newest", SORT_CHOICES)
    app.callback(
        Output("orders-summary", "children"),
        Output("orders-table", "children"),
        Output("orders-pager", "children"),
        Input("url", "search"),
    )(update_orders)
    app.callback(
        Output("orders-list-download", "data"),
        Input("orders-list-csv", "n_clicks"),
        Input("orders-list-xlsx", "n_clicks"),
        State("url", "search"),
        prevent_initial_call=True,
    )(export_orders)
