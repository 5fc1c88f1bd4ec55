"""daily buyers: each business day's distinct buyers, for exact distinct counts of any range

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 11:10:00

The daily rebuild fills the table; the upgrade leaves an `everything` key so the first
refresher pass after it writes every day's row.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "daily_buyers",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("customer_ids", sa.LargeBinary(), nullable=False),
        sa.Column("buyers", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("business_date", name=op.f("pk_daily_buyers")),
    )
    stale = sa.table(
        "stale_keys", sa.column("kind", sa.String), sa.column("created_at", sa.DateTime)
    )
    op.bulk_insert(stale, [{"kind": "everything", "created_at": datetime.now(UTC)}])


def downgrade():
    op.drop_table("daily_buyers")
