"""job owner (which process holds a running claim); at-risk count index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 00:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=128), nullable=True))
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_metrics_churn_risk_orders_count", ["churn_risk", "orders_count"]
        )


def downgrade():
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_metrics_churn_risk_orders_count")
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_column("owner")
