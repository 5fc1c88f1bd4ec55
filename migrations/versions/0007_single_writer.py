"""single writer: the stale-key change table; first/last order days; no stored campaign ROI

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 04:20:09

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stale_keys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("first_order_id", sa.Integer(), nullable=True),
        sa.Column("last_order_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('day', 'visit_day', 'customer', 'session', 'orders', 'everything')",
            name=op.f("ck_stale_keys_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stale_keys")),
    )
    with op.batch_alter_table("stale_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stale_keys_created_at"), ["created_at"], unique=False)

    # ROI depends on today (an open-ended campaign's spend spreads as it runs): read-time now.
    with op.batch_alter_table("campaign_performance", schema=None) as batch_op:
        batch_op.drop_column("roi")

    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_order_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_order_date", sa.Date(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_customer_metrics_first_order_date"), ["first_order_date"], unique=False
        )
    counted = "o.customer_id = customer_metrics.customer_id AND o.status IN ('completed', 'refunded')"
    op.execute(
        "UPDATE customer_metrics SET"
        f" first_order_date = (SELECT min(o.business_date) FROM orders o WHERE {counted}),"
        f" last_order_date = (SELECT max(o.business_date) FROM orders o WHERE {counted})"
    )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_campaign_id_business_date")
        batch_op.create_index(
            "ix_orders_campaign_id_business_date_status_customer_id",
            ["campaign_id", "business_date", "status", "customer_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_campaign_id_business_date_status_customer_id")
        batch_op.create_index(
            "ix_orders_campaign_id_business_date", ["campaign_id", "business_date"], unique=False
        )

    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_metrics_first_order_date"))
        batch_op.drop_column("last_order_date")
        batch_op.drop_column("first_order_date")

    with op.batch_alter_table("campaign_performance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("roi", sa.Double(), nullable=True))

    with op.batch_alter_table("stale_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stale_keys_created_at"))

    op.drop_table("stale_keys")
