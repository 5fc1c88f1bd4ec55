"""Line items: what each order contained, and what each refund gave back.

Lines arrive with their order (API) or later for an order that has none yet (API resend,
`flask import lines`); either way they must add up to the order's subtotal. A line's
`discount` is stored as its whole share of the order's discount: what the client sent for
the line, plus the rest of the order's discount spread over the lines by `spread`. Its
`unit_cost` is frozen at the sale: sent, else the product's cost in force at `placed_at`,
else unknown (None) until a dated cost covering the sale arrives (app/pipeline/products.py).

Refunds at line level: app/pipeline/refund_lines.py.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Order, OrderLine, Product, ProductCost, Refund, RefundLine
from app.pipeline.allocation import spread
from app.pipeline.errors import IngestConflict, LinesRefused
from app.pipeline.products import claim_products
from app.pipeline.refund_lines import book_refund_lines
from app.pipeline.stale import Keys, mark, mark_orders

LINES, PRODUCTS, COSTS = OrderLine.__table__, Product.__table__, ProductCost.__table__
ORDERS = Order.__table__
REFUNDS, REFUND_LINES = Refund.__table__, RefundLine.__table__
# What makes two submissions of an order's lines "the same lines".
COMPARED = ("product", "quantity", "unit_price", "discount")


@dataclass(frozen=True)
class OrderTotals:
    id: int
    external_id: str
    placed_at: datetime
    subtotal: int
    discount: int


def lines_mismatch(lines: Sequence[dict], subtotal: int, discount: int) -> str | None:
    """Why the lines cannot belong to an order with this subtotal and discount, or None."""
    gross = sum(line["quantity"] * line["unit_price"] for line in lines)
    if gross != subtotal:
        return (
            f"the lines add up to {gross} but the subtotal is {subtotal} "
            f"(a difference of {gross - subtotal}); quantity × unit_price of every line "
            "must sum to the subtotal"
        )
    sent = sum(line.get("discount") or 0 for line in lines)
    if sent > discount:
        return f"the lines' discounts add up to {sent}, more than the order's discount {discount}"
    return None


def ensure_products(session: Session, lines: Iterable[dict]) -> dict[str, int]:
    """Product ids of the lines' products, creating unknown ones from the line's name and
    category, share-locked: a cost change of one of them waits for this batch, and this
    batch reads the costs that change committed."""
    described: dict[str, dict] = {}
    for line in lines:
        described.setdefault(line["product_id"], {**line, "sku": None})
    return claim_products(session, described, for_update=False)[0]


def order_totals(session: Session, external_ids) -> dict[str, OrderTotals]:
    """The orders (by the shop's id) with what their lines must add up to."""
    rows = session.execute(
        sa.select(
            ORDERS.c.id,
            ORDERS.c.external_id,
            ORDERS.c.placed_at,
            ORDERS.c.subtotal,
            ORDERS.c.discount,
        ).where(ORDERS.c.external_id.in_(external_ids))
    )
    return {row.external_id: OrderTotals(*row) for row in rows}


def _costs(session: Session, product_ids: Iterable[int]) -> dict[int, tuple[list, list]]:
    """Each product's dated costs, as (effective_from list, unit_cost list) in date order."""
    found: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    rows = session.execute(
        sa.select(COSTS.c.product_id, COSTS.c.effective_from, COSTS.c.unit_cost)
        .where(COSTS.c.product_id.in_(set(product_ids)))
        .order_by(COSTS.c.product_id, COSTS.c.effective_from)
    )
    for product_id, moment, cost in rows:
        found[product_id][0].append(moment)
        found[product_id][1].append(cost)
    return found


def cost_at(costs: tuple[list, list] | None, moment: datetime) -> int | None:
    if not costs:
        return None
    index = bisect.bisect_right(costs[0], moment) - 1
    return costs[1][index] if index >= 0 else None


def _stored_lines(session: Session, order_ids: Iterable[int]) -> dict[int, list[dict]]:
    stored: dict[int, list[dict]] = defaultdict(list)
    rows = session.execute(
        sa.select(
            LINES.c.order_id,
            PRODUCTS.c.external_id.label("product"),
            LINES.c.quantity,
            LINES.c.unit_price,
            LINES.c.discount,
        )
        .join(PRODUCTS, PRODUCTS.c.id == LINES.c.product_id)
        .where(LINES.c.order_id.in_(set(order_ids)))
        .order_by(LINES.c.order_id, LINES.c.line_number)
    )
    for row in rows:
        stored[row.order_id].append(dict(row._mapping))
    return stored


def _allocated(order: OrderTotals, lines: Sequence[dict]) -> list[int]:
    """Each line's whole discount: its own, plus its share of the order's remaining discount
    spread by the line's value after its own discount."""
    own = [line.get("discount") or 0 for line in lines]
    values = [
        line["quantity"] * line["unit_price"] - mine for line, mine in zip(lines, own, strict=True)
    ]
    extra = spread(order.discount - sum(own), values)
    return [mine + more for mine, more in zip(own, extra, strict=True)]


def attach_lines(
    session: Session, orders: Sequence[OrderTotals], lines: dict[str, list[dict]]
) -> tuple[list[str], list[str]]:
    """Store the lines of orders that have none; the same lines again change nothing.

    Returns the external ids of the orders that got lines and of those already holding the
    same lines. Lines that do not add up raise LinesRefused; different lines than the
    stored ones raise IngestConflict.
    """
    refused = {
        order.external_id: reason
        for order in orders
        if (reason := lines_mismatch(lines[order.external_id], order.subtotal, order.discount))
    }
    if refused:
        raise LinesRefused(refused)
    _lock_orders(session, [order.id for order in orders])
    stored = _stored_lines(session, [order.id for order in orders])
    products = ensure_products(session, (x for o in orders for x in lines[o.external_id]))
    costs = _costs(session, products.values())
    rows, attached, unchanged, conflicts = [], [], [], {}
    for order in sorted(orders, key=lambda o: o.id):
        sent = lines[order.external_id]
        discounts = _allocated(order, sent)
        if order.id not in stored:
            attached.append(order.external_id)
            rows += _line_rows(order, sent, discounts, products, costs)
        elif _same_lines(sent, discounts, stored[order.id]):
            unchanged.append(order.external_id)
        else:
            conflicts[order.external_id] = "already has different lines"
    if conflicts:
        raise IngestConflict(conflicts)
    if rows:
        session.execute(sa.insert(LINES), rows)
        got = [order.id for order in orders if order.external_id in set(attached)]
        _spread_earlier_refunds(session, got)
        mark_orders(session, got)
    return attached, unchanged


def _lock_orders(session: Session, order_ids: list[int]) -> None:
    """The orders' rows, locked as a refund locks its order (app/pipeline/orders.py): a refund
    booked while lines arrive is then either spread over them here or sees them itself."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sa.select(ORDERS.c.id)
            .where(ORDERS.c.id.in_(order_ids))
            .order_by(ORDERS.c.id)
            .with_for_update(key_share=True)
        ).all()


def _same_lines(sent: list[dict], discounts: list[int], stored: list[dict]) -> bool:
    wanted = [
        (line["product_id"], line["quantity"], line["unit_price"], discount)
        for line, discount in zip(sent, discounts, strict=True)
    ]
    return wanted == [tuple(row[name] for name in COMPARED) for row in stored]


def _line_rows(
    order: OrderTotals, sent: list[dict], discounts: list[int], products: dict, costs: dict
) -> list[dict]:
    rows = []
    for number, (line, discount) in enumerate(zip(sent, discounts, strict=True), start=1):
        product_id = products[line["product_id"]]
        unit_cost = line.get("unit_cost")
        if unit_cost is None:
            unit_cost = cost_at(costs.get(product_id), order.placed_at)
        rows.append(
            {
                "order_id": order.id,
                "line_number": number,
                "product_id": product_id,
                "quantity": line["quantity"],
                "unit_price": line["unit_price"],
                "discount": discount,
                "unit_cost": unit_cost,
            }
        )
    return rows


def _spread_earlier_refunds(session: Session, order_ids: list[int]) -> None:
    """Refunds booked before the order had lines are spread over the new lines, oldest first."""
    refunds = session.execute(
        sa.select(REFUNDS.c.id, REFUNDS.c.order_id, REFUNDS.c.amount, REFUNDS.c.business_date)
        .where(REFUNDS.c.order_id.in_(order_ids))
        .order_by(REFUNDS.c.order_id, REFUNDS.c.id)
    ).all()
    for refund in refunds:
        book_refund_lines(session, refund.order_id, refund.id, refund.amount, None)
    if refunds:
        mark(session, Keys(days={refund.business_date for refund in refunds}))
