"""indexes for the case list's filters and sorts (keyset pages)

Revision ID: 0014_list_indexes
Revises: 0013_search_index
Create Date: 2026-11-30 14:00:00

Every list is one centre's, so each index starts with the centre and ends with the
sort's tie-breaker (the id): a keyset page is one index seek. ix_cases_centre_status
gains the id for the same reason. No batch mode: CREATE/DROP INDEX work in place on
SQLite. The two indexes on lower(...) are PostgreSQL's only (see the model).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_list_indexes'
down_revision = '0013_search_index'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_cases_centre_status', table_name='cases')
    op.create_index('ix_cases_centre_status', 'cases', ['centre_id', 'status', 'id'])
    op.create_index('ix_cases_centre_updated', 'cases', ['centre_id', 'updated_at', 'id'])
    op.create_index('ix_cases_centre_created', 'cases', ['centre_id', 'created_at', 'id'])
    op.create_index('ix_cases_centre_arrival', 'cases', ['centre_id', 'arrival_date', 'id'])
    if op.get_bind().dialect.name == 'postgresql':
        # SQLite's lower() is the app's own Python function (caseflow/core/database.py):
        # an index on it would not match what other connections compute.
        op.create_index(
            'ix_cases_centre_household',
            'cases',
            ['centre_id', sa.text('lower(household_name)'), 'id'],
        )
        op.create_index(
            'ix_cases_centre_municipality', 'cases', ['centre_id', sa.text('lower(municipality)')]
        )
    op.create_index('ix_cases_centre_legal_hold', 'cases', ['centre_id', 'legal_hold_at'])
    op.create_index(
        op.f('ix_persons_second_nationality'), 'persons', ['second_nationality']
    )


def downgrade():
    op.drop_index(op.f('ix_persons_second_nationality'), table_name='persons')
    op.drop_index('ix_cases_centre_legal_hold', table_name='cases')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_cases_centre_municipality', table_name='cases')
        op.drop_index('ix_cases_centre_household', table_name='cases')
    op.drop_index('ix_cases_centre_arrival', table_name='cases')
    op.drop_index('ix_cases_centre_created', table_name='cases')
    op.drop_index('ix_cases_centre_updated', table_name='cases')
    op.drop_index('ix_cases_centre_status', table_name='cases')
    op.create_index('ix_cases_centre_status', 'cases', ['centre_id', 'status'])
