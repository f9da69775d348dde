"""Helpers for the privacy tests: find a string anywhere in the database."""

import subprocess
import sys
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
    (UTF-8). Empty on other databases.

    Read by another process: closing any descriptor of the database file in this
    process would drop the POSIX locks of SQLite's own connections (a later "disk I/O
    error" or worse).
    """
    if db.engine.dialect.name != "sqlite":
        return []
    path = Path(db.engine.url.database)
    found = subprocess.run(
        [sys.executable, "-c", _SCAN, needle, str(path), str(path) + "-wal"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [Path(name).name for name in found]


_SCAN = """
import os, sys
needle = sys.argv[1].encode()
for name in sys.argv[2:]:
    if os.path.exists(name):
        with open(name, "rb") as f:
            if needle in f.read():
                print(name)
"""


@pytest.fixture
def catalogue(centre):
    seed_catalogue(centre)
    db.session.commit()
    return centre
