"""Review requests and closing approval, from the advisor's and the team lead's side."""

import pytest
from sqlalchemy import select

from caseflow.cases import services as case_services
from caseflow.cases.models import ActivityKind, Case, CaseStatus, ClosingReason
from caseflow.centres.models import Centre
from caseflow.checklists.seeding import seed_catalogue
from caseflow.extensions import db
from caseflow.reviews import services as review_services
from caseflow.reviews.models import ReviewKind, ReviewRequest, ReviewStatus
from tests.conftest import db_digest, reload
from tests.team.helpers import activities, text


def reviews_of(case) -> list[ReviewRequest]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(ReviewRequest).where(ReviewRequest.case_id == case.id).order_by(ReviewRequest.id)
        )
    )


@pytest.fixture
def people(make_user):
    lead = make_user("team_lead", name="Lena Lead")
    advisor = make_user("advisor", name="Anna Advisor")
    return lead, advisor


@pytest.fixture
def case(people, make_case):
    return make_case(people[1], household_name="Review family")


def ask(client, case, comment="Is the permit route right?"):
    return client.post_form(f"/cases/{case.id}/review", {"comment": comment})


@pytest.fixture
def pending(client_for, people, case):
    """Anna has asked for a review; returns (review, Anna's client, Lena's client)."""
    lead, advisor = people
    anna = client_for(advisor)
    response = ask(anna, case)
    assert response.status_code == 302 and response.location.endswith(f"/cases/{case.id}")
    (review,) = reviews_of(case)
    return review, anna, client_for(lead)


# --- Asking ------------------------------------------------------------------------------


def test_asking_for_a_review_is_stored_and_shown_to_the_lead(pending, people, case):
    review, anna, lena = pending
    lead, advisor = people
    assert review.kind == ReviewKind.REVIEW and review.status == ReviewStatus.PENDING
    assert review.requested_by_id == advisor.id
    assert review.comment == "Is the permit route right?"
    assert review.reviewer_id is None and review.decided_at is None
    (asked,) = activities(case, ActivityKind.REVIEW_REQUESTED)
    assert asked.actor_id == advisor.id
    assert asked.details["comment"] == "Is the permit route right?"

    assert "Review requested. A team lead will answer." in text(anna.get(f"/cases/{case.id}"))
    assert "waiting for a team lead" in text(anna.get("/"))

    queue = lena.get("/team/reviews")
    assert queue.status_code == 200
    body = text(queue)
    assert f"{case.reference} · Review family" in body
    assert "Review requested · Anna Advisor" in body
    assert "Is the permit route right?" in body
    assert f"/reviews/{review.id}/approve" in body and f"/reviews/{review.id}/send_back" in body


def test_asking_twice_is_refused(pending, case):
    _, anna, _ = pending
    before = db_digest()
    response = ask(anna, case, "Again please")
    assert response.status_code == 302
    assert "A review of this case is already waiting for a team lead." in text(
        anna.get(response.location)
    )
    assert db_digest() == before
    assert len(reviews_of(case)) == 1


def test_an_advisor_cannot_ask_about_a_case_that_is_not_theirs(
    client_for, make_user, make_case, other_centre, case
):
    colleague = make_user("advisor")
    foreign = make_user("advisor", centre_=other_centre)
    for user in (colleague, foreign):
        client = client_for(user)
        before = db_digest()
        assert ask(client, case).status_code == 404
        assert db_digest() == before


def test_an_overlong_comment_is_refused(client_for, people, case):
    client = client_for(people[1])
    before = db_digest()
    response = ask(client, case, "x" * 2001)
    assert response.status_code == 302
    assert "2000" in text(client.get(response.location))
    assert db_digest() == before


# --- Answering ---------------------------------------------------------------------------


