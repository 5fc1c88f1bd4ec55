"""The products page's tables and export rows: pure functions of the engine's rows."""

from __future__ import annotations

from collections.abc import Callable

from dash import html

from app.analytics.baskets import MIN_FIRST_BUYERS, MIN_PAIR_ORDERS, FirstProduct, Pair
from app.analytics.products import Figures, ProductRow, category_rows
from app.dash_apps.components import kpi_card, table
from app.dash_apps.ranges import PageRange
from app.formatting import cost_known_note, format_count, format_money, format_share, to_major

MOVERS = 5
RETURNS_MIN_ORDERS = 5  # a product sold fewer times has no return rate worth ranking
SHOWN = 10


def muted(text: str) -> html.P:
    return html.P(text, className="text-muted")


def _money_or_dash(amount: int, known: bool, currency: str) -> str:
    return format_money(amount, currency) if known else "—"


def grid_row(row: ProductRow, currency: str, compare: bool) -> dict:
    f = row.figures
    known = f.costed_sales != 0
    change = ""
    if compare:
        change = format_money(row.change, currency)
        if row.previous_net_sales > 0:
            change += f" ({row.change / row.previous_net_sales:+.0%})"
        elif row.change:
            change += " (new)"
    return {
        "name": row.name,
        "category": row.category,
        "net_sales": format_money(f.net_sales, currency),
        "units": format_count(f.units),
        "gross_profit": _money_or_dash(f.gross_profit, known, currency),
        "margin": format_share(f.margin),
        "cost_known": format_share(f.cost_known_share),
        "return_rate": format_share(f.return_rate),
        "change": change,
        "sku": row.sku or "",
    }


def category_table(rows: list[ProductRow], currency: str):
    body = [
        [
            c.category,
            format_count(c.products),
            format_money(c.figures.net_sales, currency),
            format_count(c.figures.units),
            _money_or_dash(c.figures.gross_profit, c.figures.costed_sales != 0, currency),
            format_share(c.figures.margin),
            format_share(c.figures.cost_known_share),
        ]
        for c in category_rows(rows)
    ]
    columns = ("Category", "Products", "Net sales", "Units", "Gross profit", "Margin", "Cost known")
    return table("products-categories-table", columns, body, [False] + [True] * 6)


def movers_table(rows: list[ProductRow], currency: str, chosen: PageRange):
    if chosen.so_far:
        return html.P(
            "Movers compare whole days: pick a range of complete days.", className="text-muted"
        )
    rises = sorted((r for r in rows if r.change > 0), key=lambda r: -r.change)[:MOVERS]
    falls = sorted((r for r in rows if r.change < 0), key=lambda r: r.change)[:MOVERS]
    if not rises and not falls:
        return html.P("No product's net sales changed.", className="text-muted")
    body = [
        [
            ("▲ " if r.change > 0 else "▼ ") + r.name,
            format_money(r.figures.net_sales, currency),
            format_money(r.previous_net_sales, currency),
            format_money(r.change, currency),
        ]
        for r in (*rises, *falls)
    ]
    return html.Div(
        [
            html.P(f"Net sales {chosen.compared_with}.", className="small text-muted"),
            table(
                "products-movers-table",
                ("Product", "Net sales", "Compared period", "Change"),
                body,
                [False, True, True, True],
            ),
        ]
    )


def returns_table(rows: list[ProductRow], currency: str):
    ranked = sorted(
        (r for r in rows if r.figures.orders >= RETURNS_MIN_ORDERS and r.figures.returns > 0),
        key=lambda r: (r.figures.return_rate or 0, r.figures.returns),
        reverse=True,
    )[:SHOWN]
    if not ranked:
        return html.P(
            "No returns of products sold that often in this range.", className="text-muted"
        )
    body = [
        [
            r.name,
            r.category,
            format_money(r.figures.gross - r.figures.discounts, currency),
            format_money(r.figures.returns, currency),
            format_count(r.figures.returned_units),
            format_share(r.figures.return_rate),
        ]
        for r in ranked
    ]
    return table(
        "products-returns-table",
        ("Product", "Category", "Sold", "Returned", "Units back", "Return rate"),
        body,
        [False, False, True, True, True, True],
    )


