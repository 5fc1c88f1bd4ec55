"""alive matrix: scored customers and value at risk per segment and P(alive) band

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-24 18:10:00

The customers page joined every prediction to its customer's segment on each visit (65–75 ms
of its figures callback at 84,000 buyers). Segments and predictions change only when
customers are rescored, so the rescoring now writes the 40 cells; the upgrade fills them
from what is stored, with the same bands (app/analytics/customers.py::ALIVE_BANDS).
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BANDS = (("< 25%", 0.0, 0.25), ("25–50%", 0.25, 0.5), ("50–75%", 0.5, 0.75), ("≥ 75%", 0.75, 1.01))


def upgrade():
    op.create_table(
        "alive_matrix",
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("band", sa.String(length=16), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("value_at_risk", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("segment", "band", name=op.f("pk_alive_matrix")),
    )
    band = "CASE " + " ".join(
        f"WHEN p.p_alive >= {low} AND p.p_alive < {high} THEN '{label}'"
        for label, low, high in BANDS
    ) + " END"
    op.execute(
        "INSERT INTO alive_matrix (segment, band, customers, value_at_risk)"
        f" SELECT m.segment, {band}, COUNT(*), COALESCE(SUM(p.value_at_risk), 0)"
        " FROM customer_predictions p JOIN customer_metrics m ON m.customer_id = p.customer_id"
        f" WHERE p.p_alive IS NOT NULL AND m.segment IS NOT NULL AND {band} IS NOT NULL"
        f" GROUP BY m.segment, {band}"
    )


def downgrade():
    op.drop_table("alive_matrix")
