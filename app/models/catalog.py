"""The shop's products and what each order and refund contained (line items)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, utc_now

UNCATEGORISED = "Uncategorised"


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (sa.CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    sku: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(100), default=UNCATEGORISED)
    # The cost in force now (the latest of its dated costs); None: not known.
    unit_cost: Mapped[int | None] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class ProductCost(Base):
    """A unit cost in force from `effective_from` until the product's next dated cost."""

    __tablename__ = "product_costs"
    __table_args__ = (
        sa.UniqueConstraint("product_id", "effective_from"),
        sa.CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"))
    unit_cost: Mapped[int] = mapped_column(Money)
    effective_from: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utc_now)


class OrderLine(Base):
    """One product of an order. `discount` is the line's whole share of the order's discount,
    so the lines' gross less their discounts is the order's subtotal less its discount.
    `unit_cost` is frozen at the sale: sent with the line, else the product's cost in force
    when the order was placed; None while not known."""

    __tablename__ = "order_lines"
    __table_args__ = (
        sa.UniqueConstraint("order_id", "line_number"),
        sa.Index("ix_order_lines_product_id", "product_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "unit_price >= 0 AND discount >= 0 AND discount <= quantity * unit_price",
            name="amounts_add_up",
        ),
        sa.CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"))
    line_number: Mapped[int]
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="RESTRICT"))
    quantity: Mapped[int]
    unit_price: Mapped[int] = mapped_column(Money)
    discount: Mapped[int] = mapped_column(Money, default=0)
    unit_cost: Mapped[int | None] = mapped_column(Money)


class RefundLine(Base):
    """What one refund gave back of one line: `quantity` units came back (0: money only)."""

    __tablename__ = "refund_lines"
    __table_args__ = (
        sa.UniqueConstraint("refund_id", "order_line_id"),
        sa.Index("ix_refund_lines_order_line_id", "order_line_id"),
        sa.CheckConstraint("quantity >= 0 AND amount >= 0", name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(sa.ForeignKey("refunds.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id", ondelete="CASCADE"))
    quantity: Mapped[int] = mapped_column(default=0)
    amount: Mapped[int] = mapped_column(Money)
