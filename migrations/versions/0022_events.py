"""the welcome community: events

Revision ID: 0022_events
Revises: 0021_contacts
Create Date: 2026-11-30 22:30:00

Events of a centre (issue 15): texts in nl/en/fr, times stored as naive UTC.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_events'
down_revision = '0021_contacts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('title_nl', sa.String(length=200), nullable=True),
        sa.Column('title_en', sa.String(length=200), nullable=True),
        sa.Column('title_fr', sa.String(length=200), nullable=True),
        sa.Column('description_nl', sa.Text(), nullable=True),
        sa.Column('description_en', sa.Text(), nullable=True),
        sa.Column('description_fr', sa.Text(), nullable=True),
        sa.Column(
            'event_type',
            sa.Enum(
                'info_session', 'language_cafe', 'networking', 'family', 'other',
                name='eventtype', native_enum=False, length=24,
            ),
            nullable=False,
        ),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('place', sa.String(length=300), nullable=True),
        sa.Column('online_url', sa.String(length=500), nullable=True),
        sa.Column('capacity', sa.Integer(), nullable=True),
        sa.Column('audience_languages', sa.String(length=20), nullable=False),
        sa.Column('organiser', sa.String(length=200), nullable=False),
        sa.Column('partner_name', sa.String(length=200), nullable=True),
        sa.Column(
            'status',
            sa.Enum('draft', 'published', 'cancelled', name='eventstatus', native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_events_centre_id_centres')),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['users.id'], name=op.f('fk_events_created_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    )
    op.create_index('ix_events_centre_starts', 'events', ['centre_id', 'starts_at'], unique=False)
    op.create_table(
        'event_invitation_consents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('given_at', sa.DateTime(), nullable=False),
        sa.Column('given_by_id', sa.Integer(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
        sa.Column(
            'withdrawn_via',
            sa.Enum('staff', 'client_link', name='consentchannel', native_enum=False, length=16),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'],
            name=op.f('fk_event_invitation_consents_case_id_cases'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['given_by_id'], ['users.id'], name=op.f('fk_event_invitation_consents_given_by_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['withdrawn_by_id'], ['users.id'],
            name=op.f('fk_event_invitation_consents_withdrawn_by_id_users'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_invitation_consents')),
        sa.UniqueConstraint('case_id', name=op.f('uq_event_invitation_consents_case_id')),
    )


    op.create_table(
        'event_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column(
            'status',
            sa.Enum(
                'invited', 'registered', 'waiting', 'declined',
                name='invitationstatus', native_enum=False, length=16,
            ),
            nullable=False,
        ),
        sa.Column('people', sa.Integer(), nullable=True),
        sa.Column('invited_at', sa.DateTime(), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('responded_at', sa.DateTime(), nullable=True),
        sa.Column('attended_at', sa.DateTime(), nullable=True),
        sa.Column('attended_people', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'], name=op.f('fk_event_invitations_case_id_cases'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['event_id'], ['events.id'], name=op.f('fk_event_invitations_event_id_events'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['invited_by_id'], ['users.id'], name=op.f('fk_event_invitations_invited_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_invitations')),
        sa.UniqueConstraint('event_id', 'case_id', name=op.f('uq_event_invitations_event_id_case_id')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_event_invitations_token_hash')),
    )
    op.create_index('ix_event_invitations_case_id', 'event_invitations', ['case_id'], unique=False)
    op.create_table(
        'event_walk_ins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['added_by_id'], ['users.id'], name=op.f('fk_event_walk_ins_added_by_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['event_id'], ['events.id'], name=op.f('fk_event_walk_ins_event_id_events'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_walk_ins')),
    )
    op.create_index(op.f('ix_event_walk_ins_event_id'), 'event_walk_ins', ['event_id'], unique=False)
    # Extra headers of an email (List-Unsubscribe on event invitations).
    op.add_column('outbox_messages', sa.Column('headers', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_messages') as batch_op:
        batch_op.drop_column('headers')
    op.drop_index(op.f('ix_event_walk_ins_event_id'), table_name='event_walk_ins')
    op.drop_table('event_walk_ins')
    op.drop_index('ix_event_invitations_case_id', table_name='event_invitations')
    op.drop_table('event_invitations')
    op.drop_table('event_invitation_consents')
    op.drop_index('ix_events_centre_starts', table_name='events')
    op.drop_table('events')
