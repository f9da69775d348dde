"""requests for help made online: topics and question on the case; consent without staff

Revision ID: 0017_web_requests
Revises: 0014_list_indexes
Create Date: 2026-11-30 16:00:00

A client who asks for help on the public page (caseflow/webintake) agrees to the
privacy notice themselves: ``cases.consent_recorded_by_id`` may be NULL. The topics they
ticked (``help_topics``, a JSON list of codes) and their question (``client_question``)
are kept on the case.

SQLite: making a column nullable recreates ``cases`` (batch mode). That drops the
case's search triggers (migration 0013), and the table rename would stop at the
persons' and notes' triggers, which name ``cases`` while it is gone: every search
trigger is dropped first and made again afterwards (the index's rows stay: they are
keyed by the case id, which does not change).

Downgrade: a case whose consent was given online gets the lowest user id of its centre
as "recorded by" (the old schema cannot say "the client"), so it fails only for a
centre without any user.
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_web_requests"
down_revision = "0014_list_indexes"
branch_labels = None
depends_on = None


def _search_migration():
    """Migration 0013's module: its trigger statements (a migration never imports
    application code, and the triggers must be exactly 0013's)."""
    path = Path(__file__).with_name("0013_search_index.py")
    spec = importlib.util.spec_from_file_location("caseflow_migration_0013", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _recreating_cases(change) -> None:
    """Run ``change`` (a batch alteration of cases), keeping SQLite's search triggers."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    search = _search_migration() if sqlite else None
    if sqlite:
        for name in search.SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    change()
    if sqlite:
        for statement in search.sqlite_triggers():
            op.execute(statement)


def upgrade():
    def change():
        with op.batch_alter_table("cases", schema=None) as batch_op:
            batch_op.add_column(sa.Column("help_topics", sa.JSON(), nullable=True))
            batch_op.add_column(sa.Column("client_question", sa.Text(), nullable=True))
            batch_op.alter_column(
                "consent_recorded_by_id", existing_type=sa.Integer(), nullable=True
            )

    _recreating_cases(change)


def downgrade():
    op.execute(
        "UPDATE cases SET consent_recorded_by_id = (SELECT min(users.id) FROM users"
        " WHERE users.centre_id = cases.centre_id) WHERE consent_recorded_by_id IS NULL"
    )

    def change():
        with op.batch_alter_table("cases", schema=None) as batch_op:
            batch_op.alter_column(
                "consent_recorded_by_id", existing_type=sa.Integer(), nullable=False
            )
            batch_op.drop_column("client_question")
            batch_op.drop_column("help_topics")

    _recreating_cases(change)
