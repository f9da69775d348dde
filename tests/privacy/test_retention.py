"""Retention (issue 10): closed cases anonymised N months after closing (a centre
setting), legal hold, and what piles up (audit rows, export files, email bodies,
backups). One entry point for the worker and ``flask retention run [--dry-run]``.

Most tests replace the erasure (``caseflow.privacy.erasure.erase_case``, tested in
tests/privacy/test_erasure*.py) with a fake that records its calls;
``test_end_to_end_the_case_is_erased`` runs the real one.
"""

from datetime import datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from caseflow.attachments.services import case_attachments, store_upload
from caseflow.attachments.storage import stored_files
from caseflow.backup.services import BACKUP_NAME
from caseflow.cases.legal_hold import place_legal_hold
from caseflow.cases.models import Activity, ActivityKind, Case, CaseStatus, ClosingReason
from caseflow.cases.services import change_status
from caseflow.centres.models import Centre
from caseflow.core import audit
from caseflow.core.audit import AuditEvent
from caseflow.core.time import utcnow
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage, OutboxStatus
from caseflow.mail.services import queue_email
from caseflow.privacy import erasure, retention
from caseflow.privacy.retention import due_cases, run_retention
from tests.attachments.files import png_bytes, upload
from tests.conftest import db_digest, person, reload
from tests.privacy.conftest import text_columns_holding

HOLD_REASON = "Court case Canaryhold 2026/17 pending"


# --- fixtures and helpers -------------------------------------------------------------


@pytest.fixture
def people(make_user, other_centre):
    class People:
        advisor = make_user("advisor")
        lead = make_user("team_lead")
        admin = make_user("admin")
        other_advisor = make_user("advisor", centre_=other_centre)
        other_lead = make_user("team_lead", centre_=other_centre)

    return People


def closed_case(make_case, advisor, closed_ago: timedelta | relativedelta, **fields) -> Case:
    """A case of ``advisor``'s centre, closed ``closed_ago`` before now."""
    case = make_case(advisor, **fields)
    change_status(case, advisor, CaseStatus.CLOSED, reason=ClosingReason.COMPLETED)
    case.closed_at = utcnow() - closed_ago
    db.session.commit()
    return case


@pytest.fixture
def erased(monkeypatch) -> list[tuple]:
    """A fake ``erase_case`` that records its calls and changes the case (so a commit, or
    a rollback, shows)."""
    calls: list[tuple] = []

    def fake_erase_case(case, *, reason, actor=None):
        calls.append((case.reference, reason, actor))
        case.household_name = "Erased household"
        db.session.flush()

    monkeypatch.setattr(erasure, "erase_case", fake_erase_case)
    return calls


def references(rows) -> list[str]:
    return [reference for _id, reference, _months in rows]


