import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from caseflow.portal import services
from tests.conftest import person

LINK = re.compile(r"http://localhost/p/([A-Za-z0-9_-]+)")
CSRF_VALUE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="[^"]+"')


@pytest.fixture
def family(centre, make_user, make_case):
    """Advisor Arne's case of the Okafor family (two people, catalogue checklist),
    a colleague, a note and a follow-up the client must never see, and another case."""
    seed_catalogue(centre)
    db.session.commit()
    advisor = make_user("advisor", name="Arne Advisor")
    colleague = make_user("advisor", name="Bea Colleague")
    case = make_case(
        advisor,
        household_name="Okafor household",
        contact_email="okafor@example.org",
        client_language="fr",
        arrival_date=today() - timedelta(days=40),
        persons=[
            person("Chidi", "Okafor", "main_applicant", date_of_birth=date(1985, 6, 6)),
            person("Ada", "Okafor", "child", date_of_birth=date(2016, 3, 3)),
        ],
    )
    other = make_case(
        colleague,
        household_name="Lindqvist household",
        contact_email="lindqvist@example.org",
        persons=[person("Sven", "Lindqvist", "main_applicant")],
    )
    from caseflow.followups.services import add_followup
    from caseflow.notes.services import add_note

    add_note(case, advisor, "Private note: Chidi seemed worried.")
    add_followup(
        case,
        colleague,
        title="Secret follow-up for Bea",
        details=None,
        due_date=today() + timedelta(days=3),
        assignee_id=colleague.id,
    )
    db.session.commit()
    return advisor, colleague, case, other


def items_of(case) -> list[ChecklistItem]:
    return list(
        db.session.scalars(
            select(ChecklistItem).where(ChecklistItem.case_id == case.id).order_by(ChecklistItem.id)
        )
    )


def new_link(case, advisor) -> str:
    token = services.create_link(case, advisor)
    db.session.commit()
    return token


def token_in_outbox(kind: str = services.LINK_EMAIL_KIND) -> str:
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id.desc())
    ).first()
    return LINK.search(message.text_body).group(1)


def without_csrf(body: str) -> str:
    return CSRF_VALUE.sub("", body)
