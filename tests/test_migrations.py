"""The schema comes only from migrations; they agree with the models and run both ways."""

import warnings

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from caseflow.cases.search import SEARCH_TABLES, include_name
from caseflow.extensions import db


def _schema_diff():
    with db.engine.connect() as connection, warnings.catch_warnings():
        if connection.dialect.name == "sqlite":
            # The expression indexes (lower(household_name)...) are PostgreSQL's only
            # and compared there; autogenerate says it skips them on SQLite.
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified")
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": True, "include_name": include_name},
        )
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    with db.engine.connect() as connection:
        # The full-text index (migration 0013) is no model.
        return set(inspect(connection).get_table_names()) - {"alembic_version"} - SEARCH_TABLES


def test_models_and_migrations_agree():
    assert _schema_diff() == []


def test_every_migration_downgrades_and_upgrades_again():
    db.session.close()  # release locks before DDL (PostgreSQL would wait on them)
    model_tables = {table.name for table in db.metadata.sorted_tables}
    assert _tables() == model_tables
    try:
        flask_migrate.downgrade(revision="base")
        assert _tables() == set()
    finally:
        flask_migrate.upgrade()
    assert _tables() == model_tables
    assert _schema_diff() == []


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout():
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
