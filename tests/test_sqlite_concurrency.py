"""SQLite under concurrent writers: WAL, busy timeout and BEGIN IMMEDIATE hold up.

Several processes each open the app on one SQLite file and write through the same
request path as the app (a POST, so writes begin IMMEDIATE). Not a timing test: it
counts failures, which must be zero.
"""

import multiprocessing
import os

import pytest

from tests.conftest import make_test_config

WRITERS = 8
WRITES_EACH = 200


def _writer(url: str, case_id: int, advisor_id: int, results) -> None:
    from caseflow import create_app
    from caseflow.auth.models import User
    from caseflow.cases.models import Case
    from caseflow.extensions import db
    from caseflow.notes.services import add_note

    app = create_app(make_test_config(url) | {"SQLITE_IMMEDIATE_OUTSIDE_REQUESTS": True})
    failures = 0
    for n in range(WRITES_EACH):
        # A request context with POST: the app's own rule for write transactions.
        with app.test_request_context(method="POST"):
            try:
                case = db.session.get(Case, case_id)
                add_note(case, db.session.get(User, advisor_id), f"pid {os.getpid()} note {n}")
                db.session.commit()
            except Exception:  # counted, not raised: the parent asserts on the total
                db.session.rollback()
                failures += 1
            finally:
                db.session.remove()
    results.put(failures)


# Real processes writing as fast as they can: with the slow tests, which CI runs alone
# (under a loaded machine a writer can wait longer than the busy timeout).
@pytest.mark.slow
def test_concurrent_writers_never_see_database_is_locked(app, database_url, make_user, make_case):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    advisor = make_user("advisor")
    case = make_case(advisor)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    writers = [
        context.Process(target=_writer, args=(database_url, case.id, advisor.id, results))
        for _ in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
    failures = [results.get(timeout=5) for _ in writers]
    assert failures == [0] * WRITERS

    from caseflow.extensions import db
    from caseflow.notes.models import Note

    db.session.commit()  # a fresh snapshot: see what the other processes wrote
    count = db.session.scalar(db.select(db.func.count()).select_from(Note))
    assert count == WRITERS * WRITES_EACH