def test_the_lead_approves_with_a_comment(pending, people, case):
    review, anna, lena = pending
    lead, _ = people
    response = lena.post_form(f"/reviews/{review.id}/approve", {"response": "Looks fine to me"})
    assert response.status_code == 302 and response.location.endswith("/team/reviews")
    page = text(lena.get(response.location))
    assert "Approved." in page and "No requests waiting." in page

    review = reload(ReviewRequest, review.id)
    assert review.status == ReviewStatus.APPROVED
    assert review.reviewer_id == lead.id and review.response == "Looks fine to me"
    assert review.decided_at is not None
    (approved,) = activities(case, ActivityKind.REVIEW_APPROVED)
    assert approved.actor_id == lead.id and approved.details["comment"] == "Looks fine to me"
    assert reload(Case, case.id).status == CaseStatus.OPEN  # a review changes no status

    home = text(anna.get("/"))
    assert "approved by Lena Lead" in home and "Looks fine to me" in home
    assert "Approved by Lena Lead" in text(anna.get(f"/cases/{case.id}"))


def test_sending_back_needs_a_comment(pending):
    review, _, lena = pending
    before = db_digest()
    for response_text in ("", "   "):
        response = lena.post_form(f"/reviews/{review.id}/send_back", {"response": response_text})
        assert response.status_code == 302
        assert "Say what should change before the case comes back." in text(
            lena.get(response.location)
        )
    assert db_digest() == before
    assert reload(ReviewRequest, review.id).status == ReviewStatus.PENDING


def test_the_lead_sends_back_with_a_comment(pending, people, case):
    review, anna, lena = pending
    lead, _ = people
    response = lena.post_form(
        f"/reviews/{review.id}/send_back", {"response": "Add the employer letter first"}
    )
    assert response.status_code == 302
    assert "Sent back to the advisor." in text(lena.get(response.location))
    review = reload(ReviewRequest, review.id)
    assert review.status == ReviewStatus.SENT_BACK and review.reviewer_id == lead.id
    assert review.response == "Add the employer letter first"
    (sent_back,) = activities(case, ActivityKind.REVIEW_SENT_BACK)
    assert sent_back.actor_id == lead.id
    assert sent_back.details["comment"] == "Add the employer letter first"
    home = text(anna.get("/"))
    assert "sent back by Lena Lead" in home and "Add the employer letter first" in home
    # Answered: a new review can be asked.
    assert ask(anna, case, "Done, please look again").status_code == 302
    assert [r.status for r in reviews_of(case)] == [ReviewStatus.SENT_BACK, ReviewStatus.PENDING]


def test_a_review_is_answered_once(pending):
    review, _, lena = pending
    lena.post_form(f"/reviews/{review.id}/approve", {"response": ""})
    before = db_digest()
    for decision in ("approve", "send_back"):
        response = lena.post_form(f"/reviews/{review.id}/{decision}", {"response": "Again"})
        assert response.status_code == 302
        assert "This request has already been answered." in text(lena.get(response.location))
    assert db_digest() == before


def test_a_lead_of_another_centre_gets_404(pending, client_for, make_user, other_centre):
    review, _, _ = pending
    foreign = client_for(make_user("team_lead", centre_=other_centre))
    before = db_digest()
    for decision in ("approve", "send_back"):
        response = foreign.post_form(f"/reviews/{review.id}/{decision}", {"response": "No"})
        assert response.status_code == 404
    assert "Review family" not in text(foreign.get("/team/reviews"))
    assert db_digest() == before


def test_advisors_cannot_answer_reviews(pending, client_for, make_user):
    review, anna, _ = pending
    colleague = client_for(make_user("advisor"))
    before = db_digest()
    for client in (anna, colleague):
        for decision in ("approve", "send_back"):
            response = client.post_form(f"/reviews/{review.id}/{decision}", {"response": "Ok"})
            assert response.status_code == 403
    assert db_digest() == before


def test_an_unknown_review_is_404(client_for, people):
    client = client_for(people[0])
    assert client.post_form("/reviews/999999/approve", {"response": ""}).status_code == 404


def test_an_admin_can_answer(pending, client_for, make_user):
    review, anna, _ = pending
    admin = client_for(make_user("admin", name="Ada Admin"))
    assert admin.post_form(f"/reviews/{review.id}/approve", {"response": ""}).status_code == 302
    assert "approved by Ada Admin" in text(anna.get("/"))


# --- Closing approval ----------------------------------------------------------------


def set_closing_approval(client_for, make_user, on: bool):
    admin = client_for(make_user("admin"))
    data = {"retention_months": "24"}
    if on:
        data["closing_needs_approval"] = "y"
    response = admin.post_form("/admin/centre", data)
    assert response.status_code == 302 and response.location.endswith("/admin/centre")
    page = text(admin.get(response.location))
    assert "Centre settings saved." in page


