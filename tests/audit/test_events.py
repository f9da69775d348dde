"""Every audited event writes exactly one row, with the right fields (SQLite and PG).

Each case below is one request; the rows it wrote are found by its X-Request-Id and
counted. The figure "Audit rows: <kind>" is reported to the security report.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from caseflow.cases.legal_hold import place_legal_hold
from caseflow.cases.models import Case
from caseflow.checklists.models import ChecklistItem
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.extensions import db
from caseflow.followups.models import FollowUp
from caseflow.notes.models import Note
from caseflow.reviews.services import request_review
from tests.audit.conftest import (
    CANARY_HOUSEHOLD,
    CANARY_NOTE,
    CANARY_PERSON,
    audit_rows,
    rows_of,
)
from tests.checklists.test_admin_pages import step_form
from tests.conftest import reload
from tests.forms_helpers import edit_case_form, future_day


def _version(model, ident) -> str:
    return str(reload(model, ident).version)


@dataclass
class Event:
    action: str
    who: str
    method: str
    url: Callable
    data: Callable = lambda w: {}
    object_type: str | None = None
    object_id: Callable = lambda w: None
    on_case: bool = True
    outcome: str = "ok"
    setup: Callable | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def case_url(suffix=""):
    return lambda w: f"/cases/{w.case.id}{suffix}"


def _hold(w) -> None:
    place_legal_hold(w.case, w.users.lead, "Inquiry")
    db.session.commit()


EVENTS = {
    "case.view": Event(
        "case.view",
        "advisor_a",
        "GET",
        case_url(),
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "case.view (edit form)": Event(
        "case.view",
        "advisor_a",
        "GET",
        case_url("/edit"),
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "case.update": Event(
        "case.update",
        "advisor_a",
        "POST",
        case_url("/edit"),
        lambda w: edit_case_form(w.case.id, {"municipality": "Hasselt"}),
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "case.update (failed form)": Event(
        "case.update",
        "advisor_a",
        "POST",
        case_url("/edit"),
        lambda w: {"household_name": ""},
        object_type="case",
        object_id=lambda w: w.case.id,
        outcome="failed",
    ),
    "case.status": Event(
        "case.status",
        "advisor_a",
        "POST",
        case_url("/status"),
        lambda w: {"status": "waiting_on_client", "version": w.case.version},
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "case.assign": Event(
        "case.assign",
        "lead",
        "POST",
        case_url("/assign"),
        lambda w: {"advisor_id": w.users.advisor_b.id, "version": w.case.version},
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "case.legal_hold": Event(
        "case.legal_hold",
        "lead",
        "POST",
        case_url("/legal-hold"),
        lambda w: {"reason": "Court case about " + CANARY_HOUSEHOLD, "version": w.case.version},
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "case.legal_hold_lift": Event(
        "case.legal_hold_lift",
        "lead",
        "POST",
        case_url("/legal-hold/lift"),
        lambda w: {"version": _version(Case, w.case.id)},
        object_type="case",
        object_id=lambda w: w.case.id,
        setup=lambda w: _hold(w),
    ),
    "case.pdf": Event(
        "case.pdf",
        "advisor_a",
        "POST",
        case_url("/summary.pdf"),
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "case.client_pdf": Event(
        "case.client_pdf",
        "advisor_a",
        "POST",
        case_url("/client-checklist.pdf"),
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "note.create": Event(
        "note.create",
        "advisor_a",
        "POST",
        case_url("/notes"),
        lambda w: {"body": "Another " + CANARY_NOTE},
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "note.view": Event(
        "note.view",
        "advisor_a",
        "GET",
        lambda w: f"/cases/{w.case.id}/notes/{w.note.id}/edit",
        object_type="note",
        object_id=lambda w: w.note.id,
    ),
    "note.update": Event(
        "note.update",
        "advisor_a",
        "POST",
        lambda w: f"/cases/{w.case.id}/notes/{w.note.id}/edit",
        lambda w: {"body": CANARY_NOTE + " edited", "version": _version(Note, w.note.id)},
        object_type="note",
        object_id=lambda w: w.note.id,
    ),
    "followup.create": Event(
        "followup.create",
        "advisor_a",
        "POST",
        case_url("/followups"),
        lambda w: {
            "title": "Ring back",
            "due_date": future_day(),
            "assignee_id": w.users.advisor_a.id,
        },
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "followup.complete": Event(
        "followup.complete",
        "advisor_a",
        "POST",
        lambda w: f"/cases/{w.case.id}/followups/{w.followup.id}/done",
        lambda w: {"version": _version(FollowUp, w.followup.id)},
        object_type="followup",
        object_id=lambda w: w.followup.id,
    ),
    "followup.cancel": Event(
        "followup.cancel",
        "advisor_a",
        "POST",
        lambda w: f"/cases/{w.case.id}/followups/{w.second_followup.id}/cancel",
        lambda w: {"version": _version(FollowUp, w.second_followup.id)},
        object_type="followup",
        object_id=lambda w: w.second_followup.id,
    ),
    "checklist_item.view": Event(
        "checklist_item.view",
        "advisor_a",
        "GET",
        lambda w: f"/cases/{w.case.id}/checklist/{w.item.id}",
        object_type="checklist_item",
        object_id=lambda w: w.item.id,
    ),
    "checklist_item.update": Event(
        "checklist_item.update",
        "advisor_a",
        "POST",
        lambda w: f"/cases/{w.case.id}/checklist/{w.item.id}",
        lambda w: {
            "state": "in_progress",
            "note": "",
            "version": _version(ChecklistItem, w.item.id),
        },
        object_type="checklist_item",
        object_id=lambda w: w.item.id,
    ),
    "checklist_item.done": Event(
        "checklist_item.done",
        "advisor_a",
        "POST",
        lambda w: f"/cases/{w.case.id}/checklist/{w.item.id}/done",
        lambda w: {"version": _version(ChecklistItem, w.item.id)},
        object_type="checklist_item",
        object_id=lambda w: w.item.id,
    ),
    "email.view": Event(
        "email.view",
        "advisor_a",
        "GET",
        case_url("/email-checklist"),
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "email.preview": Event(
        "email.preview",
        "advisor_a",
        "POST",
        case_url("/email-checklist"),
        lambda w: {"recipients": "ana@example.org", "action": "preview", "personal_message": ""},
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "email.queued": Event(
        "email.queued",
        "advisor_a",
        "POST",
        case_url("/email-checklist"),
        lambda w: {"recipients": "ana@example.org", "action": "send", "personal_message": "Hello"},
        object_type="email",
    ),
    "email.retry": Event(
        "email.retry",
        "advisor_a",
        "POST",
        lambda w: f"/cases/{w.case.id}/emails/{w.message.id}/retry",
        object_type="email",
        object_id=lambda w: w.message.id,
    ),
    "review.request": Event(
        "review.request",
        "advisor_a",
        "POST",
        case_url("/review"),
        lambda w: {"comment": "Please check"},
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "review.decide": Event(
        "review.decide",
        "lead",
        "POST",
        lambda w: f"/reviews/{w.review.id}/approve",
        lambda w: {"response": ""},
        object_type="review",
        object_id=lambda w: w.review.id,
        setup=lambda w: setattr(w, "review", _review(w)),
    ),
    "export.zip": Event(
        "export.zip",
        "lead",
        "POST",
        lambda w: "/exports",
        lambda w: {"scope": "selected", "case_ids": str(w.case.id)},
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "export.download": Event(
        "export.download",
        "lead",
        "GET",
        lambda w: f"/exports/{w.job.id}/download",
        object_type="export_job",
        object_id=lambda w: w.job.id,
        on_case=False,
    ),
    "export.retry": Event(
        "export.retry",
        "lead",
        "POST",
        lambda w: f"/exports/{w.job.id}/retry",
        object_type="export_job",
        object_id=lambda w: w.job.id,
        on_case=False,
        setup=lambda w: _fail_job(w),
    ),
    "report.export": Event(
        "report.export",
        "lead",
        "GET",
        lambda w: "/reports/funder.csv",
        object_type="report",
        on_case=False,
        extra={"fmt": "csv"},
    ),
    "case_type.create": Event(
        "case_type.create",
        "admin",
        "POST",
        lambda w: "/admin/case-types",
        lambda w: {
            "name_en": "Researchers",
            "name_nl": "Onderzoekers",
            "position": "3",
            "is_active": "y",
        },
        object_type="case_type",
        on_case=False,
    ),
    "case_type.update": Event(
        "case_type.update",
        "admin",
        "POST",
        lambda w: f"/admin/case-types/{w.case_type.id}",
        lambda w: {
            "name_en": "Workers",
            "name_nl": "Werknemers",
            "position": "1",
            "is_active": "y",
        },
        object_type="case_type",
        object_id=lambda w: w.case_type.id,
        on_case=False,
    ),
    "template.create": Event(
        "template.create",
        "admin",
        "POST",
        lambda w: "/admin/checklists/new",
        lambda w: {"name": "Researchers", "is_active": "y"},
        object_type="template",
        on_case=False,
    ),
    "template.update": Event(
        "template.update",
        "admin",
        "POST",
        lambda w: f"/admin/checklists/{w.template_item.template_id}",
        lambda w: {"name": "Renamed", "is_active": "y"},
        object_type="template",
        object_id=lambda w: w.template_item.template_id,
        on_case=False,
    ),
    "template_item.create": Event(
        "template_item.create",
        "admin",
        "POST",
        lambda w: f"/admin/checklists/{w.template_item.template_id}/items/new",
        lambda w: step_form(),
        object_type="template_item",
        on_case=False,
    ),
    "template_item.update": Event(
        "template_item.update",
        "admin",
        "POST",
        lambda w: f"/admin/checklists/{w.template_item.template_id}/items/{w.template_item.id}",
        lambda w: step_form(),
        object_type="template_item",
        object_id=lambda w: w.template_item.id,
        on_case=False,
    ),
    "template_item.move": Event(
        "template_item.move",
        "admin",
        "POST",
        lambda w: (
            f"/admin/checklists/{w.template_item.template_id}/items/{w.template_item.id}/move"
        ),
        lambda w: {"direction": "down"},
        object_type="template_item",
        object_id=lambda w: w.template_item.id,
        on_case=False,
    ),
    "template.preview": Event(
        "template.preview",
        "admin",
        "GET",
        lambda w: (
            f"/admin/checklists/{w.template_item.template_id}/preview?reference={w.case.reference}"
        ),
        object_type="template",
        object_id=lambda w: w.template_item.template_id,
    ),
    "centre.update": Event(
        "centre.update",
        "admin",
        "POST",
        lambda w: "/admin/centre",
        lambda w: {"closing_needs_approval": "y", "retention_months": "24"},
        object_type="centre",
        object_id=lambda w: w.centre.id,
        on_case=False,
    ),
    "case.access_log": Event(
        "case.access_log",
        "lead",
        "GET",
        case_url("/access-log"),
        object_type="case",
        object_id=lambda w: w.case.id,
    ),
    "user.activity": Event(
        "user.activity",
        "admin",
        "GET",
        lambda w: f"/admin/users/{w.users.advisor_a.id}/activity",
        object_type="user",
        object_id=lambda w: w.users.advisor_a.id,
        on_case=False,
    ),
    # Refusals: the view's own action, outcome denied.
    "case.view denied (404, advisor B)": Event(
        "case.view",
        "advisor_b",
        "GET",
        case_url(),
        object_type="case",
        object_id=lambda w: w.case.id,
        outcome="denied",
        extra={"status": 404},
    ),
    "case.view denied (404, other centre)": Event(
        "case.view",
        "other",
        "GET",
        case_url(),
        object_type="case",
        object_id=lambda w: w.case.id,
        outcome="denied",
        extra={"status": 404},
    ),
    "case.assign denied (403)": Event(
        "case.assign",
        "advisor_a",
        "POST",
        case_url("/assign"),
        lambda w: {"advisor_id": w.users.advisor_b.id},
        object_type="case",
        object_id=lambda w: w.case.id,
        outcome="denied",
        extra={"status": 403},
    ),
    "case.access_log denied (403)": Event(
        "case.access_log",
        "advisor_a",
        "GET",
        case_url("/access-log"),
        object_type="case",
        object_id=lambda w: w.case.id,
        outcome="denied",
    ),
    "user.activity denied (other centre)": Event(
        "user.activity",
        "other_admin",
        "GET",
        lambda w: f"/admin/users/{w.users.advisor_a.id}/activity",
        object_type="user",
        object_id=lambda w: w.users.advisor_a.id,
        on_case=False,
        outcome="denied",
    ),
    # An object route that is not @audited (a progress page): the generic denied row.
    "access.denied (404 on an object route)": Event(
        "access.denied",
        "other",
        "GET",
        lambda w: f"/exports/{w.job.id}",
        object_type="job",
        object_id=lambda w: w.job.id,
        on_case=False,
        outcome="denied",
    ),
    "access.denied (403)": Event(
        "access.denied", "advisor_a", "GET", lambda w: "/team", on_case=False, outcome="denied"
    ),
}


def _review(w):
    review = request_review(w.case, w.users.advisor_a, "Look please")
    db.session.commit()
    return review


def _fail_job(w):
    job = db.session.get(ExportJob, w.job.id)
    job.status = ExportStatus.FAILED
    db.session.commit()


@pytest.mark.parametrize("kind", list(EVENTS))
def test_each_event_writes_exactly_one_row(kind, world, client_for, security_figures):
    event = EVENTS[kind]
    if event.setup:
        event.setup(world)
    user = getattr(world.users, event.who)
    client = client_for(user)
    before = len(audit_rows())
    url = event.url(world)
    if event.method == "GET":
        response = client.get(url)
    else:
        response = client.post_form(url, event.data(world))
    response.close()

    written = rows_of(response)
    security_figures.record(f"Audit rows: {event.action}", len(written), expected=1)
    assert [r.action for r in written] == [event.action], (response.status_code, written)
    assert len(audit_rows()) == before + 1  # nothing else written for this request
    row = written[0]
    assert row.outcome == event.outcome, (response.status_code, row.details)
    assert row.user_id == user.id
    assert row.role == user.role.value
    assert row.centre_id == user.centre_id
    assert row.object_type == event.object_type
    if event.object_id(world) is not None:
        assert row.object_id == event.object_id(world)
    if event.on_case:
        assert row.case_id == world.case.id
    assert row.request_id == response.headers["X-Request-Id"]
    assert row.source_address == "127.0.0.1"
    assert row.occurred_at is not None
    for key, value in event.extra.items():
        assert row.details.get(key) == value
    text = repr(row.details)
    for canary in (CANARY_HOUSEHOLD, CANARY_PERSON, CANARY_NOTE, "Canary", user.email):
        assert canary not in text


def test_case_create_names_the_new_case(world, client_for, security_figures):
    from tests.forms_helpers import new_case_form

    client = client_for(world.users.advisor_a)
    response = client.post_form(
        "/cases/new", new_case_form(world.case_type.id, persons=[{"first_name": CANARY_PERSON}])
    )
    assert response.status_code == 302
    written = rows_of(response)
    security_figures.record("Audit rows: case.create", len(written), expected=1)
    assert [r.action for r in written] == ["case.create"]
    new_id = int(response.location.rstrip("/").rsplit("/", 1)[1])
    assert written[0].object_id == written[0].case_id == new_id
    assert CANARY_PERSON not in repr(written[0].details)


def test_take_from_the_queue(world, client_for, make_case, security_figures):
    queued = make_case(None, actor=world.users.advisor_a)
    response = client_for(world.users.advisor_b).post_form(
        f"/cases/{queued.id}/take", {"version": queued.version}
    )
    written = rows_of(response)
    security_figures.record("Audit rows: case.take", len(written), expected=1)
    assert [(r.action, r.outcome, r.case_id) for r in written] == [("case.take", "ok", queued.id)]


def test_bulk_reassign_writes_one_row_per_case(world, client_for, security_figures):
    response = client_for(world.users.lead).post_form(
        f"/team/reassign?from={world.users.advisor_a.id}",
        {"to": world.users.advisor_b.id, "all": "1"},
    )
    assert response.status_code == 302
    written = rows_of(response)
    security_figures.record("Audit rows: case.assign (bulk)", len(written), expected=1)
    assert [(r.action, r.case_id) for r in written] == [("case.assign", world.case.id)]
    assert written[0].details["advisor_id"] == world.users.advisor_b.id


def test_a_rolled_back_email_leaves_no_queued_row(world, client_for):
    response = client_for(world.users.advisor_a).post_form(
        f"/cases/{world.case.id}/email-checklist",
        {"recipients": "not-an-address", "action": "send", "personal_message": ""},
    )
    assert response.status_code == 400
    assert [(r.action, r.outcome) for r in rows_of(response)] == [("email.queued", "failed")]


def test_the_worker_records_queued_reminders(world, app):
    """Outside a request a row joins the caller's transaction (here: the reminders)."""
    from caseflow.mail.reminders import queue_reminders

    before = len(audit_rows(action="email.queued"))
    queued = queue_reminders()
    db.session.commit()
    rows = audit_rows(action="email.queued")
    assert len(rows) == before + queued
    assert queued >= 1
    assert all(r.request_id is None and r.user_id is None for r in rows[before:])


def test_an_export_of_nothing_is_a_failed_row(world, client_for):
    response = client_for(world.users.lead).post_form("/exports", {"scope": "selected"})
    assert response.status_code == 302
    assert [(r.action, r.outcome) for r in rows_of(response)] == [("export.zip", "failed")]
