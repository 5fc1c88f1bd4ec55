"""The catalog: products created or updated, and their dated unit costs.

A cost is in force from its `effective_from` until the product's next dated cost. A line's
cost is frozen at its sale, so a new cost never changes a line that had one; lines sold
while the cost was unknown take the new cost when it covers their sale, and their days are
marked stale so profit follows. Each product row is locked first, so a cost change and a
batch of orders naming the product run one after the other (app/pipeline/lines.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.analytics.sql import dialect_insert
from app.models import Order, OrderLine, Product, ProductCost, Refund, RefundLine
from app.models.catalog import UNCATEGORISED
from app.pipeline.errors import IngestConflict
from app.pipeline.stale import Keys, mark
from app.timeutil import utc_now

PRODUCTS, COSTS, LINES = Product.__table__, ProductCost.__table__, OrderLine.__table__
ORDERS, REFUNDS, REFUND_LINES = Order.__table__, Refund.__table__, RefundLine.__table__
DESCRIBED = ("name", "sku", "category")


@dataclass
class CatalogResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    lines_costed: int = 0


def save_products(session: Session, records: list[dict]) -> CatalogResult:
    """Create or update each product and record its dated costs, in id order."""
    result = CatalogResult()
    ids, created = claim_products(
        session, {record["product_id"]: record for record in records}, for_update=True
    )
    now = utc_now()
    for record in sorted(records, key=lambda r: r["product_id"]):
        external_id = record["product_id"]
        described = _describe(session, ids[external_id], record)
        costs = _costs_of(record, now)
        new_costs = [
            cost for cost in costs if _record_cost(session, ids[external_id], external_id, *cost)
        ]
        for moment, cost in new_costs:
            result.lines_costed += _cost_unknown_lines(session, ids[external_id], moment, cost)
        if new_costs:
            _set_current_cost(session, ids[external_id], now)
        bucket = (
            result.created
            if external_id in created
            else result.updated
            if described or new_costs
            else result.unchanged
        )
        bucket.append(external_id)
    return result


def claim_products(
    session: Session, described: dict[str, dict], *, for_update: bool
) -> tuple[dict[str, int], set[str]]:
    """Product ids by the shop's product id, creating the unknown ones from their `name`,
    `sku` and `category`; returns the ids and the ids created. On PostgreSQL the rows stay
    locked until commit, in id order: for update by a cost change, shared by a batch of
    lines, so a cost change and a batch naming the product run one after the other."""
    if not described:
        return {}, set()
    wanted = sorted(described)
    created = set(
        session.execute(
            dialect_insert(session, PRODUCTS)
            .on_conflict_do_nothing(index_elements=["external_id"])
            .returning(PRODUCTS.c.external_id),
            [
                {
                    "external_id": external_id,
                    "name": described[external_id].get("name") or external_id,
                    "sku": described[external_id].get("sku"),
                    "category": described[external_id].get("category") or UNCATEGORISED,
                    "unit_cost": None,
                }
                for external_id in wanted
            ],
        ).scalars()
    )
    query = sa.select(PRODUCTS.c.external_id, PRODUCTS.c.id).where(
        PRODUCTS.c.external_id.in_(wanted)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=not for_update)
    return dict(session.execute(query.order_by(PRODUCTS.c.id)).all()), created


def _describe(session: Session, product_id: int, record: dict) -> bool:
    """Update the name, SKU and category where the record changes them."""
    row = session.execute(
        sa.select(*(PRODUCTS.c[name] for name in DESCRIBED)).where(PRODUCTS.c.id == product_id)
    ).one()
    wanted = {
        "name": record["name"],
        "sku": record.get("sku") if record.get("sku") is not None else row.sku,
        "category": record.get("category") or row.category,
    }
    changed = {name: value for name, value in wanted.items() if getattr(row, name) != value}
    if changed:
        session.execute(
            PRODUCTS.update()
            .where(PRODUCTS.c.id == product_id)
            .values(**changed, updated_at=utc_now())
        )
    return bool(changed)


def _costs_of(record: dict, now: datetime) -> list[tuple[datetime, int]]:
    if record.get("costs"):
        return sorted((cost["effective_from"], cost["unit_cost"]) for cost in record["costs"])
    if record.get("unit_cost") is not None:
        return [(record.get("cost_from") or now, record["unit_cost"])]
    return []


def _record_cost(
    session: Session, product_id: int, external_id: str, moment: datetime, cost: int
) -> bool:
    """Store a dated cost; the same again is no change, another cost at that moment a
    conflict (a cost in force is history: correct it with a new dated cost)."""
    existing = session.scalar(
        sa.select(COSTS.c.unit_cost).where(
            COSTS.c.product_id == product_id, COSTS.c.effective_from == moment
        )
    )
    if existing is not None:
        if existing != cost:
            raise IngestConflict(
                {external_id: f"a cost of {existing} is already in force from {moment}"}
            )
        return False
    session.execute(
        COSTS.insert().values(product_id=product_id, unit_cost=cost, effective_from=moment)
    )
    return True


def _cost_unknown_lines(session: Session, product_id: int, moment: datetime, cost: int) -> int:
    """Lines of the product sold without a known cost while this cost is in force take it;
    their sale days and return days are marked stale."""
    later = sa.select(sa.func.min(COSTS.c.effective_from)).where(
        COSTS.c.product_id == product_id, COSTS.c.effective_from > moment
    )
    until = session.scalar(later)
    sold = ORDERS.c.placed_at >= moment
    if until is not None:
        sold = sa.and_(sold, ORDERS.c.placed_at < until)
    lines = session.execute(
        sa.select(LINES.c.id, ORDERS.c.business_date)
        .join(ORDERS, ORDERS.c.id == LINES.c.order_id)
        .where(LINES.c.product_id == product_id, LINES.c.unit_cost.is_(None), sold)
    ).all()
    if not lines:
        return 0
    ids = [line_id for line_id, _ in lines]
    days = {day for _, day in lines}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        session.execute(LINES.update().where(LINES.c.id.in_(chunk)).values(unit_cost=cost))
        days.update(
            session.scalars(
                sa.select(REFUNDS.c.business_date)
                .join(REFUND_LINES, REFUND_LINES.c.refund_id == REFUNDS.c.id)
                .where(REFUND_LINES.c.order_line_id.in_(chunk))
            )
        )
    mark(session, Keys(days=days))
    return len(ids)


def _set_current_cost(session: Session, product_id: int, now: datetime) -> None:
    """The product's cost in force now: its latest dated cost that has begun."""
    current = (
        sa.select(COSTS.c.unit_cost)
        .where(COSTS.c.product_id == product_id, COSTS.c.effective_from <= now)
        .order_by(COSTS.c.effective_from.desc())
        .limit(1)
        .scalar_subquery()
    )
    session.execute(
        PRODUCTS.update()
        .where(PRODUCTS.c.id == product_id)
        .values(unit_cost=current, updated_at=now)
    )