def pairs_table(pairs: list[Pair]):
    if not pairs:
        return muted(f"No two products were bought together in {MIN_PAIR_ORDERS} or more orders.")
    body = [
        [
            p.product_a,
            p.product_b,
            format_count(p.orders),
            f"{p.support:.1%}",
            f"{p.confidence_a_to_b:.0%}",
            f"{p.confidence_b_to_a:.0%}",
            f"{p.lift:.2f}",
        ]
        for p in pairs
    ]
    return html.Div(
        [
            html.P(
                "Support: share of orders with lines holding both; A → B: share of orders"
                " with A that hold B; lift above 1: bought together more than chance.",
                className="small text-muted",
            ),
            table(
                "products-pairs-table",
                ("Product A", "Product B", "Orders", "Support", "A → B", "B → A", "Lift"),
                body,
                [False, False, True, True, True, True, True],
            ),
        ]
    )


def first_products_table(firsts: list[FirstProduct]):
    if not firsts:
        return muted(
            f"No product was the first purchase of {MIN_FIRST_BUYERS} or more new customers"
            " in this range."
        )
    body = [
        [f.product, format_count(f.customers), format_count(f.repeaters), f"{f.repeat_rate:.0%}"]
        for f in firsts[:SHOWN]
    ]
    return table(
        "products-first-table",
        ("First product", "New customers", "Came back", "Repeat rate"),
        body,
        [False, True, True, True],
    )


def major_units(amount: int | None, currency: str) -> str | None:
    return None if amount is None else str(to_major(amount, currency))


def ratio_cell(value: float | None) -> float | str:
    return "" if value is None else round(value, 4)


def figure_columns(f: Figures, currency: str) -> list:
    known = f.costed_sales != 0
    return [
        major_units(f.net_sales, currency),
        f.units,
        major_units(f.gross_profit if known else None, currency),
        ratio_cell(f.margin),
        ratio_cell(f.cost_known_share),
        major_units(f.returns, currency),
        ratio_cell(f.return_rate),
    ]


def export_rows(which: str, rows: list[ProductRow], currency: str) -> tuple[list, list]:
    """The columns and rows of the products (in the order given) or categories download."""
    figures_names = [
        f"net_sales_{currency}",
        "units",
        f"gross_profit_{currency}",
        "margin",
        "cost_known_share",
        f"returns_{currency}",
        "return_rate",
        f"previous_net_sales_{currency}",
        f"change_{currency}",
    ]
    if which == "products":
        return ["product_id", "name", "sku", "category", *figures_names], [
            [
                r.external_id,
                r.name,
                r.sku or "",
                r.category,
                *figure_columns(r.figures, currency),
                major_units(r.previous_net_sales, currency),
                major_units(r.change, currency),
            ]
            for r in rows
        ]
    return ["category", "products", *figures_names], [
        [
            c.category,
            c.products,
            *figure_columns(c.figures, currency),
            major_units(c.previous_net_sales, currency),
            major_units(c.figures.net_sales - c.previous_net_sales, currency),
        ]
        for c in category_rows(rows)
    ]


def gross_profit_cards(
    prefix: str, now: Figures, currency: str, versus: Callable[[str], dict]
) -> list:
    """Gross profit with the share of net sales its cost covers, and the margin of those
    sales; `versus(name)` gives each card its comparison."""
    known = now.costed_sales != 0
    return [
        kpi_card(
            f"{prefix}-gross-profit",
            "Gross profit",
            format_money(now.gross_profit, currency) if known else "— (no cost known)",
            **versus("gross_profit"),
            note=cost_known_note(now.cost_known_share),
        ),
        kpi_card(
            f"{prefix}-margin",
            "Gross margin",
            format_share(now.margin),
            **versus("margin"),
            note="of the sales whose cost is known",
        ),
    ]
