"""SQLite connection settings: WAL, foreign keys, busy timeout, IMMEDIATE writes."""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event, func, select

from caseflow.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_reading: ContextVar[bool] = ContextVar("caseflow_reading", default=False)
_writing: ContextVar[bool] = ContextVar("caseflow_writing", default=False)


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """Transactions begun inside this block only read: on SQLite they take no write lock.

    For slow reads outside GET requests (the worker building a bulk export's HTML): end
    the transaction (commit) before leaving the block, and write in a later one.
    """
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside this block write: on SQLite they take the write lock up
    front (the audit rows of a GET request are written in a transaction of their own)."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def _is_write_transaction() -> bool:
    if _writing.get():
        return True
    if _reading.get():
        return False
    # A GET never writes, so its reads can share the database with a writer. Anything
    # else (a form post, a CLI command) may write, and a deferred BEGIN that upgrades
    # to a write lock later fails at once with "database is locked" under concurrency,
    # whatever the busy timeout: so it takes the write lock up front.
    if has_request_context():
        return request.method not in SAFE_METHODS
    # Tests turn this off: their own reads between requests must not hold the lock.
    return current_app.config["SQLITE_IMMEDIATE_OUTSIDE_REQUESTS"]


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def configure_sqlite(app: Flask) -> None:
    """Install the connection hooks on the app's engine when it is SQLite."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    busy_timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN instead of the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        # Deleted and overwritten content is zeroed, not left in free space: an erasure
        # leaves no trace in the file (with a WAL checkpoint after it, see
        # caseflow/privacy/erasure.py).
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.close()
        # SQLite's own lower() only folds ASCII, so "ÉMILE" would never find "Émile";
        # Python's folds every script, as PostgreSQL's does.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _is_write_transaction() else "BEGIN")


def checkpoint_wal() -> bool:
    """SQLite: copy the WAL into the database file and truncate it (after an erasure, so
    that no earlier version of a page stays in the -wal file). Call it after the commit,
    outside a transaction. True when the checkpoint completed (no reader held it back);
    always True on other databases."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        busy, _log, _checkpointed = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return busy == 0


def name_taken(model, centre_id: int, names: dict[str, str], exclude_id: int | None) -> bool:
    """A centre's list item (case type, contact topic) already has one of ``names``
    (column -> value, e.g. name_en / name_nl), whatever its case; ``exclude_id``: the
    item being renamed."""
    for column, name in names.items():
        clash = select(model.id).where(
            model.centre_id == centre_id, func.lower(getattr(model, column)) == name.lower()
        )
        if exclude_id is not None:
            clash = clash.where(model.id != exclude_id)
        if db.session.scalar(clash.limit(1)) is not None:
            return True
    return False
