"""The core of "erasure leaves no trace": a canary in every text field a person can
fill, an erasure, then the canary nowhere: no text column of any table and, on SQLite,
no byte of the database file or its WAL."""

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow.attachments.models import Attachment as FileAttachment
from caseflow.attachments.services import store_upload
from caseflow.attachments.storage import stored_files
from caseflow.cases.models import Case, CaseStatus, ClosingReason, Person
from caseflow.cases.services import change_status
from caseflow.checklists.models import ChecklistItem, ItemState
from caseflow.checklists.services import set_state, update_item
from caseflow.core.database import checkpoint_wal
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.extensions import db
from caseflow.followups.services import add_followup
from caseflow.mail.client import email_checklist
from caseflow.mail.services import Attachment, queue_email
from caseflow.notes.models import Note
from caseflow.notes.services import add_note, edit_note
from caseflow.partners.services import create_partner, create_referral
from caseflow.portal.services import ask_question, claim_step, create_link, send_back_claim
from caseflow.reviews.services import request_review, send_back
from tests.attachments.files import pdf_bytes, png_bytes, upload
from tests.conftest import person
from tests.privacy.conftest import sqlite_files_holding, text_columns_holding


def canary() -> str:
    return f"zqcanary{uuid.uuid4().hex[:10]}"


def plant(make_case, advisor, lead, token: str, *, second: str | None = None) -> Case:
    """A case with ``token`` in every field a person can fill (``second``: the second
    person's own canary, for erasing one person)."""
    other = second or token
    case = make_case(
        advisor,
        household_name=f"Family {token}",
        salutation=f"Dear Ana{token}",
        employer=f"Employer {token}",
        contact_email=f"{token}.contact@example.org",
        contact_phone=f"+32 470 {token}",
        arrival_date=date(2025, 9, 14),
        municipality="Hasselt",
        persons=[
            person(
                first=f"Ana{token}",
                last=f"Silva{token}",
                email=f"{token}.ana@example.org",
                phone=f"+32 471 {token}",
                date_of_birth=date(1990, 5, 17),
            ),
            person(
                first=f"Rui{other}",
                last=f"Silva{other}",
                email=f"{other}.rui@example.org",
                phone=f"+32 472 {other}",
                date_of_birth=date(2016, 2, 29),
                role="child",
            ),
        ],
    )
    persons = list(db.session.scalars(select(Person).where(Person.case_id == case.id)))
    note = add_note(case, advisor, f"Called {token} about the flat")
    db.session.commit()
    edit_note(note, advisor, f"Called {token} twice", note.version)
    add_note(case, advisor, f"Second note {token}")
    items = list(
        db.session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.case_id == case.id)
            .options(joinedload(ChecklistItem.template_item), joinedload(ChecklistItem.case))
            .order_by(ChecklistItem.id)
        )
    )
    by_person = {p.id: [i for i in items if i.person_id == p.id] for p in persons}
    # Files: the household's lease, and a passport on each person's first step (its own
    # canary in the name and in the bytes, which are only on disk).
    store_upload(case, upload(pdf_bytes(), f"Lease {token}.pdf"), uploaded_by=advisor)
    for person_row, own in zip(persons, (token, other), strict=True):
        store_upload(
            case,
            upload(png_bytes(), f"Passport {own}.png"),
            item=by_person[person_row.id][0],
            by_client=True,
        )
    for person_row, own in zip(persons, (token, other), strict=True):
        first, second_item = by_person[person_row.id][:2]
        update_item(
            first,
            advisor,
            state=ItemState.DONE,
            reason=None,
            due_date_override=date(2025, 10, 3),
            expiry_date=date(2027, 1, 9),
            note=f"Step note {own}",
        )
        set_state(second_item, advisor, ItemState.NOT_APPLICABLE, f"Not needed {own}")
    add_followup(
        case,
        advisor,
        title=f"Call {token}",
        details=f"Ask {token} for the lease",
        due_date=date(2025, 10, 1),
        assignee_id=advisor.id,
    )
    # The client's page: a link, the client's question, a claim sent back with a reason.
    create_link(case, advisor)
    ask_question(case, f"Question from {token}")
    claim = claim_step(case, by_person[persons[0].id][2].id)
    send_back_claim(claim, advisor, f"Not yet, {token}")
    review = request_review(case, advisor, f"Please look at {token}")
    db.session.commit()
    send_back(review, lead, f"Ask {token} again")
    # Referrals: the child alone (introduced with their name, email and phone), and the
    # whole household (the partner's details go to the client).
    partner = create_partner(
        case.centre_id,
        {
            "name": "Sportclub Example",
            "type": "other",
            "email": "club@example.org",
            "email_language": "fr",
        },
    )
    create_referral(
        case,
        advisor,
        partner_id=partner.id,
        person_ids=[persons[1].id],
        reason=f"Refer {other} to the club",
        consent=True,
        details=["name", "email", "phone"],
    )
    # Another partner: a second open referral to the same one this soon is refused.
    second = create_partner(
        case.centre_id,
        {"name": "Sportclub Two", "type": "other", "email_language": "fr"},
    )
    create_referral(
        case,
        advisor,
        partner_id=second.id,
        person_ids=[p.id for p in persons],
        reason=f"Refer {token} and {other}",
        consent=False,
        details=[],
    )
    email_checklist(
        case,
        advisor,
        [f"{token}.ana@example.org", f"{other}.rui@example.org"],
        f"Dear {token}, here is your list",
    )
    queue_email(
        centre_id=case.centre_id,
        case_id=case.id,
        kind="test",
        recipients=[f"{other}.rui@example.org"],
        subject=f"For {other}",
        text_body=f"Hello {other}",
        attachments=[Attachment("x.txt", "text/plain", f"attached {other}".encode())],
    )
    db.session.add(
        ExportJob(
            centre_id=case.centre_id,
            user_id=lead.id,
            case_ids=[case.id],
            total=1,
            done=1,
            status=ExportStatus.DONE,
            result=f"zip of {token}".encode(),
        )
    )
    db.session.commit()
    change_status(
        case,
        lead,
        CaseStatus.CLOSED,
        reason=ClosingReason.COMPLETED,
        comment=f"Closed, {token} moved on",
        close_anyway_reason=f"Anyway {token}",
    )
    db.session.commit()
    return case


