"""customer predictions: churn risk and the CLV model's predictions in a narrow table of their own

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24 14:00:00

Every scored buyer's predictions change every night. In customer_metrics each of those
changes wrote a new version of a wide row and an entry in all seven of its indexes (churn
risk and value at risk were indexed); here a night's scoring is a narrow row and three
entries per buyer, with no foreign-key check (rows come only from customer_metrics).
(0014 is being written beside this one; the two are chained at merge.)
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

PREDICTED = ("p_alive", "expected_orders_90d", "clv_12m", "value_at_risk")


def upgrade():
    op.create_table(
        "customer_predictions",
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("churn_risk", sa.Double(), nullable=False),
        sa.Column("p_alive", sa.Double(), nullable=True),
        sa.Column("expected_orders_90d", sa.Double(), nullable=True),
        sa.Column("clv_12m", sa.BigInteger(), nullable=True),
        sa.Column("value_at_risk", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_predictions")),
    )
    op.execute(
        "INSERT INTO customer_predictions (customer_id, churn_risk, "
        f"{', '.join(PREDICTED)}) SELECT customer_id, churn_risk, {', '.join(PREDICTED)}"
        " FROM customer_metrics WHERE churn_risk IS NOT NULL"
    )
    with op.batch_alter_table("customer_predictions", schema=None) as batch_op:
        batch_op.create_index("ix_customer_predictions_churn_risk", ["churn_risk"], unique=False)
        batch_op.create_index(
            "ix_customer_predictions_value_at_risk", ["value_at_risk"], unique=False
        )
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_metrics_value_at_risk")
        batch_op.drop_index("ix_customer_metrics_churn_risk_orders_count")
        for name in ("churn_risk", *PREDICTED):
            batch_op.drop_column(name)


def downgrade():
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("churn_risk", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("p_alive", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("expected_orders_90d", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("clv_12m", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("value_at_risk", sa.BigInteger(), nullable=True))
    columns = ("churn_risk", *PREDICTED)
    op.execute(
        f"UPDATE customer_metrics SET ({', '.join(columns)}) = (SELECT {', '.join(columns)}"
        " FROM customer_predictions p WHERE p.customer_id = customer_metrics.customer_id)"
    )
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_metrics_churn_risk_orders_count", ["churn_risk", "orders_count"]
        )
        batch_op.create_index("ix_customer_metrics_value_at_risk", ["value_at_risk"], unique=False)
    op.drop_table("customer_predictions")
