"""payment methods per day

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 22:01:48.402024

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
    op.create_table('payment_method_daily',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_date', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_method_daily')),
    sa.UniqueConstraint('business_date', 'method', name=op.f('uq_payment_method_daily_business_date_method'))
    )


def downgrade():
    # Reviewed.
    op.drop_table('payment_method_daily')
