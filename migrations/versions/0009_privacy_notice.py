"""privacy notice versions; a case's legal basis and notice version; persons'
"national number obtained" flag

Existing cases all carry a consent date: they are linked to version 1 of their
centre's notice (a placeholder text made here, which an admin replaces by publishing
version 2) with "consent" as their legal basis.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 11:00:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# A copy of caseflow.centres.notices.PLACEHOLDER_TEXTS as it was when this was written.
PLACEHOLDER_TEXTS = {
    "en": (
        "We keep the details you give us to help you settle in Belgium. "
        "This is a placeholder: the centre replaces it with its privacy notice."
    ),
    "nl": (
        "We bewaren de gegevens die u ons geeft om u te helpen bij uw verblijf in België. "
        "Dit is een voorlopige tekst: het centrum vervangt hem door zijn privacyverklaring."
    ),
    "fr": (
        "Nous conservons les données que vous nous confiez pour vous aider à vous installer "
        "en Belgique. Ce texte est provisoire : le centre le remplace par sa déclaration de "
        "confidentialité."
    ),
}

LEGAL_BASIS = sa.Enum(
    'consent', 'contract', 'legitimate_interest', 'public_task', 'legal_obligation',
    name='legalbasis', native_enum=False, length=24,
)


def upgrade():
    notices = op.create_table('privacy_notice_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=False),
    sa.Column('text_nl', sa.Text(), nullable=False),
    sa.Column('text_fr', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['centre_id'], ['centres.id'], name=op.f('fk_privacy_notice_versions_centre_id_centres')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_privacy_notice_versions_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notice_versions')),
    sa.UniqueConstraint('centre_id', 'number', name=op.f('uq_privacy_notice_versions_centre_id_number'))
    )
    with op.batch_alter_table('privacy_notice_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_notice_versions_centre_id'), ['centre_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_basis', LEGAL_BASIS, nullable=True))
        batch_op.add_column(sa.Column('privacy_notice_version_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_privacy_notice_version_id'), ['privacy_notice_version_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_privacy_notice_version_id_privacy_notice_versions'), 'privacy_notice_versions', ['privacy_notice_version_id'], ['id'])

    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('national_number_obtained', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Version 1 for every centre; today's consent dates stay valid as version 1.
    connection = op.get_bind()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    centre_ids = connection.execute(sa.text("SELECT id FROM centres ORDER BY id")).scalars().all()
    if centre_ids:
        op.bulk_insert(notices, [
            {
                'centre_id': centre_id, 'number': 1, 'published_at': now, 'published_by_id': None,
                'text_en': PLACEHOLDER_TEXTS['en'], 'text_nl': PLACEHOLDER_TEXTS['nl'],
                'text_fr': PLACEHOLDER_TEXTS['fr'],
            }
            for centre_id in centre_ids
        ])
    op.execute(
        "UPDATE cases SET legal_basis = 'consent', privacy_notice_version_id = ("
        " SELECT p.id FROM privacy_notice_versions p"
        " WHERE p.centre_id = cases.centre_id AND p.number = 1)"
        " WHERE consent_on IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_column('national_number_obtained')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_privacy_notice_version_id_privacy_notice_versions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_privacy_notice_version_id'))
        batch_op.drop_column('privacy_notice_version_id')
        batch_op.drop_column('legal_basis')

    with op.batch_alter_table('privacy_notice_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_notice_versions_centre_id'))

    op.drop_table('privacy_notice_versions')
