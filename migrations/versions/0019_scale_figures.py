"""team_figures: the team overview's figures, refreshed by the worker

Revision ID: 0019_scale_figures
Revises: 0018_portal
Create Date: 2026-11-30 22:30:00

Ids and counts only; rows go with their centre or user (ON DELETE CASCADE).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_scale_figures'
down_revision = '0018_portal'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'team_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('open_cases', sa.Integer(), nullable=False),
        sa.Column('waiting_too_long', sa.Integer(), nullable=False),
        sa.Column('overdue_steps', sa.Integer(), nullable=False),
        sa.Column('overdue_followups', sa.Integer(), nullable=False),
        sa.Column('open_followups', sa.Integer(), nullable=False),
        sa.Column('pending_reviews', sa.Integer(), nullable=False),
        sa.Column('open_referrals', sa.Integer(), nullable=False),
        sa.Column('oldest_open_since', sa.DateTime(), nullable=True),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['centre_id'], ['centres.id'], name=op.f('fk_team_figures_centre_id_centres'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_team_figures_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_team_figures')),
        sa.UniqueConstraint('centre_id', 'user_id', name=op.f('uq_team_figures_centre_id_user_id')),
    )
    op.create_index(op.f('ix_team_figures_user_id'), 'team_figures', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_team_figures_user_id'), table_name='team_figures')
    op.drop_table('team_figures')
