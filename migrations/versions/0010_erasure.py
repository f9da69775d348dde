"""erasure: cases.erased_at / erasure_reason / erased_by_id, persons.erased_at /
age_at_arrival, checklist_items.days_to_done

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('erasure_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('erased_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_cases_erased_by_id_users'), 'users', ['erased_by_id'], ['id']
        )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('age_at_arrival', sa.Integer(), nullable=True))
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('days_to_done', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.drop_column('days_to_done')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_column('age_at_arrival')
        batch_op.drop_column('erased_at')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_erased_by_id_users'), type_='foreignkey')
        batch_op.drop_column('erased_by_id')
        batch_op.drop_column('erasure_reason')
        batch_op.drop_column('erased_at')