def audit_rows(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


# --- which cases ----------------------------------------------------------------------


def test_selection_follows_each_centre_s_setting(people, make_case, other_centre):
    other_centre.retention_months = 6
    db.session.commit()
    due = closed_case(make_case, people.advisor, relativedelta(months=24, days=1))
    not_yet = closed_case(make_case, people.advisor, relativedelta(months=23, days=27))
    open_case = make_case(people.advisor)
    held = closed_case(make_case, people.advisor, relativedelta(months=40))
    place_legal_hold(held, people.lead, HOLD_REASON)
    db.session.commit()
    other_due = closed_case(make_case, people.other_advisor, relativedelta(months=7))
    other_not_yet = closed_case(make_case, people.other_advisor, relativedelta(months=5))

    found = references(due_cases())

    assert sorted(found) == sorted([due.reference, other_due.reference])
    for case in (not_yet, open_case, held, other_not_yet):
        assert case.reference not in found


def test_the_default_is_24_months(centre):
    assert centre.retention_months == 24


def test_a_reopened_case_is_not_due(people, make_case):
    case = closed_case(make_case, people.advisor, relativedelta(months=30))
    change_status(case, people.advisor, CaseStatus.OPEN)
    db.session.commit()
    assert due_cases() == []


def test_an_erased_case_is_not_selected_again(people, make_case):
    case = closed_case(make_case, people.advisor, relativedelta(months=30))
    assert references(due_cases()) == [case.reference]
    case.erased_at = utcnow()
    db.session.commit()
    assert due_cases() == []


def test_oldest_closing_first(people, make_case):
    newer = closed_case(make_case, people.advisor, relativedelta(months=25))
    older = closed_case(make_case, people.advisor, relativedelta(months=50))
    assert references(due_cases()) == [older.reference, newer.reference]


# --- the run --------------------------------------------------------------------------


def test_run_erases_due_cases_without_an_actor(people, make_case, erased):
    due = closed_case(make_case, people.advisor, relativedelta(months=25))
    kept = closed_case(make_case, people.advisor, relativedelta(months=2))

    result = run_retention(commit=db.session.commit)

    assert result.anonymised == [due.reference]
    assert erased == [(due.reference, "Retention: closed more than 24 months ago", None)]
    assert reload(Case, due.id).household_name == "Erased household"
    assert reload(Case, kept.id).household_name == "Silva family"
    [row] = audit_rows("retention.run")
    assert row.user_id is None
    assert row.details == {
        "cases": 1,
        "failed": 0,
        "audit_rows": 0,
        "exports": 0,
        "email_bodies": 0,
        "backups": 0,
        "portal_links": 0,
        "contact_details": 0,
        "walk_in_names": 0,
    }


def test_a_case_put_on_hold_after_selection_is_left_alone(people, make_case, erased, monkeypatch):
    """The case is checked again, locked, right before its erasure."""
    case = closed_case(make_case, people.advisor, relativedelta(months=25))
    selected = due_cases()

    place_legal_hold(case, people.lead, HOLD_REASON)
    db.session.commit()
    monkeypatch.setattr(retention, "due_cases", lambda now: selected)
    result = run_retention(commit=db.session.commit)

    assert erased == [] and result.anonymised == []


def test_one_failing_case_undoes_nothing_else(people, make_case, monkeypatch):
    first = closed_case(make_case, people.advisor, relativedelta(months=40))
    broken = closed_case(make_case, people.advisor, relativedelta(months=30))
    last = closed_case(make_case, people.advisor, relativedelta(months=25))

    def erase_case(case, *, reason, actor=None):
        case.household_name = "Erased household"
        db.session.flush()
        if case.id == broken.id:
            raise RuntimeError("disk full")

    monkeypatch.setattr(erasure, "erase_case", erase_case)
    result = run_retention(commit=db.session.commit)

    assert result.anonymised == [first.reference, last.reference]
    assert result.failed == [(broken.reference, "RuntimeError: disk full")]
    assert reload(Case, first.id).household_name == "Erased household"
    assert reload(Case, broken.id).household_name == "Silva family"  # rolled back alone
    assert reload(Case, last.id).household_name == "Erased household"
    assert audit_rows("retention.run")[0].details["failed"] == 1


@pytest.fixture
def piles(app, centre, people, make_case, tmp_path, monkeypatch):
    """One of everything retention prunes, old enough, and one of each that is not."""
    now = utcnow()
    case = make_case(people.advisor)
    for age in (timedelta(days=5 * 365 + 10), timedelta(days=10)):
        db.session.add(AuditEvent(occurred_at=now - age, action="case.view", outcome="ok"))
    for age in (timedelta(hours=30), timedelta(hours=2)):
        db.session.add(
            ExportJob(
                centre_id=centre.id,
                user_id=people.lead.id,
                case_ids=[case.id],
                total=1,
                done=1,
                status=ExportStatus.DONE,
                result=b"PK\x05\x06" + b"\x00" * 18,
                finished_at=now - age,
            )
        )
    for age in (timedelta(days=45), timedelta(days=3)):
        message = queue_email(
            centre_id=centre.id,
            case_id=case.id,
            kind="test",
            recipients=["family@example.net"],
            subject="Your checklist",
            text_body="Dear family, ...",
        )
        message.status = OutboxStatus.SENT
        message.sent_at = now - age
    db.session.commit()
    backups = tmp_path / "backups"
    backups.mkdir()
    kind = db.engine.dialect.name
    names = [f"caseflow-{kind}-2026010{day}T024500.000000Z.backup" for day in range(1, 5)]
    for name in names:
        assert BACKUP_NAME.fullmatch(name)
        (backups / name).write_bytes(b"backup")
    (backups / "notes.txt").write_text("not a backup")
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(backups))
    monkeypatch.setitem(app.config, "BACKUP_KEEP", 2)
    return backups, names