def test_a_canary_in_every_field_is_nowhere_after_the_case_is_erased(
    catalogue, make_user, make_case, client_for
):
    advisor, lead = make_user("advisor"), make_user("team_lead")
    token = canary()
    case = plant(make_case, advisor, lead, token)
    planted = text_columns_holding(token)
    # The scan sees what it looks for: the canary is everywhere beforehand.
    for column in (
        "cases.household_name",
        "cases.salutation",
        "cases.employer",
        "cases.contact_email",
        "cases.contact_phone",
        "cases.closing_comment",
        "persons.first_name",
        "persons.last_name",
        "persons.email",
        "persons.phone",
        "notes.body",
        "note_revisions.body",
        "checklist_items.note",
        "checklist_items.not_applicable_reason",
        "followups.title",
        "followups.details",
        "review_requests.comment",
        "review_requests.response",
        "outbox_messages.recipients",
        "outbox_messages.text_body",
        "outbox_messages.html_body",
        "outbox_messages.subject",
        "outbox_attachments.data",
        "activities.details",
        "export_jobs.result",
        "attachments.original_name",
        "referrals.reason",
    ):
        assert column in planted, column
    assert len(list(stored_files())) == 3
    # Into the database file itself, as SQLite does every 1000 pages: the erasure must
    # then zero what it frees there (secure_delete), not only in the WAL.
    assert checkpoint_wal()
    assert sqlite_files_holding(token) in ([], ["caseflow-test.sqlite"])
    if db.engine.dialect.name == "sqlite":
        assert sqlite_files_holding(token) == ["caseflow-test.sqlite"]

    response = client_for(lead).post_form(
        f"/cases/{case.id}/erase",
        {"reason": "Erasure request (art. 17)", "confirm_reference": case.reference},
    )

    assert response.status_code == 302
    assert text_columns_holding(token) == []
    assert sqlite_files_holding(token) == []
    assert list(stored_files()) == []  # the files are gone from the disk too
    erased = db.session.get(Case, case.id)
    assert erased.erased_at is not None and erased.erasure_reason == "Erasure request (art. 17)"
    assert db.session.scalars(select(Note).where(Note.case_id == case.id)).all() == []


def test_the_sqlite_scan_finds_a_canary_that_is_still_there(make_user, make_case):
    """The file scan is not vacuous: before any erasure the canary is in the bytes."""
    token = canary()
    make_case(make_user("advisor"), household_name=f"Family {token}")
    assert "cases.household_name" in text_columns_holding(token)
    if db.engine.dialect.name == "sqlite":
        assert sqlite_files_holding(token)


def test_erasing_one_person_removes_their_canaries_and_keeps_the_others(
    catalogue, make_user, make_case, client_for
):
    advisor, lead = make_user("advisor"), make_user("team_lead")
    household, child = canary(), canary()
    case = plant(make_case, advisor, lead, household, second=child)
    rui = db.session.scalars(
        select(Person).where(Person.case_id == case.id, Person.position == 1)
    ).one()

    response = client_for(lead).post_form(
        f"/cases/{case.id}/persons/{rui.id}/erase",
        {"reason": "Request of the parent", "confirm_reference": case.reference},
    )

    assert response.status_code == 302
    assert text_columns_holding(child) == []
    assert sqlite_files_holding(child) == []
    # The child's passport is gone from the disk; the household's lease and the
    # mother's passport stay.
    left_files = db.session.scalars(select(FileAttachment.original_name)).all()
    assert sorted(left_files) == [f"Lease {household}.pdf", f"Passport {household}.png"]
    assert len(list(stored_files())) == 2
    # The rest of the case is untouched.
    left = text_columns_holding(household)
    for column in (
        "cases.household_name",
        "persons.first_name",
        "persons.email",
        "notes.body",
        "checklist_items.note",
        "followups.title",
        "attachments.original_name",
    ):
        assert column in left, column
    # The checklist email went to both: any email addressed to the person is emptied.
    assert "outbox_messages.text_body" not in left
    ana = db.session.scalars(
        select(Person).where(Person.case_id == case.id, Person.position == 0)
    ).one()
    assert ana.first_name == f"Ana{household}" and ana.erased_at is None
    rui = db.session.get(Person, rui.id)
    assert (rui.first_name, rui.last_name, rui.email, rui.phone) == ("", "", None, None)
    assert rui.date_of_birth == date(2016, 3, 1)  # 29 February: see _birth_month
    assert rui.age_at_arrival == 9
    assert db.session.get(Case, case.id).erased_at is None


def test_sqlite_connections_zero_what_they_delete():
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