def close_as(client, case, reason="moved_away", comment="Moved to Ghent"):
    db.session.expire_all()
    version = db.session.get(Case, case.id).version
    return client.post_form(
        f"/cases/{case.id}/status",
        {
            "status": "closed",
            "closing_reason": reason,
            "closing_comment": comment,
            "version": str(version),
        },
    )


def set_status_as(client, case, status):
    db.session.expire_all()
    version = db.session.get(Case, case.id).version
    return client.post_form(f"/cases/{case.id}/status", {"status": status, "version": str(version)})


@pytest.fixture
def approval_on(client_for, make_user, centre):
    set_closing_approval(client_for, make_user, True)
    assert reload(Centre, centre.id).closing_needs_approval is True


@pytest.fixture
def closing_requested(approval_on, client_for, people, case):
    """Anna closed her case while approval is needed: returns (review, Anna, Lena)."""
    lead, advisor = people
    anna = client_for(advisor)
    response = close_as(anna, case)
    assert response.status_code == 302 and response.location.endswith(f"/cases/{case.id}")
    assert "Closing requested: a team lead will approve it." in text(anna.get(response.location))
    (review,) = reviews_of(case)
    return review, anna, client_for(lead)


def test_the_setting_is_stored_and_can_be_turned_off(client_for, make_user, centre):
    assert reload(Centre, centre.id).closing_needs_approval is False
    set_closing_approval(client_for, make_user, True)
    assert reload(Centre, centre.id).closing_needs_approval is True
    set_closing_approval(client_for, make_user, False)
    assert reload(Centre, centre.id).closing_needs_approval is False


def test_only_admins_change_the_setting(client_for, people, centre):
    for user in people:
        client = client_for(user)
        before = db_digest()
        response = client.post_form("/admin/centre", {"closing_needs_approval": "y"})
        assert response.status_code == 403
        assert db_digest() == before


def test_an_advisor_s_close_becomes_a_request(closing_requested, people, case):
    review, _, lena = closing_requested
    _, advisor = people
    stored = reload(Case, case.id)
    assert stored.status == CaseStatus.CLOSING_REQUESTED
    assert stored.closed_at is None and stored.closing_reason is None
    assert review.kind == ReviewKind.CLOSING and review.status == ReviewStatus.PENDING
    assert review.closing_reason == ClosingReason.MOVED_AWAY
    assert review.comment == "Moved to Ghent" and review.requested_by_id == advisor.id
    (status,) = activities(case, ActivityKind.STATUS)
    assert status.details["from"] == "open" and status.details["to"] == "closing_requested"
    assert status.details["reason"] == "moved_away"

    body = text(lena.get("/team/reviews"))
    assert "Closing requested · Anna Advisor" in body and "Moved away" in body
    assert "Moved to Ghent" in body


def test_the_advisor_cannot_change_the_status_meanwhile(closing_requested, case):
    _, anna, _ = closing_requested
    before = db_digest()
    for status in ("open", "waiting_on_client"):
        response = set_status_as(anna, case, status)
        assert response.status_code == 400
        assert "Closing this case waits for a team lead's approval." in text(response)
    response = close_as(anna, case, reason="completed")
    assert response.status_code == 400
    assert "Closing this case already waits for a team lead's approval." in text(response)
    assert db_digest() == before
    assert reload(Case, case.id).status == CaseStatus.CLOSING_REQUESTED


def test_the_lead_approves_the_closing(closing_requested, people, case):
    review, anna, lena = closing_requested
    lead, _ = people
    response = lena.post_form(f"/reviews/{review.id}/approve", {"response": "Agreed"})
    assert response.status_code == 302
    stored = reload(Case, case.id)
    assert stored.status == CaseStatus.CLOSED
    assert stored.closing_reason == ClosingReason.MOVED_AWAY
    assert stored.closing_comment == "Moved to Ghent"
    assert stored.closed_at is not None
    review = reload(ReviewRequest, review.id)
    assert review.status == ReviewStatus.APPROVED and review.reviewer_id == lead.id
    (approved,) = activities(case, ActivityKind.REVIEW_APPROVED)
    assert approved.actor_id == lead.id and "closing" in approved.details.values()
    last_status = activities(case, ActivityKind.STATUS)[-1]
    assert last_status.details["to"] == "closed" and last_status.actor_id == lead.id
    assert last_status.details["reason"] == "moved_away"
    home = text(anna.get("/"))
    assert "Closing requested:" in home and "approved by Lena Lead" in home