def test_run_prunes_what_piles_up(piles, erased):
    backups, names = piles
    result = run_retention(commit=db.session.commit)

    assert (result.audit_rows, result.exports, result.email_bodies) == (1, 1, 1)
    assert result.backups == [names[1], names[0]]  # the two oldest
    assert sorted(p.name for p in backups.iterdir()) == sorted([*names[2:], "notes.txt"])
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(db.func.count()).where(AuditEvent.occurred_at < utcnow() - audit.retention())
        )
        == 0
    )
    statuses = sorted(job.status for job in db.session.scalars(select(ExportJob)))
    assert statuses == sorted([ExportStatus.DONE, ExportStatus.EXPIRED])
    bodies = sorted(m.text_body for m in db.session.scalars(select(OutboxMessage)))
    assert bodies == ["", "Dear family, ..."]
    assert len(audit_rows("audit.prune")) == 1


def test_nothing_due_records_no_audit_prune(people, erased):
    run_retention(commit=db.session.commit)
    assert audit_rows("audit.prune") == []
    assert len(audit_rows("retention.run")) == 1


def test_a_dry_run_changes_nothing_and_counts_what_a_run_does(people, make_case, piles, erased):
    backups, names = piles
    due = closed_case(make_case, people.advisor, relativedelta(months=25))
    before = db_digest()
    audit_before = len(db.session.scalars(select(AuditEvent)).all())
    files_before = sorted(p.name for p in backups.iterdir())

    planned = run_retention(commit=db.session.commit, dry_run=True)
    db.session.rollback()

    assert db_digest() == before
    assert len(db.session.scalars(select(AuditEvent)).all()) == audit_before
    assert sorted(p.name for p in backups.iterdir()) == files_before
    assert erased == []
    assert planned.anonymised == [due.reference]

    done = run_retention(commit=db.session.commit)
    assert planned.counts() == done.counts()
    assert planned.backups == done.backups


# --- the CLI --------------------------------------------------------------------------


def test_cli_dry_run_prints_what_it_would_do(app, people, make_case, piles, erased):
    due = closed_case(make_case, people.advisor, relativedelta(months=25))
    before = db_digest()

    result = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert db_digest() == before
    lines = result.output.splitlines()
    assert lines[0] == "Dry run: nothing was changed."
    assert "Cases would be anonymised: 1" in lines
    assert f"  {due.reference}" in lines
    assert "Audit rows would be deleted (older than 1826 days): 1" in lines
    assert "Export files would be deleted (older than 24 hours): 1" in lines
    assert "Email bodies would be deleted (sent more than 30 days ago): 1" in lines
    assert "Backups would be deleted (beyond the newest 2): 2" in lines
    assert erased == []


