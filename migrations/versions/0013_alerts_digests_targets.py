"""alerts, digests and targets: anomalies, month-end forecasts, monthly targets, e-mail subscriptions

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 10:41:53

"""

from alembic import op
import sqlalchemy as sa

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "anomalies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("expected", sa.Double(), nullable=False),
        sa.Column("lower", sa.Double(), nullable=False),
        sa.Column("upper", sa.Double(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('all', 'web', 'mobile_app', 'marketplace', 'pos', 'phone', 'social', 'subscription')",
            name=op.f("ck_anomalies_channel"),
        ),
        sa.CheckConstraint(
            "metric IN ('net_revenue', 'orders', 'aov', 'conversion_rate', 'refunds')",
            name=op.f("ck_anomalies_metric"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anomalies")),
        sa.UniqueConstraint(
            "business_date",
            "metric",
            "channel",
            name=op.f("uq_anomalies_business_date_metric_channel"),
        ),
    )
    with op.batch_alter_table("anomalies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_anomalies_business_date"), ["business_date"], unique=False
        )

    op.create_table(
        "month_forecasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=24), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("month_to_date", sa.BigInteger(), nullable=False),
        sa.Column("rest", sa.Double(), nullable=False),
        sa.Column("forecast", sa.Double(), nullable=False),
        sa.Column("lower", sa.Double(), nullable=False),
        sa.Column("upper", sa.Double(), nullable=False),
        sa.Column("error_centre", sa.Double(), nullable=False),
        sa.Column("error_spread", sa.Double(), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("mase", sa.Double(), nullable=False),
        sa.Column("baseline_mase", sa.Double(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "metric IN ('net_revenue', 'orders', 'new_customers')",
            name=op.f("ck_month_forecasts_metric"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_month_forecasts")),
        sa.UniqueConstraint("month", "metric", name=op.f("uq_month_forecasts_month_metric")),
    )
    op.create_table(
        "email_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('daily', 'weekly', 'alerts')", name=op.f("ck_email_subscriptions_kind")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_email_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_subscriptions")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_email_subscriptions_user_id_kind")),
    )
    op.create_table(
        "monthly_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=24), nullable=False),
        sa.Column("target", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "metric IN ('net_revenue', 'orders', 'new_customers')",
            name=op.f("ck_monthly_targets_metric"),
        ),
        sa.CheckConstraint("target > 0", name=op.f("ck_monthly_targets_target_positive")),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["users.id"],
            name=op.f("fk_monthly_targets_updated_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_targets")),
        sa.UniqueConstraint("month", "metric", name=op.f("uq_monthly_targets_month_metric")),
    )


def downgrade():
    op.drop_table("monthly_targets")
    op.drop_table("email_subscriptions")
    op.drop_table("month_forecasts")
    with op.batch_alter_table("anomalies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_anomalies_business_date"))

    op.drop_table("anomalies")
