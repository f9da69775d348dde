"""events: the partner from the centre's directory

Revision ID: 0023_events_fix
Revises: 0022_events
Create Date: 2026-11-30 23:20:00

An event may name a partner of the centre's directory (caseflow/partners) besides the
free-text partner name (kept for partners not in the directory).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_events_fix'
down_revision = '0022_events'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partner_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_events_partner_id_partners'),
            'partners',
            ['partner_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_events_partner_id_partners'), type_='foreignkey')
        batch_op.drop_column('partner_id')
