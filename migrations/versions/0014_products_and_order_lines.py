"""products and order lines: the catalog with dated costs, order and refund lines, and the
per-day product and basket (with pair) figures the refresher keeps

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 13:46:14

Existing orders have no lines, so the new figure tables start empty and correct.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "basket_daily",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("pair_keys", sa.LargeBinary(), nullable=False),
        sa.Column("pair_orders", sa.LargeBinary(), nullable=False),
        sa.Column("first_buyers", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("business_date", name=op.f("pk_basket_daily")),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_products_unit_cost_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("external_id", name=op.f("uq_products_external_id")),
        sa.UniqueConstraint("sku", name=op.f("uq_products_sku")),
    )
    op.create_table(
        "product_costs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_product_costs_unit_cost_not_negative")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_costs_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_costs")),
        sa.UniqueConstraint(
            "product_id", "effective_from", name=op.f("uq_product_costs_product_id_effective_from")
        ),
    )
    op.create_table(
        "product_daily",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("gross", sa.BigInteger(), nullable=False),
        sa.Column("discounts", sa.BigInteger(), nullable=False),
        sa.Column("returned_units", sa.Integer(), nullable=False),
        sa.Column("returns", sa.BigInteger(), nullable=False),
        sa.Column("net_sales", sa.BigInteger(), nullable=False),
        sa.Column("cost_of_goods", sa.BigInteger(), nullable=False),
        sa.Column("costed_sales", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_daily_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("business_date", "product_id", name=op.f("pk_product_daily")),
    )
    with op.batch_alter_table("product_daily", schema=None) as batch_op:
        batch_op.create_index(
            "ix_product_daily_product_id_business_date",
            ["product_id", "business_date"],
            unique=False,
        )

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_lines_quantity_positive")),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_order_lines_unit_cost_not_negative")),
        sa.CheckConstraint(
            "unit_price >= 0 AND discount >= 0 AND discount <= quantity * unit_price",
            name=op.f("ck_order_lines_amounts_add_up"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_lines_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_order_lines_product_id_products"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        sa.UniqueConstraint(
            "order_id", "line_number", name=op.f("uq_order_lines_order_id_line_number")
        ),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index("ix_order_lines_product_id", ["product_id"], unique=False)

    op.create_table(
        "refund_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "quantity >= 0 AND amount >= 0", name=op.f("ck_refund_lines_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_refund_lines_order_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"],
            ["refunds.id"],
            name=op.f("fk_refund_lines_refund_id_refunds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_lines")),
        sa.UniqueConstraint(
            "refund_id", "order_line_id", name=op.f("uq_refund_lines_refund_id_order_line_id")
        ),
    )
    with op.batch_alter_table("refund_lines", schema=None) as batch_op:
        batch_op.create_index("ix_refund_lines_order_line_id", ["order_line_id"], unique=False)


def downgrade():
    with op.batch_alter_table("refund_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_refund_lines_order_line_id")

    op.drop_table("refund_lines")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_order_lines_product_id")

    op.drop_table("order_lines")
    with op.batch_alter_table("product_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_product_daily_product_id_business_date")

    op.drop_table("product_daily")
    op.drop_table("product_costs")
    op.drop_table("products")
    op.drop_table("basket_daily")
