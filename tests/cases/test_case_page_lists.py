"""The case page's small lists come from one UNION ALL (cases.page.load_page_lists):
the same rows, fields and order as reading each list through its model."""

from datetime import date

from sqlalchemy import select

from caseflow.attachments.services import store_upload
from caseflow.cases.models import Activity
from caseflow.cases.page import TIMELINE_LIMIT, load_page_lists
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus
from caseflow.followups.services import add_followup, close_followup
from caseflow.mail.models import OutboxMessage, OutboxStatus
from caseflow.notes.models import Note
from caseflow.notes.services import add_note
from caseflow.reviews.models import ReviewRequest
from caseflow.reviews.services import approve, request_review
from tests.attachments.files import png_bytes, upload
from tests.cases.test_query_counts import count_queries


def _fill(case, advisor, lead):
    for i, due in enumerate([date(2026, 3, 1), date(2026, 1, 1), date(2026, 2, 1)]):
        add_followup(
            case, advisor, title=f"Call {i}", details=f"d{i}", due_date=due, assignee_id=lead.id
        )
        add_note(case, advisor, f"Note {i}")
    db.session.flush()
    first = db.session.scalars(select(FollowUp).where(FollowUp.title == "Call 0")).one()
    close_followup(first, lead, FollowUpStatus.DONE)
    store_upload(case, upload(png_bytes(), "scan.png"), uploaded_by=advisor)
    review = request_review(case, advisor, "Please look")
    db.session.flush()
    approve(review, lead, "Fine")
    request_review(case, advisor, None)
    db.session.add(
        OutboxMessage(
            centre_id=case.centre_id,
            case_id=case.id,
            kind="checklist",
            sender="centre@example.org",
            recipients=["client@example.org", "other@example.org"],
            subject="Your checklist",
            text_body="Hello",
            status=OutboxStatus.FAILED,
            attempts=3,
            last_error="mailbox full",
        )
    )
    db.session.commit()


def test_one_query_reads_what_the_models_would(make_user, make_case):
    advisor = make_user("advisor")
    lead = make_user("team_lead")
    case = make_case(advisor)
    _fill(case, advisor, lead)
    assert case.id  # loaded again after the commit, before counting
    with count_queries() as statements:
        lists = load_page_lists(case)
    assert len(statements) == 1

    followups = db.session.scalars(
        select(FollowUp)
        .where(FollowUp.case_id == case.id)
        .order_by(FollowUp.status, FollowUp.due_date, FollowUp.id)
    ).all()
    assert [
        (f.id, f.title, f.details, f.due_date, f.status, f.version, f.is_open)
        for f in lists.followups
    ] == [(f.id, f.title, f.details, f.due_date, f.status, f.version, f.is_open) for f in followups]
    done = next(f for f in lists.followups if not f.is_open)
    assert (done.completed_by.full_name, done.assignee.full_name) == (
        lead.full_name,
        lead.full_name,
    )
    assert done.completed_at is not None and done.case is case

    notes = db.session.scalars(
        select(Note).where(Note.case_id == case.id).order_by(Note.created_at.desc(), Note.id.desc())
    ).all()
    assert [(n.id, n.body, n.author_id, n.author.full_name) for n in lists.notes] == [
        (n.id, n.body, n.author_id, advisor.full_name) for n in notes
    ]

    (file,) = lists.attachments
    assert (file.original_name, file.content_type, file.uploaded_by.full_name) == (
        "scan.png",
        "image/png",
        advisor.full_name,
    )
    assert file.size > 0 and file.uploaded_by_client is False

    activities = db.session.scalars(
        select(Activity).where(Activity.case_id == case.id).order_by(Activity.id.desc())
    ).all()
    assert [(a.id, a.kind, a.details, a.actor_id) for a in lists.activities] == [
        (a.id, a.kind, a.details, a.actor_id) for a in activities
    ]
    assert len(lists.activities) <= TIMELINE_LIMIT + 1

    reviews = db.session.scalars(
        select(ReviewRequest)
        .where(ReviewRequest.case_id == case.id)
        .order_by(ReviewRequest.id.desc())
    ).all()
    assert [(r.id, r.kind, r.status, r.comment, r.response) for r in lists.reviews] == [
        (r.id, r.kind, r.status, r.comment, r.response) for r in reviews
    ]
    assert lists.reviews[0].reviewer is None
    assert lists.reviews[1].reviewer.full_name == lead.full_name

    (email,) = lists.emails
    assert (email.status, email.recipients, email.attempts, email.last_error) == (
        OutboxStatus.FAILED,
        ["client@example.org", "other@example.org"],
        3,
        "mailbox full",
    )


def test_the_page_shows_the_lists(client_for, make_user, make_case):
    advisor = make_user("advisor")
    lead = make_user("team_lead")
    case = make_case(advisor)
    _fill(case, advisor, lead)
    html = client_for(advisor).get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"done by {lead.full_name}" in html
    assert "client@example.org, other@example.org" in html
    assert "mailbox full" in html and "3 attempts" in html
    assert f"Approved by {lead.full_name}" in html
    assert "scan.png" in html and "Note 2" in html and "Call 1" in html
    # The follow-ups' order (as before: by the stored status, then due date).
    assert (
        html.index("<strong>Call 0") < html.index("<strong>Call 1") < html.index("<strong>Call 2")
    )


def test_an_empty_case_has_empty_lists(make_user, make_case):
    case = make_case(make_user("advisor"))
    db.session.commit()
    lists = load_page_lists(case)
    assert (lists.followups, lists.notes, lists.attachments, lists.reviews, lists.emails) == (
        [],
        [],
        [],
        [],
        [],
    )
