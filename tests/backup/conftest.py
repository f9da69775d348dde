"""A second, empty database to restore into, on the suite's backend (SQLite or PostgreSQL)."""

from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from caseflow import create_app
from caseflow.extensions import db
from tests.conftest import make_test_config


@contextmanager
def _postgresql_database(source_url: str):
    """A newly created PostgreSQL database named after the suite's, dropped afterwards."""
    url = make_url(source_url)
    name = f"{url.database}_restore"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_url(app, tmp_path):
    """The URL of a new, empty database of the suite's kind."""
    source = app.config["SQLALCHEMY_DATABASE_URI"]
    if make_url(source).get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    with _postgresql_database(source) as url:
        yield url


@pytest.fixture
def target_app(fresh_url, tmp_path):
    """An app on the fresh database (no migrations: a restore brings the schema), with
    its own empty folder of attached files."""
    config = make_test_config(fresh_url)
    config["UPLOAD_FOLDER"] = str(tmp_path / "restored-files")
    target = create_app(config)
    yield target
    with target.app_context():
        db.session.remove()
        db.engine.dispose()
