"""product months: each product's calendar month, its product_daily rows summed

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-24 18:20:00

The products page over twelve months summed a year of product_daily twice (110,000 rows
each at the bench shop's 300 products). The refresher now keeps the months beside the
days; the upgrade fills them from the days stored.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

SUMMED = (
    "orders",
    "units",
    "gross",
    "discounts",
    "returned_units",
    "returns",
    "net_sales",
    "cost_of_goods",
    "costed_sales",
)


def upgrade():
    money = {"gross", "discounts", "returns", "net_sales", "cost_of_goods", "costed_sales"}
    op.create_table(
        "product_monthly",
        sa.Column("month", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        *(
            sa.Column(name, sa.BigInteger() if name in money else sa.Integer(), nullable=False)
            for name in SUMMED
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_monthly_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("month", "product_id", name=op.f("pk_product_monthly")),
    )
    if op.get_bind().dialect.name == "postgresql":
        month = (
            "(CAST(EXTRACT(YEAR FROM business_date) AS INTEGER) * 12"
            " + CAST(EXTRACT(MONTH FROM business_date) AS INTEGER) - 1)"
        )
    else:
        month = (
            "(CAST(strftime('%Y', business_date) AS INTEGER) * 12"
            " + CAST(strftime('%m', business_date) AS INTEGER) - 1)"
        )
    columns = ", ".join(SUMMED)
    sums = ", ".join(f"SUM({name})" for name in SUMMED)
    op.execute(
        f"INSERT INTO product_monthly (month, product_id, {columns})"
        f" SELECT {month}, product_id, {sums} FROM product_daily GROUP BY {month}, product_id"
    )


def downgrade():
    op.drop_table("product_monthly")
