"""Free-text fields about a person say, in the UI language, what not to write down."""

import pytest

from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.seeding import seed_catalogue
from caseflow.extensions import db
from caseflow.notes.services import add_note
from caseflow.reviews.services import request_review

HINT = {
    "en": "Do not write down health, religion, ethnic origin, political views, sexual "
    "orientation or other special-category details.",
    "nl": "Noteer geen gegevens over gezondheid, godsdienst, etnische afkomst, politieke "
    "opvattingen, seksuele geaardheid of andere bijzondere categorieën.",
}


@pytest.fixture(params=["en", "nl"])
def locale(request):
    return request.param


def _count(page, locale):
    return page.count(HINT[locale])


def test_the_case_page_hints_under_notes_follow_ups_status_and_reviews(
    centre, make_user, make_case, client_for, locale
):
    lead = make_user("team_lead", locale=locale)
    advisor = make_user("advisor")
    case = make_case(advisor)
    request_review(case, advisor, "Look please")
    db.session.commit()
    page = client_for(lead).get(f"/cases/{case.id}").get_data(as_text=True)
    # New note, follow-up details, closing comment, close-anyway reason, review answer.
    assert _count(page, locale) >= 5
    assert 'id="body-privacy"' in page  # tied to the note field by aria-describedby


def test_the_note_edit_page_hints(centre, make_user, make_case, client_for, locale):
    advisor = make_user("advisor", locale=locale)
    case = make_case(advisor)
    note = add_note(case, advisor, "First text")
    db.session.commit()
    page = client_for(advisor).get(f"/cases/{case.id}/notes/{note.id}/edit").get_data(as_text=True)
    assert _count(page, locale) == 1


def test_the_checklist_step_page_hints_under_its_notes(
    centre, make_user, make_case, client_for, locale
):
    advisor = make_user("advisor", locale=locale)
    seed_catalogue(centre)
    case = make_case(advisor)
    item = db.session.scalars(db.select(ChecklistItem).where(ChecklistItem.case_id == case.id))
    page = (
        client_for(advisor)
        .get(f"/cases/{case.id}/checklist/{item.first().id}")
        .get_data(as_text=True)
    )
    assert _count(page, locale) == 2  # the step note and "why it does not apply"


def test_the_team_review_queue_hints(centre, make_user, make_case, client_for, locale):
    lead = make_user("team_lead", locale=locale)
    advisor = make_user("advisor")
    request_review(make_case(advisor), advisor, "Look please")
    db.session.commit()
    page = client_for(lead).get("/team/reviews").get_data(as_text=True)
    assert _count(page, locale) == 1


def test_the_email_page_hints_under_the_personal_message(
    centre, make_user, make_case, client_for, locale
):
    advisor = make_user("advisor", locale=locale)
    case = make_case(advisor)
    case.contact_email = "ana@example.org"
    db.session.commit()
    page = client_for(advisor).get(f"/cases/{case.id}/email-checklist").get_data(as_text=True)
    assert _count(page, locale) == 1
