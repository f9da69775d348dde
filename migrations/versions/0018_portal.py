"""the client's page: portal links, client claims and client messages

Revision ID: 0018_portal
Revises: 0017_web_requests
Create Date: 2026-11-30 16:00:00

portal_links holds only the SHA-256 of each token (unique index: the lookup).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_portal'
down_revision = '0016_attachments'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'portal_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('last_opened_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'], name=op.f('fk_portal_links_case_id_cases'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['users.id'], name=op.f('fk_portal_links_created_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_portal_links_token_hash')),
    )
    op.create_index(op.f('ix_portal_links_case_id'), 'portal_links', ['case_id'], unique=False)
    op.create_table(
        'portal_claims',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column(
            'status',
            sa.Enum('pending', 'confirmed', 'sent_back', name='claimstatus', native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'], name=op.f('fk_portal_claims_case_id_cases'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['decided_by_id'], ['users.id'], name=op.f('fk_portal_claims_decided_by_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['item_id'],
            ['checklist_items.id'],
            name=op.f('fk_portal_claims_item_id_checklist_items'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_claims')),
    )
    op.create_index(op.f('ix_portal_claims_case_id'), 'portal_claims', ['case_id'], unique=False)
    op.create_index(op.f('ix_portal_claims_item_id'), 'portal_claims', ['item_id'], unique=False)
    op.create_table(
        'portal_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'], name=op.f('fk_portal_messages_case_id_cases'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_messages')),
    )
    op.create_index(op.f('ix_portal_messages_case_id'), 'portal_messages', ['case_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_portal_messages_case_id'), table_name='portal_messages')
    op.drop_table('portal_messages')
    op.drop_index(op.f('ix_portal_claims_item_id'), table_name='portal_claims')
    op.drop_index(op.f('ix_portal_claims_case_id'), table_name='portal_claims')
    op.drop_table('portal_claims')
    op.drop_index(op.f('ix_portal_links_case_id'), table_name='portal_links')
    op.drop_table('portal_links')
