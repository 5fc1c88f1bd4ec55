"""Sales and profit by product and category, read from the refresher's per-day tables.

Gross profit is counted only where a line's cost is known: `costed_sales` − `cost_of_goods`,
and every profit figure travels with `cost_known_share`, the share of net sales it covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.periods import DateRange, month_of, month_start
from app.analytics.product_figures import FIGURES
from app.analytics.sql import counted
from app.models import Order, OrderLine, Product, ProductDaily, ProductMonthly, RefundLine

DAILY, PRODUCTS = ProductDaily.__table__, Product.__table__
MONTHLY = ProductMonthly.__table__
SUMMED = (*FIGURES, "net_sales")
SORTS = ("net_sales", "units", "gross_profit", "margin", "returns", "change")


@dataclass(frozen=True)
class Figures:
    """Summed product figures with the ratios a person reads."""

    orders: int = 0
    units: int = 0
    gross: int = 0
    discounts: int = 0
    returned_units: int = 0
    returns: int = 0
    net_sales: int = 0
    cost_of_goods: int = 0
    costed_sales: int = 0

    @property
    def gross_profit(self) -> int:
        """Profit on the sales whose cost is known."""
        return self.costed_sales - self.cost_of_goods

    @property
    def margin(self) -> float | None:
        return self.gross_profit / self.costed_sales if self.costed_sales > 0 else None

    @property
    def cost_known_share(self) -> float | None:
        return self.costed_sales / self.net_sales if self.net_sales > 0 else None

    @property
    def return_rate(self) -> float | None:
        """Returns as a share of sales after discounts (by value: refunds may name no units)."""
        sold = self.gross - self.discounts
        return self.returns / sold if sold > 0 else None


@dataclass(frozen=True)
class ProductRow:
    product_id: int
    external_id: str
    name: str
    sku: str | None
    category: str
    unit_cost: int | None
    figures: Figures
    previous: Figures  # the same product's figures over the range compared with

    @property
    def previous_net_sales(self) -> int:
        return self.previous.net_sales

    @property
    def change(self) -> int:
        return self.figures.net_sales - self.previous_net_sales


def _sums(days: DateRange, *group_by: str) -> sa.Select:
    """The range's figures summed (by the named columns of product_daily): whole calendar
    months from product_monthly, the days before and after them from product_daily."""
    if "business_date" in group_by:
        parts = [_rows(DAILY, DAILY.c.business_date.between(days.start, days.end), group_by)]
    else:
        first, last = _whole_months(days)
        parts = [
            _rows(DAILY, DAILY.c.business_date.between(edge.start, edge.end), group_by)
            for edge in _edges(days, first, last)
        ]
        if first <= last:
            parts.append(_rows(MONTHLY, MONTHLY.c.month.between(first, last), group_by))
    rows = sa.union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    return sa.select(
        *(rows.c[name] for name in group_by),
        *(sa.func.sum(rows.c[name]).label(name) for name in SUMMED),
    ).group_by(*(rows.c[name] for name in group_by))


def _rows(table: sa.Table, where, group_by: tuple[str, ...]) -> sa.Select:
    return sa.select(*(table.c[name] for name in (*group_by, *SUMMED))).where(where)


def _whole_months(days: DateRange) -> tuple[int, int]:
    """The first and last calendar month lying wholly inside the range (first > last: none)."""
    first = month_of(days.start) + (days.start.day != 1)
    after = days.end + timedelta(days=1)
    last = month_of(days.end) - (after.day != 1)
    return first, last


def _edges(days: DateRange, first: int, last: int) -> list[DateRange]:
    """The days of the range outside its whole months."""
    if first > last:
        return [days]
    edges = []
    if days.start < month_start(first):
        edges.append(DateRange(days.start, month_start(first) - timedelta(days=1)))
    if days.end >= month_start(last + 1):
        edges.append(DateRange(month_start(last + 1), days.end))
    return edges


def _figures(row) -> Figures:
    return Figures(**{name: int(getattr(row, name) or 0) for name in SUMMED})


def product_totals(session: Session, days: DateRange) -> Figures:
    """Every product's figures of the range together (the dashboard's profit card)."""
    return _figures(session.execute(_sums(days)).one())


def product_rows(
    session: Session, days: DateRange, previous: DateRange | None = None
) -> list[ProductRow]:
    """Each product with sales or returns in the range or in `previous`, with its figures
    in both (one read each: `summed(rows, previous=True)` is the previous range's total)."""
    current = {row.product_id: row for row in session.execute(_sums(days, "product_id"))}
    before = {}
    if previous is not None:
        before = {row.product_id: row for row in session.execute(_sums(previous, "product_id"))}
    wanted = set(current) | set(before)
    if not wanted:
        return []
    described = session.execute(
        sa.select(
            PRODUCTS.c.id,
            PRODUCTS.c.external_id,
            PRODUCTS.c.name,
            PRODUCTS.c.sku,
            PRODUCTS.c.category,
            PRODUCTS.c.unit_cost,
        ).where(PRODUCTS.c.id.in_(wanted))
    )
    return [
        ProductRow(
            *product,
            figures=_figures(current[product.id]) if product.id in current else Figures(),
            previous=_figures(before[product.id]) if product.id in before else Figures(),
        )
        for product in described
    ]


def sort_rows(rows: list[ProductRow], by: str) -> list[ProductRow]:
    """Largest first; a margin that cannot be known sorts last."""

    def key(row: ProductRow):
        if by == "change":
            return row.change
        if by in ("gross_profit", "margin"):
            value = getattr(row.figures, by)
            return value if value is not None and row.figures.costed_sales else float("-inf")
        return getattr(row.figures, by)

    return sorted(rows, key=lambda row: (key(row), row.external_id), reverse=True)


def summed(rows: list[ProductRow], *, previous: bool = False) -> Figures:
    """The rows' figures together (with `previous`, over the range compared with):
    `product_totals` of the same range, without reading again."""
    chosen = [row.previous if previous else row.figures for row in rows]
    return Figures(**{name: sum(getattr(f, name) for f in chosen) for name in SUMMED})


@dataclass(frozen=True)
class CategoryRow:
    category: str
    products: int
    figures: Figures
    previous_net_sales: int


def category_rows(rows: list[ProductRow]) -> list[CategoryRow]:
    """The product rows summed by category, largest net sales first."""
    grouped: dict[str, list[ProductRow]] = {}
    for row in rows:
        grouped.setdefault(row.category, []).append(row)
    categories = [
        CategoryRow(
            category=name,
            products=sum(1 for r in members if r.figures.units or r.figures.returns),
            figures=Figures(**{n: sum(getattr(r.figures, n) for r in members) for n in SUMMED}),
            previous_net_sales=sum(r.previous_net_sales for r in members),
        )
        for name, members in grouped.items()
    ]
    return sorted(categories, key=lambda c: (c.figures.net_sales, c.category), reverse=True)


@dataclass(frozen=True)
class ProductDay:
    business_date: date
    figures: Figures


def product_days(session: Session, product_id: int, days: DateRange) -> list[ProductDay]:
    """One product's figures for each day of the range that has any."""
    rows = session.execute(
        sa.select(DAILY.c.business_date, *(DAILY.c[name] for name in SUMMED))
        .where(
            DAILY.c.product_id == product_id,
            DAILY.c.business_date.between(days.start, days.end),
        )
        .order_by(DAILY.c.business_date)
    )
    return [ProductDay(row.business_date, _figures(row)) for row in rows]


def daily_totals(session: Session, days: DateRange) -> list[ProductDay]:
    """Every product's figures of each day of the range together (days without any: none)."""
    query = _sums(days, "business_date")
    rows = session.execute(query.order_by(query.selected_columns.business_date))
    return [ProductDay(row.business_date, _figures(row)) for row in rows]


def has_product_figures(session: Session) -> bool:
    """Whether any order with lines has ever been counted (else product figures mean nothing)."""
    return session.scalar(sa.select(DAILY.c.product_id).limit(1)) is not None


@dataclass(frozen=True)
class CustomerProduct:
    product_id: int
    name: str
    category: str
    units: int
    spend: int  # after discounts, less what was refunded against the lines
    last_bought: date


def customer_products(session: Session, customer_id: int, limit: int = 10) -> list[CustomerProduct]:
    """What one customer bought over their counted orders, most spent first (their lines only)."""
    lines, orders = OrderLine.__table__, Order.__table__
    returned = (
        sa.select(
            RefundLine.__table__.c.order_line_id,
            sa.func.sum(RefundLine.__table__.c.amount).label("amount"),
        )
        .join(lines, lines.c.id == RefundLine.__table__.c.order_line_id)
        .join(orders, orders.c.id == lines.c.order_id)
        .where(orders.c.customer_id == customer_id)
        .group_by(RefundLine.__table__.c.order_line_id)
        .subquery()
    )
    spend = sa.func.sum(
        lines.c.quantity * lines.c.unit_price
        - lines.c.discount
        - sa.func.coalesce(returned.c.amount, 0)
    ).label("spend")
    rows = session.execute(
        sa.select(
            PRODUCTS.c.id,
            PRODUCTS.c.name,
            PRODUCTS.c.category,
            sa.func.sum(lines.c.quantity),
            spend,
            sa.func.max(orders.c.business_date),
        )
        .select_from(
            orders.join(lines, lines.c.order_id == orders.c.id)
            .join(PRODUCTS, PRODUCTS.c.id == lines.c.product_id)
            .outerjoin(returned, returned.c.order_line_id == lines.c.id)
        )
        .where(orders.c.customer_id == customer_id, counted(orders.c.status))
        .group_by(PRODUCTS.c.id, PRODUCTS.c.name, PRODUCTS.c.category)
        .order_by(spend.desc(), PRODUCTS.c.name)
        .limit(limit)
    )
    return [
        CustomerProduct(product_id, name, category, int(units), int(total), _as_date(last))
        for product_id, name, category, units, total, last in rows
    ]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
