"""report_figures: the funder report's figures, refreshed by the worker

Revision ID: 0024_report_figures
Revises: 0023_events_fix
Create Date: 2026-12-01 03:00:00

One row per centre and standard period (this and last month, quarter and year): the
report's counts as JSON, no personal data; rows go with their centre (ON DELETE CASCADE).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_report_figures'
down_revision = '0023_events_fix'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['centre_id'], ['centres.id'], name=op.f('fk_report_figures_centre_id_centres'),
            ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_figures')),
        sa.UniqueConstraint(
            'centre_id', 'kind', 'period_start', 'period_end',
            name=op.f('uq_report_figures_centre_id_kind_period_start_period_end'),
        ),
    )


def downgrade():
    op.drop_table('report_figures')
