"""retention: centres.retention_months; legal hold on cases

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months', sa.Integer(), server_default='24', nullable=False))

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cases_legal_hold_by_id_users'), 'users', ['legal_hold_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_legal_hold_by_id_users'), type_='foreignkey')
        batch_op.drop_column('legal_hold_by_id')
        batch_op.drop_column('legal_hold_reason')
        batch_op.drop_column('legal_hold_at')

    with op.batch_alter_table('centres', schema=None) as batch_op:
        batch_op.drop_column('retention_months')
