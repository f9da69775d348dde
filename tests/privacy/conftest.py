"""Privacy test helpers: a household with something in every table a case owns and a
canary string in every field a person can fill, one set per person (so a person's
export can be checked for the other's); and a way to find a string anywhere in the
database."""

import subprocess
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import JSON, LargeBinary, String, Text, cast, func, select

from caseflow.attachments.services import store_upload
from caseflow.cases.models import Person
from caseflow.checklists.models import ChecklistItem, ItemState
from caseflow.checklists.seeding import seed_catalogue
from caseflow.checklists.services import set_state
from caseflow.contacts.models import ContactChannel
from caseflow.contacts.services import ContactData, centre_topics, log_contact
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.events.consent import give_consent
from caseflow.extensions import db
from caseflow.followups.services import add_followup
from caseflow.mail.services import Attachment, queue_email
from caseflow.notes.services import add_note, edit_note
from caseflow.partners.services import create_partner, create_referral
from caseflow.portal.services import ask_question, claim_step, create_link
from caseflow.reviews.services import request_review
from tests.attachments.files import jpeg_bytes, pdf_bytes, png_bytes, upload
from tests.conftest import person

ANA = "Canaryana"  # the main applicant
BO = "Canarybo"  # the partner: absent from Ana's own export


@pytest.fixture
def household(centre, make_user, make_case):
    seed_catalogue(centre)
    advisor = make_user("advisor", name="Vera Advisor")
    lead = make_user("team_lead", name="Lena Lead")
    case = make_case(
        advisor,
        household_name="Canaryhome household",
        client_language="fr",
        arrival_date=date(2026, 1, 5),
        employer="Canaryemployer NV",
        contact_email="canaryhome@example.org",
        persons=[
            person(
                first=ANA,
                last="Silva",
                email="canaryana@example.org",
                phone="+32 470 00 00 01",
            ),
            person(
                first=BO,
                last="Silva",
                role="partner",
                email="canarybo@example.org",
                phone="+32 470 00 00 02",
                nationality="FR",
            ),
        ],
    )
    ana, bo = db.session.scalars(
        select(Person).where(Person.case_id == case.id).order_by(Person.position)
    )
    items = list(db.session.scalars(select(ChecklistItem).where(ChecklistItem.case_id == case.id)))
    ana_item = next(i for i in items if i.person_id == ana.id)
    bo_item = next(i for i in items if i.person_id == bo.id)
    ana_item.note = "Canaryana step note"
    bo_item.note = "Canarybo step note"
    set_state(ana_item, advisor, ItemState.DONE)
    set_state(bo_item, advisor, ItemState.IN_PROGRESS)
    note = add_note(case, advisor, "Canarynote first text")
    db.session.flush()
    edit_note(note, advisor, "Canarynote second text", note.version)
    add_followup(
        case,
        advisor,
        title="Canaryfollowup call",
        details="Canaryfollowup details",
        due_date=date(2026, 2, 1),
        assignee_id=advisor.id,
    )
    request_review(case, advisor, "Canaryreview comment")
    # The client's page: a link, a question, a claim on Ana's open step.
    create_link(case, advisor)
    ask_question(case, "Canaryquestion from the client")
    claim_step(case, next(i for i in items if i.person_id == ana.id and i.is_open).id)
    give_consent(case, advisor)  # to event invitations (caseflow/events)
    _invited_to_an_event(case, lead)
    message = queue_email(
        centre_id=case.centre_id,
        case_id=case.id,
        kind="client_checklist",
        recipients=["canaryana@example.org", "canarybo@example.org"],
        subject="Canarymail subject",
        text_body="Canarymail body",
        created_by_id=advisor.id,
        reply_to=advisor.email,
        attachments=[Attachment("checklist.pdf", "application/pdf", b"%PDF-canary")],
    )
    # A referral of Ana to a health fund, introduced with her name and email.
    partner = create_partner(
        case.centre_id,
        {
            "name": "Zorgkas Canarypartner",
            "type": "health_fund",
            "email": "intake@zorgkas.example.org",
            "email_language": "nl",
        },
    )
    create_referral(
        case,
        advisor,
        partner_id=partner.id,
        person_ids=[ana.id],
        reason="Canaryreferral reason",
        consent=True,
        details=["name", "email"],
    )
    db.session.add(
        ExportJob(
            centre_id=case.centre_id,
            user_id=lead.id,
            case_ids=[case.id],
            total=1,
            done=1,
            status=ExportStatus.DONE,
        )
    )
    other = make_case(advisor, household_name="Unrelated household")
    # A first-line question about the household, with a name and a note.
    topic = centre_topics(case.centre_id)[0]
    log_contact(
        advisor,
        ContactData(
            channel=ContactChannel.PHONE,
            topic_ids=[topic.id],
            minutes=5,
            nationality="PT",
            name="Canarycontact Caller",
            note="Canarycontact note about the lease",
        ),
        case,
    )
    db.session.commit()
    # Files: the household's, one on Ana's step, one the client sent for Bo's step.
    files = SimpleNamespace(
        household=store_upload(
            case, upload(pdf_bytes(), "Canaryhome lease.pdf"), uploaded_by=advisor
        ),
        ana=store_upload(
            case, upload(png_bytes(), "Canaryana passport.png"), item=ana_item, uploaded_by=advisor
        ),
        bo=store_upload(
            case, upload(jpeg_bytes(), "Canarybo permit.jpg"), item=bo_item, by_client=True
        ),
    )
    db.session.commit()
    return SimpleNamespace(
        files=files,
        case=case,
        ana=ana,
        bo=bo,
        advisor=advisor,
        lead=lead,
        message=message,
        other=other,
    )


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


def _invited_to_an_event(case, lead):
    """An invitation of the household to an event (caseflow/events), registered."""
    from datetime import datetime

    from caseflow.events.models import EventInvitation, InvitationStatus
    from caseflow.events.services import create_event

    event = create_event(
        case.centre_id,
        lead,
        {
            "title_en": "Family day",
            "event_type": "family",
            "starts_at": datetime(2026, 6, 1, 10, 0),
            "ends_at": datetime(2026, 6, 1, 16, 0),
            "place": "Park",
            "audience_languages": ["en"],
            "organiser": "The centre",
        },
    )
    db.session.add(
        EventInvitation(
            event_id=event.id,
            case_id=case.id,
            token_hash="1" * 64,
            language="en",
            status=InvitationStatus.REGISTERED,
            people=2,
        )
    )
    db.session.flush()