def test_cli_run_prints_what_it_did(app, people, make_case, erased):
    due = closed_case(make_case, people.advisor, relativedelta(months=25))

    result = app.test_cli_runner().invoke(args=["retention", "run"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Retention done."
    assert lines[1:3] == ["Cases anonymised: 1", f"  {due.reference}"]
    assert "Audit rows deleted (older than 1826 days): 0" in lines
    assert [call[0] for call in erased] == [due.reference]
    assert reload(Case, due.id).household_name == "Erased household"


def test_cli_run_fails_loudly_when_a_case_fails(app, people, make_case, monkeypatch):
    due = closed_case(make_case, people.advisor, relativedelta(months=25))

    def erase_case(case, *, reason, actor=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(erasure, "erase_case", erase_case)
    result = app.test_cli_runner().invoke(args=["retention", "run"])

    assert result.exit_code == 1
    assert "Failed: 1" in result.output
    assert f"  {due.reference}: RuntimeError: boom" in result.output


def test_end_to_end_the_case_is_erased(app, people, make_case):
    """The real erasure (not a fake): after a run the case shows as erased."""
    case = closed_case(
        make_case,
        people.advisor,
        relativedelta(months=25),
        persons=[person("Canaryfirst", "Canarylast")],
    )
    kept = closed_case(make_case, people.advisor, relativedelta(months=2))
    store_upload(case, upload(png_bytes(), "Canaryfirst passport.png"), uploaded_by=people.advisor)
    store_upload(kept, upload(png_bytes(), "Recent.png"), uploaded_by=people.advisor)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["retention", "run"])

    assert result.exit_code == 0, result.output
    assert case.reference in result.output
    stored = reload(Case, case.id)
    assert stored.erased_at is not None
    assert stored.erased_by_id is None  # retention, not a person
    assert due_cases() == []
    assert text_columns_holding("Canaryfirst") == []
    # The erased case's file is gone from the disk; the recent case's stays.
    assert [a.original_name for a in case_attachments(kept.id)] == ["Recent.png"]
    assert case_attachments(case.id) == []
    assert [p.name for p in stored_files()] == [case_attachments(kept.id)[0].stored_name]


# --- the worker -----------------------------------------------------------------------


def test_the_worker_runs_retention_nightly(app, monkeypatch):
    from caseflow import worker
    from caseflow.core import tasks

    assert app.config["SCHEDULE"]["retention"] == "30 2 * * *"
    assert worker.SCHEDULED["retention"] is worker.retention
    at_0230_brussels = datetime(2026, 1, 13, 1, 30)
    due = {task.name for task in tasks.queue(app).read_periodic(at_0230_brussels)}
    assert "schedule.retention" in due

    calls = []
    monkeypatch.setattr(
        retention,
        "run_retention",
        lambda **kwargs: calls.append(kwargs) or retention.RetentionResult(dry_run=False),
    )
    worker.retention()
    assert calls == [{"commit": db.session.commit}]


def test_the_worker_commits_per_case(people, make_case, erased):
    from caseflow import worker

    due = closed_case(make_case, people.advisor, relativedelta(months=25))
    worker.retention()
    db.session.rollback()  # nothing left uncommitted
    assert reload(Case, due.id).household_name == "Erased household"


# --- legal hold -----------------------------------------------------------------------


def test_a_lead_puts_a_case_on_hold_and_lifts_it(people, make_case, client_for):
    case = make_case(people.advisor)
    lead = client_for(people.lead)

    response = lead.post_form(
        f"/cases/{case.id}/legal-hold", {"reason": HOLD_REASON, "version": case.version}
    )

    assert response.status_code == 302
    stored = reload(Case, case.id)
    assert stored.on_legal_hold
    assert stored.legal_hold_reason == HOLD_REASON
    assert stored.legal_hold_by_id == people.lead.id
    page = lead.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "On legal hold" in page and HOLD_REASON in page
    assert "Lift the legal hold" in page
    [placed] = audit_rows("case.legal_hold")
    assert (placed.outcome, placed.object_id, placed.case_id) == ("ok", case.id, case.id)
    assert "Canaryhold" not in repr(placed.details)  # the reason stays out of the trail

    response = lead.post_form(f"/cases/{case.id}/legal-hold/lift", {"version": stored.version})

    assert response.status_code == 302
    stored = reload(Case, case.id)
    assert not stored.on_legal_hold
    assert stored.legal_hold_reason is None and stored.legal_hold_by_id is None
    [lifted] = audit_rows("case.legal_hold_lift")
    assert (lifted.outcome, lifted.object_id) == ("ok", case.id)
    kinds = [
        a.kind
        for a in db.session.scalars(
            select(Activity).where(Activity.case_id == case.id).order_by(Activity.id)
        )
    ]
    assert kinds[-2:] == [ActivityKind.LEGAL_HOLD_PLACED, ActivityKind.LEGAL_HOLD_LIFTED]


def test_a_hold_needs_a_reason(people, make_case, client_for):
    case = make_case(people.advisor)
    admin = client_for(people.admin)
    before = db_digest()
    response = admin.post_form(
        f"/cases/{case.id}/legal-hold", {"reason": "  ", "version": case.version}
    )
    assert response.status_code == 400
    assert db_digest() == before
    assert audit_rows("case.legal_hold")[0].outcome == "failed"


def test_a_stale_hold_form_is_a_conflict(people, make_case, client_for):
    case = make_case(people.advisor)
    stale = case.version
    change_status(case, people.advisor, CaseStatus.WAITING_ON_CLIENT)
    db.session.commit()
    response = client_for(people.lead).post_form(
        f"/cases/{case.id}/legal-hold", {"reason": HOLD_REASON, "version": stale}
    )
    assert response.status_code == 409
    assert not reload(Case, case.id).on_legal_hold


@pytest.mark.parametrize(
    ("who", "expected"),
    [("advisor", 403), ("lead", 302), ("admin", 302), ("other_lead", 404)],
)
def test_who_may_place_a_hold(people, make_case, client_for, who, expected):
    case = make_case(people.advisor)
    client = client_for(getattr(people, who))
    before = db_digest()
    response = client.post_form(
        f"/cases/{case.id}/legal-hold", {"reason": HOLD_REASON, "version": case.version}
    )
    assert response.status_code == expected
    if expected != 302:
        assert db_digest() == before
        assert audit_rows("case.legal_hold")[0].outcome == "denied"


def test_an_advisor_sees_the_hold_but_not_the_form(people, make_case, client_for):
    case = make_case(people.advisor)
    place_legal_hold(case, people.lead, HOLD_REASON)
    db.session.commit()
    page = client_for(people.advisor).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "On legal hold" in page and HOLD_REASON in page
    assert "/legal-hold" not in page
    lead_page = client_for(people.lead).get(f"/cases/{make_case(people.advisor).id}")
    assert "Put on legal hold" in lead_page.get_data(as_text=True)


def test_the_case_list_filters_on_legal_hold(people, make_case, client_for):
    held = make_case(people.advisor, household_name="Heldfamily")
    make_case(people.advisor, household_name="Freefamily")
    place_legal_hold(held, people.lead, HOLD_REASON)
    db.session.commit()
    lead = client_for(people.lead)

    on_hold = lead.get("/cases?hold=1").get_data(as_text=True)
    not_on_hold = lead.get("/cases?hold=0").get_data(as_text=True)
    anything = lead.get("/cases").get_data(as_text=True)

    assert "Heldfamily" in on_hold and "Freefamily" not in on_hold
    assert "Freefamily" in not_on_hold and "Heldfamily" not in not_on_hold
    assert "Heldfamily" in anything and "Freefamily" in anything
    assert 'name="hold"' in anything


# --- the centre setting ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "121", "-3", "twelve", ""])
def test_the_setting_refuses_nonsense(people, client_for, centre, value):
    admin = client_for(people.admin)
    before = db_digest()
    response = admin.post_form("/admin/centre", {"retention_months": value})
    assert response.status_code == 400
    assert db_digest() == before
    assert reload(Centre, centre.id).retention_months == 24


@pytest.mark.parametrize("value", [1, 36, 120])
def test_an_admin_sets_the_retention(people, client_for, centre, value):
    admin = client_for(people.admin)
    assert 'name="retention_months"' in admin.get("/admin/centre").get_data(as_text=True)
    response = admin.post_form("/admin/centre", {"retention_months": str(value)})
    assert response.status_code == 302
    assert reload(Centre, centre.id).retention_months == value
    [row] = audit_rows("centre.update")
    assert row.details["fields"] == ([] if value == 24 else ["retention_months"])


def test_the_setting_changes_what_is_due(people, make_case, centre):
    case = closed_case(make_case, people.advisor, relativedelta(months=13))
    assert due_cases() == []
    centre.retention_months = 12
    db.session.commit()
    assert references(due_cases()) == [case.reference]
