"""Pre-computed product figures per business day, written by the refresher only."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money


class ProductSums:
    """The figures of a product summed over a day (ProductDaily) or a month (ProductMonthly)."""

    orders: Mapped[int] = mapped_column(default=0)
    units: Mapped[int] = mapped_column(default=0)
    gross: Mapped[int] = mapped_column(Money, default=0)
    discounts: Mapped[int] = mapped_column(Money, default=0)
    returned_units: Mapped[int] = mapped_column(default=0)
    returns: Mapped[int] = mapped_column(Money, default=0)
    net_sales: Mapped[int] = mapped_column(Money, default=0)
    cost_of_goods: Mapped[int] = mapped_column(Money, default=0)
    costed_sales: Mapped[int] = mapped_column(Money, default=0)


class ProductDaily(ProductSums, Base):
    """One product's day: sales on the order's day, returns on the refund's day.

    net_sales = gross − discounts − returns. `cost_of_goods` counts only lines whose cost is
    known (less the cost of units that came back); `costed_sales` is the net sales of those
    same lines, so gross profit = costed_sales − cost_of_goods, never a silent zero cost.
    """

    __tablename__ = "product_daily"
    __table_args__ = (
        sa.Index("ix_product_daily_product_id_business_date", "product_id", "business_date"),
    )

    business_date: Mapped[date] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )


class ProductMonthly(ProductSums, Base):
    """A product's calendar month: its `product_daily` rows summed, kept with them by the
    refresher. A year of a product page reads 12 of these per product, not 365 days."""

    __tablename__ = "product_monthly"

    month: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # year×12+month−1
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )


class BasketDaily(Base):
    """The day's counted orders that carry lines, and how often each pair of products was
    bought in one of them: `pair_keys` holds the pairs as sorted 64-bit integers (the lower
    product id × 2³² + the higher) and `pair_orders` the orders of each, as 32-bit integers
    (app/analytics/baskets.py). A range's pairs are summed from these in numpy: a pair table
    row per day and pair made a year's pairs a GROUP BY of 730,000 rows (0.65 s)."""

    __tablename__ = "basket_daily"

    business_date: Mapped[date] = mapped_column(primary_key=True)
    orders: Mapped[int] = mapped_column(default=0)
    lines: Mapped[int] = mapped_column(default=0)
    units: Mapped[int] = mapped_column(default=0)
    pair_keys: Mapped[bytes] = mapped_column(sa.LargeBinary, default=b"")
    pair_orders: Mapped[bytes] = mapped_column(sa.LargeBinary, default=b"")
    # The products of new customers' first purchase day: sorted product id × 2³² + customer id.
    first_buyers: Mapped[bytes] = mapped_column(sa.LargeBinary, default=b"")