def test_the_lead_sends_the_closing_back(closing_requested, people, case):
    review, anna, lena = closing_requested
    lead, _ = people
    response = lena.post_form(
        f"/reviews/{review.id}/send_back", {"response": "Call them once more"}
    )
    assert response.status_code == 302
    stored = reload(Case, case.id)
    assert stored.status == CaseStatus.OPEN and stored.closed_at is None
    assert stored.closing_reason is None
    review = reload(ReviewRequest, review.id)
    assert review.status == ReviewStatus.SENT_BACK and review.response == "Call them once more"
    back = activities(case, ActivityKind.STATUS)[-1]
    assert back.details["from"] == "closing_requested" and back.details["to"] == "open"
    assert len(activities(case, ActivityKind.REVIEW_SENT_BACK)) == 1
    home = text(anna.get("/"))
    assert "sent back by Lena Lead" in home and "Call them once more" in home
    # Open again: the advisor may work on it and change its status.
    assert set_status_as(anna, case, "waiting_on_client").status_code == 302
    assert reload(Case, case.id).status == CaseStatus.WAITING_ON_CLIENT


def test_sending_a_closing_back_needs_a_comment(closing_requested, case):
    review, _, lena = closing_requested
    before = db_digest()
    response = lena.post_form(f"/reviews/{review.id}/send_back", {"response": ""})
    assert response.status_code == 302
    assert db_digest() == before
    assert reload(Case, case.id).status == CaseStatus.CLOSING_REQUESTED


def test_with_the_setting_off_an_advisor_closes_directly(client_for, people, case, centre):
    assert reload(Centre, centre.id).closing_needs_approval is False
    response = close_as(client_for(people[1]), case)
    assert response.status_code == 302
    stored = reload(Case, case.id)
    assert stored.status == CaseStatus.CLOSED
    assert stored.closing_reason == ClosingReason.MOVED_AWAY
    assert reviews_of(case) == []


def test_with_the_setting_turned_off_again_an_advisor_closes_directly(
    approval_on, client_for, make_user, people, case
):
    set_closing_approval(client_for, make_user, False)
    assert close_as(client_for(people[1]), case).status_code == 302
    assert reload(Case, case.id).status == CaseStatus.CLOSED
    assert reviews_of(case) == []


def test_a_team_lead_always_closes_directly(approval_on, client_for, people, case):
    response = close_as(client_for(people[0]), case, reason="completed")
    assert response.status_code == 302
    stored = reload(Case, case.id)
    assert stored.status == CaseStatus.CLOSED and stored.closing_reason == ClosingReason.COMPLETED
    assert reviews_of(case) == []


def test_a_closing_request_respects_required_steps(
    approval_on, client_for, people, make_case, centre
):
    seed_catalogue(centre)
    db.session.commit()
    case = make_case(people[1], household_name="Unfinished family")
    client = client_for(people[1])
    before = db_digest()
    response = close_as(client, case)
    assert response.status_code == 400
    assert "This case cannot be closed yet" in text(response)
    assert db_digest() == before
    assert reload(Case, case.id).status == CaseStatus.OPEN


def test_a_lead_reopening_a_case_answers_its_pending_closing_request(centre, make_user, make_case):
    advisor, lead = make_user("advisor"), make_user("team_lead")
    case = make_case(advisor)
    review = review_services.request_closing(case, advisor, ClosingReason.COMPLETED, None)
    db.session.commit()
    case_services.change_status(case, lead, CaseStatus.OPEN)
    db.session.commit()
    answered = reload(ReviewRequest, review.id)
    assert answered.status == ReviewStatus.SENT_BACK and answered.reviewer_id == lead.id
    # The advisor can ask again; nothing is left pending behind the open case.
    review_services.request_closing(reload(Case, case.id), advisor, ClosingReason.COMPLETED, None)
