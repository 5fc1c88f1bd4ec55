"""dashboards: payment methods, funnel tables, covering index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 22:13:58.612097

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Reviewed.
    with op.batch_alter_table('customer_metrics', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_metrics_segment')
        batch_op.create_index('ix_customer_metrics_segment_lifetime_value', ['segment', 'lifetime_value'], unique=False)
        batch_op.create_index('ix_customer_metrics_orders_count_lifetime_value', ['orders_count', 'lifetime_value'], unique=False)

    op.create_table('funnel_conversion_times',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funnel_conversion_times')),
    sa.UniqueConstraint('business_date', 'channel', 'minutes', name=op.f('uq_funnel_conversion_times_business_date_channel_minutes'))
    )
    op.create_table('funnel_daily',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('product_views', sa.Integer(), nullable=False),
    sa.Column('add_to_carts', sa.Integer(), nullable=False),
    sa.Column('checkouts', sa.Integer(), nullable=False),
    sa.Column('purchases', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funnel_daily')),
    sa.UniqueConstraint('business_date', 'channel', name=op.f('uq_funnel_daily_business_date_channel'))
    )
    op.create_table('payment_method_daily',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_method_daily')),
    sa.UniqueConstraint('business_date', 'method', name=op.f('uq_payment_method_daily_business_date_method'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_business_date_status'))
        batch_op.create_index('ix_orders_business_date_status_customer_id', ['business_date', 'status', 'customer_id'], unique=False)



def downgrade():
    # Reviewed.
    with op.batch_alter_table('customer_metrics', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_metrics_orders_count_lifetime_value')
        batch_op.drop_index('ix_customer_metrics_segment_lifetime_value')
        batch_op.create_index('ix_customer_metrics_segment', ['segment'], unique=False)

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_business_date_status_customer_id')
        batch_op.create_index(batch_op.f('ix_orders_business_date_status'), ['business_date', 'status'], unique=False)

    op.drop_table('payment_method_daily')
    op.drop_table('funnel_daily')
    op.drop_table('funnel_conversion_times')
