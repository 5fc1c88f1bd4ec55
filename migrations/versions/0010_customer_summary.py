"""customer summary: purchase days and repeat-day sales per customer; the `scores` stale key

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 10:45:00

The nightly job now rescores customers from one row each (app/analytics/customers.py,
rescore_customers) and fits and scores the CLV model from the same rows, instead of reading
every order. The new columns are filled by the refresher: the upgrade leaves an `everything`
key, so the first pass after it recomputes every customer from the orders.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('day', 'visit_day', 'customer', 'session', 'orders', 'everything')"
NEW_KINDS = (
    "kind IN ('day', 'visit_day', 'customer', 'session', 'orders', 'scores', 'everything')"
)


def upgrade():
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("purchase_days", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("repeat_day_sales", sa.BigInteger(), server_default="0", nullable=False)
        )
    _replace_kinds(OLD_KINDS, NEW_KINDS)
    stale = sa.table(
        "stale_keys", sa.column("kind", sa.String), sa.column("created_at", sa.DateTime)
    )
    op.bulk_insert(stale, [{"kind": "everything", "created_at": datetime.now(UTC)}])


def downgrade():
    op.execute("DELETE FROM stale_keys WHERE kind = 'scores'")
    _replace_kinds(NEW_KINDS, OLD_KINDS)
    with op.batch_alter_table("customer_metrics", schema=None) as batch_op:
        batch_op.drop_column("repeat_day_sales")
        batch_op.drop_column("purchase_days")


def _replace_kinds(old: str, new: str) -> None:
    with op.batch_alter_table("stale_keys", schema=None, recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_stale_keys_kind"), type_="check")
        batch_op.create_check_constraint("kind", new)
