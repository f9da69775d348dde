"""attachments: files attached to a case or a checklist step (kept outside the database)

Revision ID: 0016_attachments
Revises: 0017_web_requests
Create Date: 2026-11-30 16:00:00

Chained after 0017_web_requests (merged into main first; the brief's down_revision was
0014_list_indexes). A new table only; the files themselves live in UPLOAD_FOLDER.
Downgrading drops the rows, not the files (`flask attachments check --remove` then
finds them as orphans).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_attachments'
down_revision = '0017_web_requests'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('checklist_item_id', sa.Integer(), nullable=True),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_user_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_client', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_attachments_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['checklist_item_id'], ['checklist_items.id'], name=op.f('fk_attachments_checklist_item_id_checklist_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_user_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachments_stored_name'))
    )
    op.create_index('ix_attachments_case_created', 'attachments', ['case_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_attachments_checklist_item_id'), 'attachments', ['checklist_item_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_attachments_checklist_item_id'), table_name='attachments')
    op.drop_index('ix_attachments_case_created', table_name='attachments')
    op.drop_table('attachments')
