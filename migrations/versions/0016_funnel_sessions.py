"""funnel sessions: each visit's entry day, channel, furthest step and minutes to purchase

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24 17:10:00

The day figures of the funnel become sums of these rows, so a backfill no longer walks every
event. The refresher fills the table: the upgrade leaves a `session` key without a session
id (every session), so the first pass after it derives every visit's row from its events
and rewrites the funnel figures of every day with visits.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "funnel_sessions",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("reached", sa.SmallInteger(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_funnel_sessions")),
    )
    op.create_index(
        "ix_funnel_sessions_business_date", "funnel_sessions", ["business_date"], unique=False
    )
    stale = sa.table(
        "stale_keys",
        sa.column("kind", sa.String),
        sa.column("session_id", sa.String),
        sa.column("created_at", sa.DateTime),
    )
    op.bulk_insert(
        stale, [{"kind": "session", "session_id": None, "created_at": datetime.now(UTC)}]
    )


def downgrade():
    op.drop_index("ix_funnel_sessions_business_date", table_name="funnel_sessions")
    op.drop_table("funnel_sessions")
