"""Helpers for the privacy tests: find a string anywhere in the database."""

from pathlib import Path

import pytest
from sqlalchemy import JSON, LargeBinary, String, Text, cast, func, select

from caseflow.checklists.seeding import seed_catalogue
from caseflow.extensions import db


def text_columns_holding(needle: str) -> list[str]:
    """``table.column`` of every text (String, Text, JSON) column in which ``needle``
    occurs (case-insensitive), and of every binary column whose bytes hold it."""
    db.session.expire_all()
    found = []
    pattern = f"%{needle.lower()}%"
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON):
                hits = db.session.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(func.lower(cast(column, Text)).like(pattern))
                )
                if hits:
                    found.append(f"{table.name}.{column.name}")
            elif isinstance(column.type, LargeBinary):
                for value in db.session.scalars(select(column).where(column.is_not(None))):
                    if needle.encode() in bytes(value):
                        found.append(f"{table.name}.{column.name}")
                        break
    db.session.commit()
    return found


def sqlite_files_holding(needle: str) -> list[str]:
    """The SQLite database file and its -wal file, when ``needle`` is in their bytes
    (UTF-8). Empty on other databases."""
    if db.engine.dialect.name != "sqlite":
        return []
    path = Path(db.engine.url.database)
    found = []
    for candidate in (path, path.with_name(path.name + "-wal")):
        if candidate.exists() and needle.encode() in candidate.read_bytes():
            found.append(candidate.name)
    return found


@pytest.fixture
def catalogue(centre):
    seed_catalogue(centre)
    db.session.commit()
    return centre
