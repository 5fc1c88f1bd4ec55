"""clv: fitted BG/NBD + Gamma-Gamma models and per-customer predictions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 01:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "clv_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("calibration_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("repeat_customers", sa.Integer(), nullable=False),
        sa.Column("r", sa.Double(), nullable=True),
        sa.Column("alpha", sa.Double(), nullable=True),
        sa.Column("a", sa.Double(), nullable=True),
        sa.Column("b", sa.Double(), nullable=True),
        sa.Column("bgnbd_log_likelihood", sa.Double(), nullable=True),
        sa.Column("p", sa.Double(), nullable=True),
        sa.Column("q", sa.Double(), nullable=True),
        sa.Column("gamma", sa.Double(), nullable=True),
        sa.Column("gamma_gamma_log_likelihood", sa.Double(), nullable=True),
        sa.Column("calibration", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clv_models")),
    )
    with op.batch_alter_table("clv_models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clv_models_fitted_at"), ["fitted_at"], unique=False)
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("p_alive", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("expected_orders_90d", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("clv_12m", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("value_at_risk", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_customer_metrics_value_at_risk", ["value_at_risk"], unique=False)


def downgrade():
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_metrics_value_at_risk")
        batch_op.drop_column("value_at_risk")
        batch_op.drop_column("clv_12m")
        batch_op.drop_column("expected_orders_90d")
        batch_op.drop_column("p_alive")
    with op.batch_alter_table("clv_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clv_models_fitted_at"))
    op.drop_table("clv_models")
