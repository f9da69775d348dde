"""The trail itself: append-only on both databases, pruning, request ids, failing
closed, 429s, the security log, rows outside a request."""

import json
import logging
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from caseflow.core import audit
from caseflow.core.audit import AuditEvent, record
from caseflow.core.time import utcnow
from caseflow.extensions import db
from tests.audit.conftest import audit_rows, rows_of


def _add_row(age: timedelta, action="case.view") -> AuditEvent:
    event = AuditEvent(
        occurred_at=utcnow() - age, action=action, outcome="ok", case_id=7, details={}
    )
    db.session.add(event)
    db.session.commit()
    return event


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET outcome = 'denied'",
        "UPDATE audit_events SET details = '{}' WHERE id = :id",
        "DELETE FROM audit_events",
        "DELETE FROM audit_events WHERE id = :id",
    ],
)
def test_the_database_refuses_updates_and_deletes(statement, security_figures):
    event = _add_row(timedelta(days=1))
    refused = 0
    try:
        db.session.execute(text(statement), {"id": event.id})
        db.session.commit()
    except DatabaseError as error:
        refused = 1
        assert "append-only" in str(error)
        db.session.rollback()
    security_figures.record("Audit rows changed by UPDATE/DELETE", 1 - refused, expected=0)
    assert refused
    assert [(r.id, r.outcome) for r in audit_rows()] == [(event.id, "ok")]


def test_postgresql_refuses_truncate():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    _add_row(timedelta(days=1))
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("TRUNCATE audit_events"))
    db.session.rollback()
    assert len(audit_rows()) == 1


def test_the_orm_refuses_an_update():
    event = _add_row(timedelta(days=1))
    event.outcome = "denied"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()


def test_prune_removes_only_old_rows_and_records_itself(app, security_figures):
    old = _add_row(timedelta(days=5 * 365 + 30)).id
    young = _add_row(timedelta(days=5 * 365 - 30)).id
    result = CliRunner().invoke(app.cli, ["audit", "prune"], obj=None, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Deleted 1 audit rows" in result.output
    rows = audit_rows()
    assert old not in [r.id for r in rows]
    assert [r.action for r in rows] == ["case.view", "audit.prune"]
    assert rows[0].id == young
    assert rows[1].details["deleted"] == 1
    security_figures.record("Audit rows: audit.prune", 1, expected=1)
    # The guard is back: a plain DELETE is refused again.
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_events"))
    db.session.rollback()


def test_prune_follows_the_setting(app, monkeypatch):
    _add_row(timedelta(days=40))
    _add_row(timedelta(days=10))
    monkeypatch.setitem(app.config, "AUDIT_RETENTION", 30)
    assert audit.prune_audit_events() == 1
    db.session.commit()
    assert [r.action for r in audit_rows()] == ["case.view", "audit.prune"]


def test_the_sqlite_trigger_is_restored_exactly():
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")

    def trigger_sql():
        return db.session.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'audit_events_no_delete'")
        ).scalar()

    before = trigger_sql()
    audit.prune_audit_events()
    db.session.commit()
    assert trigger_sql() == before == audit.SQLITE_NO_DELETE_TRIGGER


def test_a_prune_that_fails_deletes_nothing(monkeypatch):
    _add_row(timedelta(days=4000))
    monkeypatch.setattr(audit, "record", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        audit.prune_audit_events()
    db.session.rollback()
    assert len(audit_rows()) == 1
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_events"))
    db.session.rollback()


def test_every_response_has_a_request_id(client_for, make_user):
    client = client_for(make_user("advisor"))
    first, second = client.get("/"), client.get("/")
    ids = {first.headers["X-Request-Id"], second.headers["X-Request-Id"]}
    assert len(ids) == 2 and all(len(i) == 36 for i in ids)


def test_a_view_that_cannot_be_audited_is_not_served(world, client_for, monkeypatch):
    client = client_for(world.users.advisor_a)

    def broken(*_args):
        raise RuntimeError("database gone")

    monkeypatch.setattr(db.session, "add_all", broken, raising=False)
    response = client.get(f"/cases/{world.case.id}")
    monkeypatch.undo()
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Canaryhousehold" not in body
    assert response.headers["X-Request-Id"]
    assert response.headers["Content-Security-Policy"]


def test_the_hook_never_commits_what_a_view_left_behind(world, app):
    """A view that adds a row and records an event without committing: only the event."""
    from caseflow.notes.models import Note

    notes_before = db.session.query(Note).count()
    db.session.commit()
    with app.test_request_context(f"/cases/{world.case.id}"):
        db.session.add(Note(case_id=world.case.id, author_id=world.users.advisor_a.id, body="x"))
        db.session.flush()
        record("case.view", actor=world.users.advisor_a, object_id=world.case.id)
        response = audit._after_request(app.make_response("ok"))
    assert response.status_code == 200
    assert [r.action for r in rows_of(response)] == ["case.view"]
    assert db.session.query(Note).count() == notes_before


def test_429_is_recorded(world, client, app, monkeypatch, security_figures):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", "2 per hour")
    client.fetch_csrf()
    email = world.users.advisor_a.email
    for _ in range(2):
        client.post_form("/login", {"email": email, "password": "wrong-password-123"})
    response = client.post_form("/login", {"email": email, "password": "wrong-password-123"})
    assert response.status_code == 429
    written = rows_of(response)
    security_figures.record("Audit rows: rate_limited", len(written), expected=1)
    assert [(r.action, r.outcome, r.user_id) for r in written] == [("rate_limited", "denied", None)]
    assert email not in repr(written[0].details)


def test_security_events_go_to_the_log_as_json(world, client_for, caplog):
    advisor_b, advisor_a = client_for(world.users.advisor_b), client_for(world.users.advisor_a)
    caplog.set_level(logging.INFO, logger="caseflow.security")
    caplog.clear()  # the logins are security events too (tested in tests/auth)
    advisor_b.get(f"/cases/{world.case.id}")  # denied
    advisor_a.get(f"/cases/{world.case.id}")  # a plain view
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "caseflow.security"]
    assert len(lines) == 1
    line = lines[0]
    assert line["event"] == "case.view" and line["outcome"] == "denied"
    assert line["user_id"] == world.users.advisor_b.id
    assert line["object_id"] == world.case.id
    text_ = json.dumps(line)
    assert world.users.advisor_b.email not in text_
    assert world.users.advisor_b.full_name not in text_
    assert "Canary" not in text_


def test_prune_goes_to_the_security_log(caplog):
    caplog.set_level(logging.INFO, logger="caseflow.security")
    audit.prune_audit_events()
    db.session.commit()
    events = [json.loads(r.getMessage())["event"] for r in caplog.records]
    assert events == ["audit.prune"]


def test_record_outside_a_request_joins_the_callers_transaction(make_user):
    user = make_user("admin")
    before = audit_rows()  # user.created
    record("centre.update", actor=user, object_type="centre", object_id=user.centre_id)
    db.session.rollback()
    assert audit_rows() == before
    record("centre.update", actor=user, object_type="centre", object_id=user.centre_id)
    db.session.commit()
    [row] = [r for r in audit_rows() if r not in before]
    assert (row.user_id, row.role, row.centre_id, row.request_id) == (
        user.id,
        "admin",
        user.centre_id,
        None,
    )


def test_an_unknown_outcome_is_refused():
    with pytest.raises(ValueError):
        record("case.view", outcome="maybe")
