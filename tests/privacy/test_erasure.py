"""Erasure pages and CLI: who may erase, the confirmations, the audit row, the case
page afterwards, refusals (already erased, legal hold)."""

import time
from datetime import date

import pytest
from sqlalchemy import select

from caseflow.auth.models import User
from caseflow.cases.legal_hold import place_legal_hold
from caseflow.cases.models import Case, Person
from caseflow.core.audit import AuditEvent
from caseflow.core.errors import DomainError
from caseflow.extensions import db
from caseflow.privacy.erasure import erase_case, erase_person
from tests.conftest import db_digest, person

REASON = "Request by email of 2 March, ticket 41"


@pytest.fixture
def lead(make_user):
    return make_user("team_lead")


@pytest.fixture
def case(make_user, make_case):
    return make_case(
        make_user("advisor"),
        household_name="Nakamura family",
        arrival_date=date(2025, 9, 14),
        persons=[person("Yui", "Nakamura"), person("Ren", "Nakamura", "child")],
    )


def _erase(client, case, **data):
    payload = {"reason": REASON, "confirm_reference": case.reference} | data
    return client.post_form(f"/cases/{case.id}/erase", payload)


def test_the_form_asks_for_a_reason_and_the_reference(client_for, lead, case):
    page = client_for(lead).get(f"/cases/{case.id}/erase")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="reason"' in body and 'name="confirm_reference"' in body
    assert case.reference in body


def test_a_wrong_reference_or_no_reason_erases_nothing(client_for, lead, case):
    client = client_for(lead)
    before = db_digest()
    assert _erase(client, case, confirm_reference="LIM-2000-9999").status_code == 400
    assert _erase(client, case, reason="").status_code == 400
    assert db_digest() == before


def test_an_old_login_must_enter_the_password_again(client_for, lead, case):
    client = client_for(lead)
    with client.session_transaction() as session:
        session["auth_at"] = time.time() - 3600
    before = db_digest()
    response = _erase(client, case)
    assert response.status_code == 302 and response.location.startswith("/reauth")
    assert db_digest() == before


def test_erasing_is_audited_with_ids_only_and_the_page_says_erased(client_for, lead, case):
    client = client_for(lead)
    before = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Erased on" not in before and f"/cases/{case.id}/edit" in before
    response = _erase(client, case)
    assert response.status_code == 302

    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erase")).all()
    assert [(r.object_type, r.object_id, r.case_id, r.outcome) for r in rows] == [
        ("case", case.id, case.id, "ok")
    ]
    assert rows[0].user_id == lead.id
    assert "Request" not in str(rows[0].details) and "Nakamura" not in str(rows[0].details)

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Erased on" in page and REASON in page
    assert "Nakamura" not in page
    assert f"/cases/{case.id}/edit" not in page
    assert f"/cases/{case.id}/erase" not in page
    assert client.get(f"/cases/{case.id}/edit").status_code == 403
    assert client.post_form(f"/cases/{case.id}/notes", {"body": "x"}).status_code == 403
    # A second erasure is not offered, and refused.
    assert _erase(client, case).status_code == 403


def test_an_advisor_cannot_erase_even_their_own_case(client_for, case):
    advisor = db.session.get(User, db.session.get(Case, case.id).advisor_id)
    db.session.commit()
    client = client_for(advisor)
    before = db_digest()
    assert _erase(client, case).status_code == 403
    assert db_digest() == before
    refused = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.erase")
    ).one()
    assert refused.outcome == "denied"


def test_erasing_a_person_keeps_the_case_and_notes_the_reason_on_the_timeline(
    client_for, lead, case
):
    ren = db.session.scalars(
        select(Person).where(Person.case_id == case.id, Person.first_name == "Ren")
    ).one()
    client = client_for(lead)
    response = client.post_form(
        f"/cases/{case.id}/persons/{ren.id}/erase",
        {"reason": REASON, "confirm_reference": case.reference},
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Person 2 (erased)" in page and "Yui Nakamura" in page and REASON in page
    row = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erase")).one()
    assert (row.object_type, row.object_id, row.case_id) == ("person", ren.id, case.id)
    # Erasing them again only says so.
    again = client.get(f"/cases/{case.id}/persons/{ren.id}/erase")
    assert again.status_code == 302


def test_erasing_an_erased_case_is_refused(lead, case):
    erase_case(case, reason=REASON, actor=lead)
    db.session.commit()
    with pytest.raises(DomainError):
        erase_case(case, reason=REASON, actor=None)
    with pytest.raises(DomainError):
        erase_person(db.session.scalars(select(Person)).first(), reason=REASON, actor=lead)
    db.session.rollback()


def test_a_case_on_legal_hold_is_not_erased(lead, case):
    place_legal_hold(case, lead, "Court case pending.")
    db.session.commit()
    with pytest.raises(DomainError):
        erase_case(case, reason=REASON, actor=None)
    db.session.rollback()
    assert db.session.get(Case, case.id).erased_at is None


def test_retention_erases_without_a_user(case):
    erase_case(case, reason="Retention: closed more than 24 months ago", actor=None)
    db.session.commit()
    erased = db.session.get(Case, case.id)
    assert erased.erased_by_id is None and erased.household_name == erased.reference
    row = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erase")).one()
    assert row.user_id is None and row.details["by"] == "retention"


def test_the_cli_erases_with_yes_only(app, case):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["privacy", "erase", case.reference, "--reason", REASON])
    assert refused.exit_code != 0
    assert db.session.get(Case, case.id).erased_at is None
    db.session.commit()

    result = runner.invoke(args=["privacy", "erase", case.reference, "--reason", REASON, "--yes"])
    assert result.exit_code == 0, result.output
    assert f"Erased case {case.reference}" in result.output
    db.session.expire_all()
    assert db.session.get(Case, case.id).erasure_reason == REASON
    [row] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erase"))
    assert (row.user_id, row.details["by"]) == (None, "cli")  # told apart from retention

    again = runner.invoke(args=["privacy", "erase", case.reference, "--reason", REASON, "--yes"])
    assert again.exit_code != 0 and "already been erased" in again.output
    unknown = runner.invoke(args=["privacy", "erase", "NOPE-1", "--reason", REASON, "--yes"])
    assert unknown.exit_code != 0


def test_a_pending_review_leaves_the_queue_and_the_page_still_shows(client_for, lead, case):
    from caseflow.reviews.models import ReviewRequest, ReviewStatus
    from caseflow.reviews.services import request_review

    advisor = db.session.get(User, case.advisor_id)
    review = request_review(case, advisor, "Please look at the Nakamura lease")
    db.session.commit()
    erase_case(case, reason=REASON, actor=None)
    db.session.commit()
    review = db.session.get(ReviewRequest, review.id)
    assert review.status == ReviewStatus.SENT_BACK and review.comment is None
    db.session.commit()
    client = client_for(lead)
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert "Nakamura" not in client.get("/team/reviews").get_data(as_text=True)
    assert client_for(advisor).get("/").status_code == 200


def test_erasing_a_person_drops_a_typed_salutation_that_may_name_them(lead, case):
    case.salutation = "Dear Yui and little Ren"
    db.session.commit()
    ren = db.session.scalars(
        select(Person).where(Person.case_id == case.id, Person.first_name == "Ren")
    ).one()
    erase_person(ren, reason=REASON, actor=lead)
    db.session.commit()
    db.session.refresh(case)
    assert case.salutation is None
    # The default is made from the persons left: Ren's name is not in it.
    assert "Ren" not in case.client_salutation and "Yui" in case.client_salutation
