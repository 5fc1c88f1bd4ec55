"""shop settings: facts about the stored data, first the zone its business dates are in

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 05:40:00

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    settings = op.create_table(
        "shop_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_shop_settings")),
    )
    # The dates stored so far were stamped in the zone configured now.
    op.bulk_insert(
        settings,
        [
            {
                "key": "business_dates_zone",
                "value": current_app.config["SHOP_TIMEZONE"],
                "updated_at": datetime.now(UTC),
            }
        ],
    )


def downgrade():
    op.drop_table("shop_settings")
