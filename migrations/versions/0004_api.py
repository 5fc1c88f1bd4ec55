"""api: customer list by value

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 00:10:00

"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.create_index("ix_customer_metrics_lifetime_value", ["lifetime_value"], unique=False)


def downgrade():
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_metrics_lifetime_value")
