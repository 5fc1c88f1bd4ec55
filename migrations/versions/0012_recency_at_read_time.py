"""recency at read time: days since the last order are counted when read, not stored

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 11:30:00

A stored day count goes stale every midnight, so the nightly job had to rewrite every
buyer's row for it; it is derived from last_order_date where it is shown instead.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.drop_column("recency_days")


def downgrade():
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recency_days", sa.Integer(), nullable=True))
