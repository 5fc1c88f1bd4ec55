"""A customer's profile: who they are, their figures as of today, and every order."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from app.analytics.customer_reports import mask_email, mask_name
from app.analytics.drilldown import customer_profile, orders_behind
from app.analytics.periods import DateRange
from app.analytics.products import customer_products
from app.dash_apps import context
from app.dash_apps.components import card, definitions, kpi_card, page_header, table
from app.dash_apps.ranges import FIRST_DAY, LAST_DAY
from app.extensions import db
from app.formatting import format_count, format_money, format_shop_time
from app.models.enums import CHANNEL_LABELS

ALL_TIME = DateRange(FIRST_DAY, LAST_DAY)
TOP_PRODUCTS = 10


def products_card(customer_id: int, currency: str):
    """What the customer bought, most spent first (their own order lines only)."""
    bought = customer_products(db.session, customer_id, TOP_PRODUCTS)
    if not bought:
        body = html.P(
            "No products yet: their orders came without lines.",
            className="text-muted",
            id="customer-products-none",
        )
    else:
        body = table(
            "customer-products",
            ("Product", "Category", "Units", "Spend", "Last bought"),
            [
                [
                    p.name,
                    p.category,
                    format_count(p.units),
                    format_money(p.spend, currency),
                    p.last_bought.isoformat(),
                ]
                for p in bought
            ],
            [False, False, True, True, True],
        )
    return card(f"Products bought (top {TOP_PRODUCTS} by spend after discounts and refunds)", body)


def layout(customer_id: str) -> html.Div:
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
    m, predicted = profile.metrics, profile.prediction
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
                "customer-p-alive",
                "P(alive)",
                maybe(predicted.p_alive if predicted else None, "{:.0%}".format),
            ),
            figure(
                "customer-clv",
                "Predicted 12-month value",
                maybe(
                    predicted.clv_12m if predicted else None, lambda v: format_money(v, currency)
                ),
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
            format_shop_time(line.placed_at, zone),
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
            products_card(profile.id, currency),
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
