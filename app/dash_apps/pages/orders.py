"""Drill-down: the orders behind a figure (a day, a channel, a KPI), paged, sorted, exportable,
all kept in the URL; and each customer's profile."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, dcc, html

from app.analytics.customer_reports import mask_email, mask_name
from app.analytics.drilldown import OrderLine, customer_profile, orders_behind
from app.analytics.periods import DateRange
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
from app.formatting import format_count, format_money, to_major
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
ALL_TIME = DateRange(date(1900, 1, 1), date(2999, 12, 31))


def _page(params: dict[str, str]) -> int:
    value = params.get("page", "1")
    return int(value) if value.isdigit() and 0 < int(value) <= 100_000 else 1


def _channel(params: dict[str, str]) -> str | None:
    channel = params.get("channel")
    return channel if channel in CHANNEL_LABELS else None


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
    channel, page = _channel(params), _page(params)
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
            f"{line.placed_at.astimezone(zone):%Y-%m-%d %H:%M}",
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
    pages = max(1, -(-total // 50))

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
    params = url_state.query(search)
    chosen = page_range(search, context.today())
    channel = _channel(params)
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
            f"{line.placed_at.astimezone(zone):%Y-%m-%d %H:%M}",
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


def customer_layout(customer_id: str) -> html.Div:
    """A customer's profile: who, their figures, and every order."""
    profile = customer_profile(db.session, int(customer_id), context.today())
    if profile is None:
        return html.Div(
            [
                html.H1("Customer not found", className="h3"),
                html.P(f"No customer has the id {customer_id}.", className="text-muted"),
                dcc.Link("All customers", href="/analytics/customers/"),
            ],
            id="customer-not-found",
        )
    currency, zone, personal = context.currency(), context.zone(), context.can("manager")
    m = profile.metrics
    name = profile.name if personal else mask_name(profile.name)
    email = profile.email if personal else mask_email(profile.email)

    def figure(element_id: str, label: str, value: str):
        return kpi_card(element_id, label, value, compare=False)

    def maybe(value, shown):
        return "—" if value is None else shown(value)

    kpis = dbc.Row(
        [
            figure(
                "customer-ltv",
                "Lifetime value",
                format_money(m.lifetime_value if m else 0, currency),
            ),
            figure("customer-orders", "Orders", format_count(m.orders_count if m else 0)),
            figure(
                "customer-aov", "Average order value", format_money(m.aov if m else 0, currency)
            ),
            figure("customer-refunds", "Refunded", format_money(profile.refunds, currency)),
            figure("customer-segment", "Segment", (m.segment if m and m.segment else "—")),
            figure(
                "customer-p-alive", "P(alive)", maybe(m.p_alive if m else None, "{:.0%}".format)
            ),
            figure(
                "customer-clv",
                "Predicted 12-month value",
                maybe(m.clv_12m if m else None, lambda v: format_money(v, currency)),
            ),
            figure(
                "customer-next-order",
                "Next order expected",
                profile.expected_next_order.isoformat() if profile.expected_next_order else "—",
            ),
        ]
    )
    orders = orders_behind(db.session, ALL_TIME, customer_id=profile.id, page_size=200)
    rows = [
        [
            line.external_id,
            f"{line.placed_at.astimezone(zone):%Y-%m-%d %H:%M}",
            line.status.title(),
            CHANNEL_LABELS.get(line.channel, line.channel),
            format_money(line.sales, currency),
            format_money(line.refunded, currency) if line.refunded else "",
        ]
        for line in orders.lines
    ]
    came_by = CHANNEL_LABELS.get(profile.acquisition_channel, profile.acquisition_channel)
    first = m.first_order_date.isoformat() if m and m.first_order_date else "—"
    last = m.last_order_date.isoformat() if m and m.last_order_date else "—"
    return html.Div(
        [
            page_header(
                "customer",
                f"Customer {profile.external_id}" + (f" · {name}" if name else ""),
                f"{email or 'no email'} · came by {came_by}"
                f" · first order {first} · last order {last}. Figures as of today.",
            ),
            kpis,
            html.P(
                f"Next order: {profile.next_order_basis}." if profile.next_order_basis else "",
                className="small text-muted",
                id="customer-next-basis",
            ),
            card(
                f"Counted orders ({format_count(orders.total)}, newest first)",
                table(
                    "customer-orders-list",
                    ("Order", "Placed (shop time)", "Status", "Channel", "Sales", "Refunded"),
                    rows,
                    [False, False, False, False, True, True],
                )
                if rows
                else html.P("No counted orders.", className="text-muted"),
            ),
            definitions("customer", ("Lifetime value", "Segments", "P(alive) and CLV")),
        ],
        id="customer-page",
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
