"""analytics engine: converted sessions, cohort retention

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 21:31:52.056429

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed.
    op.create_table('cohort_retention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_month', sa.Date(), nullable=False),
    sa.Column('months_since', sa.Integer(), nullable=False),
    sa.Column('customers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_retention')),
    sa.UniqueConstraint('cohort_month', 'months_since', name=op.f('uq_cohort_retention_cohort_month_months_since'))
    )
    with op.batch_alter_table('daily_analytics_snapshots', schema=None) as batch_op:
        # Existing snapshots start at 0 until the next backfill recounts them.
        batch_op.add_column(sa.Column('converted_sessions', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_customer_id_status_business_date', ['customer_id', 'status', 'business_date'], unique=False)



def downgrade():
    # Reviewed.
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_customer_id_status_business_date')

    with op.batch_alter_table('daily_analytics_snapshots', schema=None) as batch_op:
        batch_op.drop_column('converted_sessions')

    op.drop_table('cohort_retention')
