"""The household's consent to event invitations (issue 15, step 2): off by default,
recorded with date and by whom, withdrawable, exported, removed by erasure."""

from sqlalchemy import select

from caseflow.core.audit import AuditEvent
from caseflow.events.consent import consent_of, give_consent
from caseflow.events.models import ConsentChannel, InvitationConsent
from caseflow.extensions import db
from caseflow.privacy.erasure import erase_case, month_at
from caseflow.privacy.export import collect
from tests.conftest import db_digest

NONE_YET = "No consent recorded: the household gets no invitations to events."


def test_consent_is_off_until_recorded_then_shown_with_date_and_name(
    client_for, make_user, make_case
):
    advisor = make_user("advisor", name="Ada Advisor")
    case = make_case(advisor)
    client = client_for(advisor)
    assert NONE_YET in client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert consent_of(case.id) is None

    response = client.post_form(f"/cases/{case.id}/event-invitations/consent", {"agreed": "y"})

    assert response.status_code == 302
    consent = consent_of(case.id)
    assert consent.is_active and consent.given_by_id == advisor.id
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'data-event-consent="given"' in page
    assert "recorded by Ada Advisor" in page
    action = db.session.scalar(
        select(AuditEvent.action).where(
            AuditEvent.case_id == case.id, AuditEvent.action.like("event_consent.%")
        )
    )
    assert action == "event_consent.give"


def test_consent_needs_the_box_ticked(client_for, make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor)
    client = client_for(advisor)
    before = db_digest()
    response = client.post_form(f"/cases/{case.id}/event-invitations/consent", {})
    assert response.status_code == 400
    assert "Tick the box to confirm that the household agreed." in response.get_data(as_text=True)
    assert db_digest() == before


def test_withdrawing_and_giving_again(client_for, make_user, make_case):
    advisor = make_user("advisor", name="Ada Advisor")
    case = make_case(advisor)
    client = client_for(advisor)
    client.post_form(f"/cases/{case.id}/event-invitations/consent", {"agreed": "y"})

    client.post_form(f"/cases/{case.id}/event-invitations/consent/withdraw")

    consent = consent_of(case.id)
    assert not consent.is_active
    assert consent.withdrawn_by_id == advisor.id
    assert consent.withdrawn_via == ConsentChannel.STAFF
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Consent withdrawn on" in page and 'data-event-consent="withdrawn"' in page
    # Given again later: one row, the new date and no withdrawal.
    client.post_form(f"/cases/{case.id}/event-invitations/consent", {"agreed": "y"})
    rows = db.session.scalars(select(InvitationConsent)).all()
    assert len(rows) == 1 and rows[0].is_active and rows[0].withdrawn_at is None


def test_recording_it_twice_is_refused(client_for, make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor)
    client = client_for(advisor)
    client.post_form(f"/cases/{case.id}/event-invitations/consent", {"agreed": "y"})
    before = db_digest()
    response = client.post_form(f"/cases/{case.id}/event-invitations/consent", {"agreed": "y"})
    assert response.status_code == 400
    assert "already recorded" in response.get_data(as_text=True)
    assert db_digest() == before


def test_another_advisor_cannot_record_it(client_for, make_user, make_case):
    case = make_case(make_user("advisor"))
    other = client_for(make_user("advisor"))
    before = db_digest()
    response = other.post_form(f"/cases/{case.id}/event-invitations/consent", {"agreed": "y"})
    assert response.status_code == 404
    assert db_digest() == before


def test_the_consent_is_in_the_subject_access_export(make_user, make_case):
    advisor = make_user("advisor", name="Ada Advisor")
    case = make_case(advisor)
    give_consent(case, advisor)
    db.session.commit()
    data = collect(case.id)
    [row] = data["event_invitation_consent"]
    assert row["given_by"] == "Ada Advisor"
    assert row["given_at"] and row["withdrawn_at"] is None


def test_erasure_removes_the_consent(make_user, make_case):
    lead = make_user("team_lead")
    case = make_case(lead)
    give_consent(case, lead)
    db.session.commit()
    erase_case(case, reason="Request of the client", actor=lead)
    db.session.commit()
    assert consent_of(case.id) is None


def test_erasure_anonymises_invitations_and_kills_the_link(client_for, centre, households):
    from tests.events.test_invitations import _invite_one

    event, cases, links = _invite_one(client_for, centre, households)
    lead = households[0]
    case = cases["A"]
    exported = collect(case.id)["event_invitations"]
    assert len(exported) == 1 and "token_hash" not in exported[0]
    erase_case(case, reason="Request of the client", actor=lead)
    db.session.commit()
    from caseflow.events.models import EventInvitation

    invitation = db.session.scalar(
        select(EventInvitation).where(EventInvitation.case_id == case.id)
    )
    assert invitation is not None and invitation.token_hash is None  # still counted
    assert invitation.invited_at == month_at(invitation.invited_at)  # the month only
    assert client_for(None).get(links[case.id]).status_code == 404
