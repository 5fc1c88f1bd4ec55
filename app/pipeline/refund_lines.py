"""What a refund gave back of each line of its order.

A refund that names its lines (by line_number, or by product_id when the product is on one
line) must add up to the refund and stay within what is left of each line. One that names
none is spread over the order's lines by `spread`, in proportion to what is left to refund of
each line (net of its discount and earlier refunds): money back, no units.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import OrderLine, Product, RefundLine
from app.pipeline.allocation import spread

LINES, PRODUCTS, REFUND_LINES = OrderLine.__table__, Product.__table__, RefundLine.__table__


@dataclass
class LineState:
    id: int
    line_number: int
    product: str
    quantity: int
    net: int  # quantity × unit_price − discount
    returned_units: int
    refunded: int


def line_states(session: Session, order_id: int) -> list[LineState]:
    """The order's lines with what has come back of each so far."""
    returned = (
        sa.select(
            REFUND_LINES.c.order_line_id,
            sa.func.sum(REFUND_LINES.c.quantity).label("units"),
            sa.func.sum(REFUND_LINES.c.amount).label("amount"),
        )
        .group_by(REFUND_LINES.c.order_line_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            LINES.c.id,
            LINES.c.line_number,
            PRODUCTS.c.external_id,
            LINES.c.quantity,
            LINES.c.quantity * LINES.c.unit_price - LINES.c.discount,
            sa.func.coalesce(returned.c.units, 0),
            sa.func.coalesce(returned.c.amount, 0),
        )
        .join(PRODUCTS, PRODUCTS.c.id == LINES.c.product_id)
        .outerjoin(returned, returned.c.order_line_id == LINES.c.id)
        .where(LINES.c.order_id == order_id)
        .order_by(LINES.c.line_number)
    )
    # PostgreSQL sums to Decimal: whole numbers here, kept as int.
    return [
        LineState(line_id, number, product, quantity, int(net), int(units), int(refunded))
        for line_id, number, product, quantity, net, units, refunded in rows
    ]


class RefundLinesRefused(Exception):
    """A refund's lines cannot be true for its order (422 on `lines`)."""


class LineExhausted(RefundLinesRefused):
    """A named line has less left to return than asked: the order's state, not the request,
    is in the way (409, like a refund beyond the order's merchandise)."""


def book_refund_lines(
    session: Session, order_id: int, refund_id: int, amount: int, named: list[dict] | None
) -> int:
    """What the refund gave back of each line: the named lines, or else `amount` spread over
    the lines by what is left to refund of each. Returns the rows written (0: no lines)."""
    states = line_states(session, order_id)
    if not states:
        if named:
            raise RefundLinesRefused("the order has no lines to name")
        return 0
    if named:
        rows = _named_refund_lines(states, amount, named)
    else:
        left = [state.net - state.refunded for state in states]
        rows = [
            (state.id, 0, share)
            for state, share in zip(states, spread(amount, left), strict=True)
            if share
        ]
    session.execute(
        sa.insert(REFUND_LINES),
        [
            {"refund_id": refund_id, "order_line_id": line_id, "quantity": units, "amount": money}
            for line_id, units, money in rows
        ],
    )
    return len(rows)


def _named_refund_lines(
    states: list[LineState], amount: int, named: list[dict]
) -> list[tuple[int, int, int]]:
    rows: dict[int, tuple[int, int, int]] = {}
    for item in named:
        state = _named_line(item, states)
        if state.id in rows:
            raise RefundLinesRefused(f"line {state.line_number} is named twice")
        if item["quantity"] > state.quantity - state.returned_units:
            raise LineExhausted(
                f"line {state.line_number}: {item['quantity']} units back, but only "
                f"{state.quantity - state.returned_units} are left to return"
            )
        if item["amount"] > state.net - state.refunded:
            raise LineExhausted(
                f"line {state.line_number}: {item['amount']} back, but only "
                f"{state.net - state.refunded} is left to refund"
            )
        rows[state.id] = (state.id, item["quantity"], item["amount"])
    named_total = sum(money for _, _, money in rows.values())
    if named_total != amount:
        raise RefundLinesRefused(
            f"the lines add up to {named_total} but the refund is {amount} "
            f"(a difference of {named_total - amount})"
        )
    return list(rows.values())


def _named_line(item: dict, states: list[LineState]) -> LineState:
    """The line a refund names: by its number, or by a product that is on one line only."""
    if item.get("line_number") is not None:
        matches = [state for state in states if state.line_number == item["line_number"]]
        if not matches:
            raise RefundLinesRefused(f"the order has no line {item['line_number']}")
        return matches[0]
    matches = [state for state in states if state.product == item.get("product_id")]
    if len(matches) != 1:
        raise RefundLinesRefused(
            f"product {item.get('product_id')} is on {len(matches)} lines of the order; "
            "name the line by line_number"
        )
    return matches[0]


def same_refund_lines(
    session: Session, order_id: int, refund_id: int, named: list[dict] | None
) -> bool:
    """Whether a resent refund names the lines the stored one gave back (naming none: yes)."""
    if not named:
        return True
    states = line_states(session, order_id)
    numbers = {state.id: state.line_number for state in states}
    stored = {
        (numbers[line_id], units, money)
        for line_id, units, money in session.execute(
            sa.select(
                REFUND_LINES.c.order_line_id, REFUND_LINES.c.quantity, REFUND_LINES.c.amount
            ).where(REFUND_LINES.c.refund_id == refund_id)
        )
    }
    try:
        sent = {
            (_named_line(item, states).line_number, item["quantity"], item["amount"])
            for item in named
        }
    except RefundLinesRefused:
        return False
    return sent == stored
