"""A small world for the audit tests: advisor A's case with canary names, advisor B,
a team lead, an admin and a team lead of another centre."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from caseflow.cases.models import CaseType
from caseflow.checklists.models import ChecklistItem, TemplateItem
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.audit import AuditEvent
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.extensions import db
from caseflow.followups.services import add_followup
from caseflow.mail.services import queue_email
from caseflow.notes.services import add_note
from tests.conftest import person

CANARY_HOUSEHOLD = "Canaryhousehold Qx7"
CANARY_PERSON = "Canaryperson Zw3"
CANARY_NOTE = "Canarynote text Vb9 about the family"


def audit_rows(**where) -> list[AuditEvent]:
    """The stored audit rows (a fresh read), oldest first, optionally filtered."""
    db.session.rollback()
    query = select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(db.session.scalars(query))


def rows_of(response) -> list[AuditEvent]:
    """The rows one request wrote (by its X-Request-Id)."""
    return audit_rows(request_id=response.headers["X-Request-Id"])


@pytest.fixture
def world(centre, other_centre, make_user, make_case):
    users = SimpleNamespace(
        advisor_a=make_user("advisor"),
        advisor_b=make_user("advisor"),
        lead=make_user("team_lead"),
        admin=make_user("admin"),
        other=make_user("team_lead", centre_=other_centre),
        other_admin=make_user("admin", centre_=other_centre),
    )
    seed_catalogue(centre)
    case = make_case(
        users.advisor_a,
        household_name=CANARY_HOUSEHOLD,
        persons=[person(first=CANARY_PERSON, email="ana@example.org")],
    )
    note = add_note(case, users.advisor_a, CANARY_NOTE)
    followup = add_followup(
        case,
        users.advisor_a,
        title="Call the family",
        details=None,
        due_date=case.created_at.date(),
        assignee_id=users.advisor_a.id,
    )
    second_followup = add_followup(
        case,
        users.advisor_a,
        title="Second call",
        details=None,
        due_date=case.created_at.date(),
        assignee_id=users.advisor_a.id,
    )
    db.session.commit()
    item = db.session.scalars(select(ChecklistItem).where(ChecklistItem.case_id == case.id)).first()
    template_item = db.session.get(TemplateItem, item.template_item_id)
    case_type = db.session.scalars(select(CaseType).where(CaseType.centre_id == centre.id)).first()
    message = queue_email(
        centre_id=centre.id,
        case_id=case.id,
        kind="test",
        recipients=["x@example.org"],
        subject="Subject",
        text_body="Body",
    )
    job = ExportJob(
        centre_id=centre.id,
        user_id=users.lead.id,
        case_ids=[case.id],
        total=1,
        done=1,
        status=ExportStatus.DONE,
        result=b"PK\x05\x06" + b"\x00" * 18,
    )
    db.session.add(job)
    db.session.commit()
    return SimpleNamespace(
        users=users,
        centre=centre,
        case=case,
        note=note,
        followup=followup,
        second_followup=second_followup,
        item=item,
        template_item=template_item,
        case_type=case_type,
        message=message,
        job=job,
    )
