"""Intake records the legal basis and the privacy notice version the client agreed to
(when, by whom); a case without them cannot leave intake."""

import pytest

from caseflow.cases import services
from caseflow.cases.models import Case, CaseStatus, ClosingReason, LegalBasis
from caseflow.centres import notices
from caseflow.core.errors import DomainError
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.reviews import services as reviews
from tests.conftest import reload
from tests.forms_helpers import edit_case_form, first_case_type, new_case_form

REFUSED = "This case cannot leave intake yet"
REFUSED_NL = "Dit dossier kan de intake nog niet verlaten"


def _new_case(web, centre, overrides=None):
    response = web.post_form("/cases/new", new_case_form(first_case_type(centre.id).id, overrides))
    db.session.rollback()
    return response


def test_the_intake_form_records_basis_version_date_and_advisor(centre, make_user, client_for):
    advisor = make_user("advisor")
    notices.publish_notice(
        centre, make_user("admin"), text_en="Version two", text_nl="Versie twee", text_fr="V2"
    )
    db.session.commit()
    web = client_for(advisor)
    form = web.get("/cases/new").get_data(as_text=True)
    assert 'name="privacy_notice_number" type="hidden" value="2"' in form
    assert "Version two" in form and "Legal basis" in form
    response = _new_case(
        web, centre, {"legal_basis": "legitimate_interest", "privacy_notice_number": "2"}
    )
    assert response.status_code == 302
    case = db.session.scalars(db.select(Case)).one()
    version = db.session.get(notices.PrivacyNoticeVersion, case.privacy_notice_version_id)
    assert case.legal_basis == LegalBasis.LEGITIMATE_INTEREST and version.number == 2
    assert case.consent_on == today() and case.consent_recorded_by_id == advisor.id
    page = web.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Legitimate interest" in page
    assert "version 2, agreed on" in page and advisor.full_name in page


def test_the_version_the_form_showed_is_recorded_even_after_a_newer_one(
    centre, make_user, client_for
):
    """The client agreed to what the advisor showed them, not to what was published since."""
    web = client_for(make_user("advisor"))
    notices.publish_notice(centre, make_user("admin"), text_en="2", text_nl="2", text_fr="2")
    db.session.commit()
    assert _new_case(web, centre, {"privacy_notice_number": "1"}).status_code == 302
    case = db.session.scalars(db.select(Case)).one()
    assert db.session.get(notices.PrivacyNoticeVersion, case.privacy_notice_version_id).number == 1


@pytest.mark.parametrize("value", ["", "gut_feeling"])
def test_a_missing_or_unknown_legal_basis_is_refused(centre, make_user, client_for, value):
    response = _new_case(client_for(make_user("advisor")), centre, {"legal_basis": value})
    assert response.status_code == 400
    assert db.session.scalars(db.select(Case)).all() == []


@pytest.mark.parametrize("value", ["7", "x"])
def test_a_notice_version_that_does_not_exist_is_refused(centre, make_user, client_for, value):
    response = _new_case(client_for(make_user("advisor")), centre, {"privacy_notice_number": value})
    assert response.status_code == 400
    assert "This privacy notice version does not exist" in response.get_data(as_text=True)
    assert db.session.scalars(db.select(Case)).all() == []


def test_a_case_without_a_basis_cannot_leave_intake(make_user, make_case):
    lead, advisor = make_user("team_lead"), make_user("advisor")
    case = make_case(None, actor=lead, legal_basis=None)
    assert case.status == CaseStatus.INTAKE and case.privacy_notice_version_id is None
    with pytest.raises(DomainError, match=REFUSED):
        services.assign_case(case, lead, advisor.id)
    with pytest.raises(DomainError, match=REFUSED):
        services.take_case(case, advisor)
    with pytest.raises(DomainError, match=REFUSED):
        services.change_status(case, lead, CaseStatus.CLOSED, reason=ClosingReason.OTHER)
    with pytest.raises(DomainError, match=REFUSED):
        reviews.request_closing(case, advisor, ClosingReason.OTHER, None)
    db.session.rollback()
    case = reload(Case, case.id)
    assert case.status == CaseStatus.INTAKE and case.advisor_id is None


def test_a_case_without_a_basis_cannot_be_opened_assigned(centre, make_user):
    advisor = make_user("advisor")
    data = services.CaseData(
        household_name="Silva family",
        case_type_id=first_case_type(centre.id).id,
        persons=[services.PersonData("Ana", "Silva", "main_applicant", "BR")],
    )
    with pytest.raises(DomainError, match=REFUSED):
        services.open_case(centre, advisor, data, advisor.id)


def test_a_case_with_a_basis_leaves_intake(centre, make_user, make_case):
    lead, advisor = make_user("team_lead"), make_user("advisor")
    case = make_case(None, actor=lead)
    assert case.legal_basis == LegalBasis.CONSENT
    assert case.privacy_notice_version_id == notices.current_notice(centre.id).id
    services.assign_case(case, lead, advisor.id)
    assert case.status == CaseStatus.OPEN
    other = make_case(None, actor=lead)
    services.change_status(other, lead, CaseStatus.CLOSED, reason=ClosingReason.OTHER)
    assert other.status == CaseStatus.CLOSED


@pytest.mark.parametrize(("locale", "message"), [("en", REFUSED), ("nl", REFUSED_NL)])
def test_taking_such_a_case_says_why_in_the_ui_language(
    make_user, make_case, client_for, locale, message
):
    advisor = make_user("advisor", locale=locale)
    case = make_case(None, actor=make_user("team_lead"), legal_basis=None)
    web = client_for(advisor)
    response = web.post_form(f"/cases/{case.id}/take", {"version": str(case.version)})
    page = web.get(response.location).get_data(as_text=True) if response.status_code == 302 else ""
    page += response.get_data(as_text=True)
    assert message in page
    assert reload(Case, case.id).advisor_id is None
    detail = web.get(f"/cases/{case.id}").get_data(as_text=True)
    assert ("Not recorded" if locale == "en" else "Niet geregistreerd") in detail


def test_a_case_without_a_basis_records_it_on_its_edit_page(make_user, make_case, client_for):
    lead, advisor = make_user("team_lead"), make_user("advisor", name="Ines Advisor")
    case = make_case(None, actor=lead, legal_basis=None)
    web = client_for(advisor)
    form = web.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert "Legal basis" in form and 'name="privacy_notice_number" type="hidden" value="1"' in form
    # A basis without the client's agreement is refused.
    refused = web.post_form(
        f"/cases/{case.id}/edit", edit_case_form(case.id, {"legal_basis": "contract"})
    )
    assert refused.status_code == 400
    assert reload(Case, case.id).legal_basis is None
    response = web.post_form(
        f"/cases/{case.id}/edit",
        edit_case_form(
            case.id, {"legal_basis": "contract", "consent": "y", "privacy_notice_number": "1"}
        ),
    )
    assert response.status_code == 302
    case = reload(Case, case.id)
    assert case.legal_basis == LegalBasis.CONTRACT and case.privacy_notice_version_id is not None
    assert case.consent_recorded_by_id == advisor.id and case.consent_on == today()
    services.take_case(case, advisor)  # now it may leave intake
    assert case.status == CaseStatus.OPEN
    # Recorded once: the edit page no longer offers it, and a stale post changes nothing.
    db.session.commit()
    assert "Legal basis" not in web.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    web.post_form(
        f"/cases/{case.id}/edit",
        edit_case_form(case.id, {"legal_basis": "public_task", "consent": "y"}),
    )
    assert reload(Case, case.id).legal_basis == LegalBasis.CONTRACT
