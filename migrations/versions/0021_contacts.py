"""first-line contacts: contacts, contact_topics and contact_topic_links

Revision ID: 0021_contacts
Revises: 0020_partners
Create Date: 2026-11-30 22:30:00

Every existing centre gets the default topic list (a new centre gets it when it is
made: caseflow.contacts.services.ensure_default_topics through centres' setup hooks).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_contacts'
down_revision = '0020_partners'
branch_labels = None
depends_on = None

# caseflow.contacts.services.DEFAULT_TOPICS as of this revision.
DEFAULT_TOPICS = (
    ("health_fund", "Health fund", "Ziekenfonds"),
    ("residence", "Residence", "Verblijf"),
    ("work_permit", "Work permit", "Arbeidskaart"),
    ("housing", "Housing", "Huisvesting"),
    ("schools", "Schools", "Scholen"),
    ("taxes", "Taxes", "Belastingen"),
    ("language_courses", "Language courses", "Taalcursussen"),
    ("partner_job", "Partner's job", "Werk voor de partner"),
    ("driving_licence", "Driving licence", "Rijbewijs"),
    ("other", "Other", "Andere"),
)


def upgrade():
    op.create_table(
        'contact_topics',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=True),
        sa.Column('name_en', sa.String(length=80), nullable=False),
        sa.Column('name_nl', sa.String(length=80), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ['centre_id'], ['centres.id'], name=op.f('fk_contact_topics_centre_id_centres')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_topics')),
        sa.UniqueConstraint('centre_id', 'name_en', name=op.f('uq_contact_topics_centre_id_name_en')),
    )
    op.create_index(
        op.f('ix_contact_topics_centre_id'), 'contact_topics', ['centre_id'], unique=False
    )
    op.create_table(
        'contacts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('logged_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('contact_date', sa.Date(), nullable=False),
        sa.Column(
            'channel',
            sa.Enum(
                'phone',
                'email',
                'walk_in',
                'event',
                'website',
                'social_media',
                name='contactchannel',
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column('nationality', sa.String(length=2), nullable=True),
        sa.Column('municipality', sa.String(length=80), nullable=True),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.Column('name', sa.String(length=120), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('converted_at', sa.DateTime(), nullable=True),
        sa.Column('anonymised_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'], name=op.f('fk_contacts_case_id_cases'), ondelete='SET NULL'
        ),
        sa.ForeignKeyConstraint(
            ['centre_id'], ['centres.id'], name=op.f('fk_contacts_centre_id_centres')
        ),
        sa.ForeignKeyConstraint(
            ['logged_by_id'], ['users.id'], name=op.f('fk_contacts_logged_by_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts')),
    )
    op.create_index(op.f('ix_contacts_case_id'), 'contacts', ['case_id'], unique=False)
    op.create_index(
        'ix_contacts_centre_date', 'contacts', ['centre_id', 'contact_date', 'id'], unique=False
    )
    op.create_index(
        'ix_contacts_logged_by_date', 'contacts', ['logged_by_id', 'contact_date', 'id'], unique=False
    )
    op.create_table(
        'contact_topic_links',
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['contact_id'],
            ['contacts.id'],
            name=op.f('fk_contact_topic_links_contact_id_contacts'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['topic_id'],
            ['contact_topics.id'],
            name=op.f('fk_contact_topic_links_topic_id_contact_topics'),
        ),
        sa.PrimaryKeyConstraint('contact_id', 'topic_id', name=op.f('pk_contact_topic_links')),
    )
    op.create_index(
        op.f('ix_contact_topic_links_topic_id'), 'contact_topic_links', ['topic_id'], unique=False
    )
    _seed_topics()


def _seed_topics():
    centres = sa.table('centres', sa.column('id', sa.Integer()))
    topics = sa.table(
        'contact_topics',
        sa.column('centre_id', sa.Integer()),
        sa.column('code', sa.String()),
        sa.column('name_en', sa.String()),
        sa.column('name_nl', sa.String()),
        sa.column('position', sa.Integer()),
        sa.column('is_active', sa.Boolean()),
    )
    centre_ids = [row[0] for row in op.get_bind().execute(sa.select(centres.c.id))]
    rows = [
        {
            'centre_id': centre_id,
            'code': code,
            'name_en': name_en,
            'name_nl': name_nl,
            'position': position,
            'is_active': True,
        }
        for centre_id in centre_ids
        for position, (code, name_en, name_nl) in enumerate(DEFAULT_TOPICS)
    ]
    if rows:
        op.bulk_insert(topics, rows)


def downgrade():
    op.drop_index(op.f('ix_contact_topic_links_topic_id'), table_name='contact_topic_links')
    op.drop_table('contact_topic_links')
    op.drop_index('ix_contacts_logged_by_date', table_name='contacts')
    op.drop_index('ix_contacts_centre_date', table_name='contacts')
    op.drop_index(op.f('ix_contacts_case_id'), table_name='contacts')
    op.drop_table('contacts')
    op.drop_index(op.f('ix_contact_topics_centre_id'), table_name='contact_topics')
    op.drop_table('contact_topics')
