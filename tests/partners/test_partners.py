"""The partner network (/partners) and referrals from a case (caseflow/partners)."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from caseflow.cases.models import Activity, ActivityKind, Person
from caseflow.cases.services import change_status
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from caseflow.partners.models import Partner, PartnerType, Referral, ReferralState
from caseflow.partners.seeding import LIMBURG, seed_partners
from caseflow.partners.services import create_partner, create_referral
from caseflow.privacy.erasure import erase_case
from caseflow.privacy.export import collect
from caseflow.reports.funder import funder_report
from caseflow.reports.periods import period_for
from tests.conftest import db_digest, person


def _partner(centre_id, name="Zorgkas Noord", **fields) -> Partner:
    data = {
        "name": name,
        "type": "health_fund",
        "email": "intake@zorgkas-noord.example.org",
        "email_language": "nl",
        "languages": ["nl", "en"],
        "municipalities": "Hasselt, Genk",
        "website": "https://zorgkas-noord.example.org",
    } | fields
    return create_partner(centre_id, data)


@pytest.fixture
def family(make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(
        advisor,
        household_name="Okafor family",
        contact_email="okafor.family@example.net",
        contact_phone="+32 470 11 22 33",
        municipality="Diepenbeek",
        client_language="fr",
        persons=[
            person(
                first="Chidi", last="Okafor", email="chidi@example.net", phone="+32 471 00 00 01"
            ),
            person(first="Amara", last="Okafor", role="partner", phone="+32 471 00 00 02"),
        ],
    )
    persons = list(
        db.session.scalars(
            select(Person).where(Person.case_id == case.id).order_by(Person.position)
        )
    )
    partner = _partner(case.centre_id)
    db.session.commit()
    return case, advisor, persons, partner


def _refer(client, case, data):
    return client.post_form(f"/cases/{case.id}/referrals/new", data)


# --- the directory ------------------------------------------------------------------------


def _names(body: str) -> set[str]:
    names = ("Zorgkas Noord", "Bank van de Demer", "Oude Taalschool", "Zorgkas Elders")
    return {name for name in names if name in body}


def test_search_by_name_type_municipality_and_language(centre, other_centre, make_user, client_for):
    advisor = make_user("advisor")
    _partner(centre.id, "Zorgkas Noord", municipalities="Hasselt, Genk", languages=["nl", "en"])
    _partner(
        centre.id,
        "Bank van de Demer",
        type="bank",
        municipalities="Diepenbeek",
        languages=["fr"],
        topics="bank account",
    )
    _partner(centre.id, "Oude Taalschool", type="language_school", is_active=False)
    _partner(other_centre.id, "Zorgkas Elders")
    db.session.commit()
    client = client_for(advisor)

    def found(query: str) -> set[str]:
        response = client.get(f"/partners{query}")
        assert response.status_code == 200
        return _names(response.get_data(as_text=True))

    # Another centre's partners and inactive ones are not offered to advisors.
    assert found("") == {"Zorgkas Noord", "Bank van de Demer"}
    assert found("?q=zorg") == {"Zorgkas Noord"}
    assert found("?q=ACCOUNT") == {"Bank van de Demer"}  # topics, any case
    assert found("?type=bank") == {"Bank van de Demer"}
    assert found("?municipality=genk") == {"Zorgkas Noord"}
    assert found("?language=fr") == {"Bank van de Demer"}
    assert found("?language=en&type=health_fund") == {"Zorgkas Noord"}
    assert found("?q=%25") == set()  # a LIKE wildcard is a plain character
    assert found("?inactive=1") == {"Zorgkas Noord", "Bank van de Demer"}  # advisors: no
    body = client.get("/partners?q=nothing-like-this").get_data(as_text=True)
    assert "No partner matches this search." in body
    # Advisors see no edit buttons.
    assert "/partners/new" not in client.get("/partners").get_data(as_text=True)


def test_leads_see_inactive_partners_on_request(centre, make_user, client_for):
    _partner(centre.id, "Oude Taalschool", type="language_school", is_active=False)
    db.session.commit()
    client = client_for(make_user("team_lead"))
    assert "Oude Taalschool" not in client.get("/partners").get_data(as_text=True)
    assert "Oude Taalschool" in client.get("/partners?inactive=1").get_data(as_text=True)


def test_an_empty_directory_says_so(make_user, client_for):
    body = client_for(make_user("team_lead")).get("/partners").get_data(as_text=True)
    assert "The centre has no partners yet." in body


def test_the_directory_is_paginated(centre, make_user, client_for):
    for i in range(30):
        _partner(centre.id, f"Partner {i:02d}")
    db.session.commit()
    client = client_for(make_user("advisor"))
    first = client.get("/partners").get_data(as_text=True)
    second = client.get("/partners?page=2").get_data(as_text=True)
    assert "30 partners" in first
    assert "Partner 00" in first and "Partner 24" in first and "Partner 25" not in first
    assert "Partner 25" in second and "Partner 29" in second and "Partner 00" not in second


def test_a_lead_adds_and_edits_a_partner(centre, make_user, client_for):
    client = client_for(make_user("team_lead"))
    assert client.get("/partners/new").status_code == 200
    response = client.post_form(
        "/partners/new",
        {
            "name": "Woonwinkel Limburg",
            "type": "housing",
            "contact_person": "Woonloket",
            "email": "Wonen@Woonwinkel.example.org",
            "phone": "+32 11 00 80 10",
            "website": "https://woonwinkel.example.org",
            "languages": ["nl", "fr"],
            "municipalities": "Hasselt, Genk",
            "topics": "Renting",
            "notes": "Ask for the newcomers desk.",
            "email_language": "fr",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    partner = db.session.scalars(select(Partner)).one()
    assert (partner.centre_id, partner.type, partner.email, partner.languages) == (
        centre.id,
        PartnerType.HOUSING,
        "wonen@woonwinkel.example.org",
        "fr,nl",
    )
    assert partner.email_language == "fr" and partner.is_active
    page = client.get(f"/partners/{partner.id}/edit").get_data(as_text=True)
    assert "Woonwinkel Limburg" in page
    assert re.search(r'<input checked [^>]*name="languages" type="checkbox" value="fr"', page)
    assert re.search(r'<option selected value="fr">', page)  # the email language
    response = client.post_form(
        f"/partners/{partner.id}/edit",
        {"name": "Woonwinkel Limburg", "type": "housing", "email_language": "nl"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    partner = db.session.get(Partner, partner.id)
    assert partner.is_active is False  # the box was left unticked
    assert partner.email is None and partner.languages == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("email", "not-an-address", "Invalid email address."),
        ("website", "javascript:alert(1)", "Start the address with https://."),
        ("phone", "call me maybe", "Use digits, spaces and + ( ) . / - only."),
        ("type", "church", "Not a valid choice."),
        ("email_language", "de", "Not a valid choice."),
        ("name", "x" * 161, "Field cannot be longer than 160 characters."),
    ],
)
def test_bad_partner_input_is_refused_and_nothing_stored(
    make_user, client_for, field, value, message
):
    client = client_for(make_user("admin"))
    client.get("/partners/new")  # the session's first request is behind us
    data = {"name": "Bank", "type": "bank", "email_language": "nl"} | {field: value}
    before = db_digest()
    response = client.post_form("/partners/new", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db_digest() == before


def test_advisors_cannot_add_partners_and_leads_cannot_edit_another_centres(
    centre, other_centre, make_user, client_for
):
    partner = _partner(centre.id)
    db.session.commit()
    advisor = client_for(make_user("advisor"))
    stranger = client_for(make_user("team_lead", centre_=other_centre))
    advisor.get("/partners")
    stranger.get("/partners")
    before = db_digest()
    assert (
        advisor.post_form(
            "/partners/new", {"name": "X", "type": "bank", "email_language": "nl"}
        ).status_code
        == 403
    )
    assert stranger.get(f"/partners/{partner.id}/edit").status_code == 404
    response = stranger.post_form(
        f"/partners/{partner.id}/edit", {"name": "Taken", "type": "bank", "email_language": "nl"}
    )
    assert response.status_code == 404
    assert db_digest() == before


# --- referrals ----------------------------------------------------------------------------


def test_refer_with_consent_introduces_the_client_with_only_the_chosen_details(family, client_for):
    case, advisor, (chidi, amara), partner = family
    client = client_for(advisor)
    form = client.get(f"/cases/{case.id}/referrals/new")
    assert form.status_code == 200 and "Zorgkas Noord" in form.get_data(as_text=True)
    follow_up = today() + timedelta(days=7)
    response = _refer(
        client,
        case,
        {
            "partner_id": str(partner.id),
            "person_ids": [str(chidi.id)],
            "reason": "Chidi needs a health fund before his first doctor's visit.",
            "consent": "yes",
            "details": ["name", "email"],
            "follow_up_on": follow_up.isoformat(),
        },
    )
    assert response.status_code == 302
    referral = db.session.scalars(select(Referral)).one()
    assert referral.person_ids == [chidi.id]
    assert referral.consent and referral.shared_details == ["name", "email"]
    assert referral.state == ReferralState.SENT and referral.follow_up_on == follow_up
    assert referral.partner_type == PartnerType.HEALTH_FUND
    message = db.session.get(OutboxMessage, referral.outbox_message_id)
    assert message.recipients == ["intake@zorgkas-noord.example.org"]
    assert message.kind == "referral_introduction"
    assert message.reply_to == advisor.email
    body = message.text_body
    assert "Chidi Okafor" in body and "chidi@example.net" in body
    # Only what was ticked: no phone, no town, nobody else, not the reason.
    for absent in ("+32 471", "+32 470", "Diepenbeek", "Amara", "doctor's visit"):
        assert absent not in body, absent
    # In the partner's language (Dutch), whatever the client's (French).
    assert "Met vriendelijke groeten" in body or "Vriendelijke groeten" in body
    # The case page shows the referral; the timeline records it.
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="referrals"' in page and "Zorgkas Noord" in page
    activity = db.session.scalars(
        select(Activity).where(Activity.kind == ActivityKind.REFERRAL_CREATED)
    ).one()
    assert activity.details["partner_type"] == "health_fund" and activity.details["consent"]


def test_refer_without_consent_sends_the_client_the_partners_details(family, client_for):
    case, advisor, (chidi, amara), partner = family
    response = _refer(
        client_for(advisor),
        case,
        {
            "partner_id": str(partner.id),
            "person_ids": [str(chidi.id), str(amara.id)],
            "reason": "Both need a health fund.",
            "consent": "no",
            "email_client": "y",
        },
    )
    assert response.status_code == 302
    referral = db.session.scalars(select(Referral)).one()
    assert not referral.consent and referral.shared_details == []
    message = db.session.get(OutboxMessage, referral.outbox_message_id)
    assert message.recipients == ["okafor.family@example.net"]
    assert message.kind == "referral_partner_details"
    assert "Zorgkas Noord" in message.text_body
    assert "https://zorgkas-noord.example.org" in message.text_body
    assert "cordialement" in message.text_body  # the client's language: French
    # Nothing goes to the partner.
    assert (
        db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.kind == "referral_introduction")
        )
        is None
    )


def test_without_consent_and_without_an_email_address_the_advisor_is_told(
    make_user, make_case, client_for
):
    advisor = make_user("advisor")
    case = make_case(advisor, persons=[person(first="Li", last="Wei")])
    partner = _partner(case.centre_id)
    person_id = db.session.scalar(select(Person.id).where(Person.case_id == case.id))
    db.session.commit()
    client = client_for(advisor)
    response = _refer(
        client,
        case,
        {
            "partner_id": str(partner.id),
            "person_ids": [str(person_id)],
            "reason": "Bank",
            "consent": "no",
        },
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "The case has no email address" in page
    assert db.session.scalars(select(Referral)).one().outbox_message_id is None
    assert db.session.scalar(select(OutboxMessage.id)) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"consent": "yes"}, "Choose the details the client agreed to share."),
        ({"details": ["phone"]}, "Without the client's consent nothing is shared."),
        ({"details": ["passport"], "consent": "yes"}, "is not a valid choice"),
        ({"person_ids": []}, "Choose at least one person."),
        ({"person_ids": ["999999"]}, "is not a valid choice"),
        ({"reason": ""}, "This field is required."),
        ({"reason": "x" * 1001}, "Field cannot be longer than 1000 characters."),
        ({"partner_id": "999999"}, "Not a valid choice"),
        ({"follow_up_on": "2020-01-01"}, "Choose a date from today and within two years."),
        ({"follow_up_on": "not a date"}, "Not a valid date value."),
    ],
)
def test_bad_referral_input_is_refused_and_nothing_stored(family, client_for, change, message):
    case, advisor, (chidi, _amara), partner = family
    data = {
        "partner_id": str(partner.id),
        "person_ids": [str(chidi.id)],
        "reason": "Health fund",
        "consent": "no",
    } | change
    client = client_for(advisor)
    client.get(f"/cases/{case.id}/referrals/new")
    before = db_digest()
    response = _refer(client, case, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db_digest() == before


def test_a_partner_of_another_centre_an_inactive_one_or_a_person_of_another_case_is_refused(
    family, other_centre, make_user, make_case, client_for
):
    """The service refuses what a tampered form could still send."""
    case, advisor, (chidi, _amara), partner = family
    foreign = _partner(other_centre.id, "Zorgkas Elders")
    retired = _partner(case.centre_id, "Oude Zorgkas", is_active=False)
    other_case = make_case(advisor, persons=[person(first="Other")])
    stranger = db.session.scalar(select(Person.id).where(Person.case_id == other_case.id))
    db.session.commit()
    before = db_digest()
    for partner_id, person_id, message in (
        (foreign.id, chidi.id, "Choose a partner of the centre"),
        (retired.id, chidi.id, "no longer active"),
        (partner.id, stranger, "Choose persons of this case."),
    ):
        with pytest.raises(Exception, match=message):
            create_referral(
                case,
                advisor,
                partner_id=partner_id,
                person_ids=[person_id],
                reason="x",
                consent=False,
                details=[],
            )
        db.session.rollback()
    assert db_digest() == before


def test_consent_to_a_partner_without_an_email_address_is_refused(family, client_for):
    case, advisor, (chidi, _amara), partner = family
    partner.email = None
    db.session.commit()
    client = client_for(advisor)
    client.get(f"/cases/{case.id}/referrals/new")
    before = db_digest()
    response = _refer(
        client,
        case,
        {
            "partner_id": str(partner.id),
            "person_ids": [str(chidi.id)],
            "reason": "x",
            "consent": "yes",
            "details": ["name"],
        },
    )
    assert response.status_code == 400
    assert "This partner has no email address" in response.get_data(as_text=True)
    assert db_digest() == before


def test_a_closed_case_cannot_be_referred(family, make_user, client_for):
    from caseflow.cases.models import CaseStatus, ClosingReason

    case, advisor, (chidi, _amara), partner = family
    lead = make_user("team_lead")
    change_status(
        case, lead, CaseStatus.CLOSED, reason=ClosingReason.COMPLETED, close_anyway_reason="test"
    )
    db.session.commit()
    client = client_for(lead)
    client.get(f"/cases/{case.id}")
    before = db_digest()
    response = _refer(
        client,
        case,
        {
            "partner_id": str(partner.id),
            "person_ids": [str(chidi.id)],
            "reason": "x",
            "consent": "no",
        },
    )
    assert response.status_code == 400
    assert "A closed case cannot be referred" in response.get_data(as_text=True)
    assert db_digest() == before


def _referral(family) -> Referral:
    case, advisor, (chidi, _amara), partner = family
    referral = create_referral(
        case,
        advisor,
        partner_id=partner.id,
        person_ids=[chidi.id],
        reason="Health fund",
        consent=False,
        details=[],
        follow_up_on=today(),
    ).referral
    db.session.commit()
    return referral


def test_the_state_changes_from_the_case_and_the_timeline_records_it(family, client_for):
    case, advisor, _persons, _partner_ = family
    referral = _referral(family)
    client = client_for(advisor)
    later = today() + timedelta(days=14)
    response = client.post_form(
        f"/cases/{case.id}/referrals/{referral.id}/state",
        {"state": "contacted", "follow_up_on": later.isoformat(), "version": referral.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert referral.state == ReferralState.CONTACTED and referral.follow_up_on == later
    activity = db.session.scalars(
        select(Activity).where(Activity.kind == ActivityKind.REFERRAL_STATE)
    ).one()
    assert (activity.details["from"], activity.details["to"]) == ("sent", "contacted")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Referral updated" in page and "Contacted" in page
    assert "Zorgkas Noord (Sent → Contacted)" in page  # the timeline
    # Helped: no longer open, its follow-up date goes.
    client.post_form(
        f"/cases/{case.id}/referrals/{referral.id}/state",
        {"state": "helped", "follow_up_on": later.isoformat(), "version": referral.version},
    )
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert referral.state == ReferralState.HELPED and referral.follow_up_on is None


def test_a_bad_or_stale_state_change_changes_nothing(family, client_for):
    case, advisor, _persons, _partner_ = family
    referral = _referral(family)
    client = client_for(advisor)
    client.get(f"/cases/{case.id}")
    before = db_digest()
    url = f"/cases/{case.id}/referrals/{referral.id}/state"
    response = client.post_form(url, {"state": "lost", "version": referral.version})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    response = client.post_form(url, {"state": "helped", "version": referral.version + 1})
    # The case page again (not a redirect), with the error and a 409.
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Someone else changed this" in body and 'id="referrals"' in body
    assert db_digest() == before
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).state == ReferralState.SENT


def test_a_referral_of_another_case_is_404(family, make_case, client_for):
    case, advisor, _persons, _partner_ = family
    referral = _referral(family)
    other = make_case(advisor)
    db.session.commit()
    response = client_for(advisor).post_form(
        f"/cases/{other.id}/referrals/{referral.id}/state",
        {"state": "helped", "version": referral.version},
    )
    assert response.status_code == 404


def test_my_work_shows_open_referrals_due(family, client_for):
    case, advisor, _persons, _partner_ = family
    _referral(family)
    body = client_for(advisor).get("/").get_data(as_text=True)
    assert 'id="referrals-due"' in body and "Zorgkas Noord" in body


def test_the_team_overview_counts_open_referrals_per_advisor(family, make_user, client_for):
    _referral(family)
    body = client_for(make_user("team_lead")).get("/team").get_data(as_text=True)
    assert "Open referrals to partners" in body
    assert '<td class="text-end" data-open-referrals>1</td>' in body


def test_the_funder_report_counts_referrals_with_small_count_protection(
    family, make_user, client_for
):
    case, advisor, (chidi, _amara), _partner_ = family
    # Seven referrals: six to health funds (five helped, one sent), one to a bank (closed).
    partners = [_partner(case.centre_id, f"Zorgkas {n}") for n in range(6)]
    partners.append(_partner(case.centre_id, "Bank van de Demer", type="bank"))
    states = [ReferralState.HELPED] * 5 + [ReferralState.SENT, ReferralState.CLOSED]
    for partner, state in zip(partners, states, strict=True):
        referral = create_referral(
            case,
            advisor,
            partner_id=partner.id,
            person_ids=[chidi.id],
            reason="x",
            consent=False,
            details=[],
            email_client=False,
        ).referral
        referral.state = state
    db.session.commit()
    report = funder_report(case.centre_id, period_for("year", today()))
    assert report.referrals == 7
    assert report.referral_types == [("health_fund", 6), ("bank", 1)]
    assert report.referral_outcomes == [("helped", 5), ("closed", 1), ("sent", 1)]

    http = client_for(make_user("team_lead"))
    body = http.get("/reports/funder?period=year").get_data(as_text=True)
    assert "Referrals to partners, by partner type" in body
    assert "Referrals to partners, by outcome" in body
    assert "Closed (no longer followed up, e.g. the client withdrew)" in body
    rows = list(
        csv.reader(
            io.StringIO(http.get("/reports/funder.csv?period=year").data.decode("utf-8-sig"))
        )
    )
    by_type = {r[1]: r[2] for r in rows[1:] if r[0] == "Referrals to partners, by partner type"}
    outcomes = {r[1]: r[2] for r in rows[1:] if r[0] == "Referrals to partners, by outcome"}
    # The one bank referral is "<5"; a second count is hidden ("–"), or the bank's could
    # be worked out from the total (7).
    assert by_type == {"Health fund": "–", "Bank": "<5"}
    assert outcomes["Helped"] == "5"
    assert outcomes["Sent"] == "<5"
    assert outcomes["Closed (no longer followed up, e.g. the client withdrew)"] == "<5"
    assert "1" not in by_type.values() and "1" not in outcomes.values()


def test_the_export_holds_referrals_and_erasure_keeps_type_and_outcome(family, make_user):
    case, advisor, _persons, _partner_ = family
    referral = _referral(family)
    data = collect(case.id)
    assert [r["reason"] for r in data["referrals"]] == ["Health fund"]
    assert data["referrals"][0]["partner"] == "Zorgkas Noord"
    erase_case(case, reason="Request", actor=make_user("team_lead"))
    db.session.commit()
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert referral.reason == "" and referral.person_ids == []
    assert referral.partner_type == PartnerType.HEALTH_FUND
    assert referral.state == ReferralState.SENT and referral.erased_at is not None


def test_seed_partners_is_synthetic_and_idempotent(app, centre):
    assert seed_partners(centre) == len(LIMBURG)
    assert seed_partners(centre) == 0
    partners = db.session.scalars(select(Partner)).all()
    assert {p.type for p in partners} == set(PartnerType)
    assert all(p.email.endswith(".example.org") for p in partners)
    assert all(p.website.startswith("https://") for p in partners)
    result = app.test_cli_runner().invoke(args=["seed-partners"])
    assert result.exit_code == 0 and "0 partners added" in result.output


# --- review fixes (issue 14) --------------------------------------------------------------


def test_the_refer_form_proposes_a_follow_up_date_and_groups_partners_by_type(family, client_for):
    case, advisor, _persons, _partner_ = family
    _partner(case.centre_id, "Bank van de Demer", type="bank")
    db.session.commit()
    body = client_for(advisor).get(f"/cases/{case.id}/referrals/new").get_data(as_text=True)
    in_two_weeks = (today() + timedelta(days=14)).isoformat()
    assert re.search(rf'<input[^>]*id="follow_up_on"[^>]*value="{in_two_weeks}"', body)
    # One <optgroup> per type, each partner in its own.
    assert re.search(r'<optgroup label="Bank">\s*<option value="\d+">Bank van de Demer', body)
    assert re.search(r'<optgroup label="Health fund">\s*<option value="\d+">Zorgkas Noord', body)
    # The case has an email address: the client gets the details by email unless unticked.
    assert re.search(
        r'<input[^>]*checked[^>]*id="email_client"|id="email_client"[^>]*checked', body
    )


def test_the_partner_choices_are_capped(family, client_for, monkeypatch):
    from caseflow.partners import services

    case, advisor, _persons, _partner_ = family
    for n in range(3):
        _partner(case.centre_id, f"Bank {n}", type="bank")
    db.session.commit()
    monkeypatch.setattr(services, "REFER_CHOICES_LIMIT", 2)
    body = client_for(advisor).get(f"/cases/{case.id}/referrals/new").get_data(as_text=True)
    assert len(re.findall(r'<option value="\d+"', body)) == 2


def test_without_an_email_address_the_checkbox_is_not_ticked(make_user, make_case, client_for):
    advisor = make_user("advisor")
    case = make_case(advisor, persons=[person(first="Li", last="Wei")])
    _partner(case.centre_id)
    db.session.commit()
    body = client_for(advisor).get(f"/cases/{case.id}/referrals/new").get_data(as_text=True)
    checkbox = re.search(r'<input[^>]*id="email_client"[^>]*>', body).group(0)
    assert "checked" not in checkbox


def test_without_consent_the_advisor_may_hand_over_the_details_in_person(family, client_for):
    case, advisor, (chidi, _amara), partner = family
    client = client_for(advisor)
    response = _refer(
        client,
        case,
        {
            "partner_id": str(partner.id),
            "person_ids": [str(chidi.id)],
            "reason": "Health fund",
            "consent": "no",
            # "email_client" unticked: not posted
        },
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Give the client the partner&#39;s details yourself." in page
    referral = db.session.scalars(select(Referral)).one()
    assert referral.outbox_message_id is None
    assert db.session.scalar(select(OutboxMessage.id)) is None


def test_a_form_posted_twice_makes_one_referral(family, client_for):
    case, advisor, (chidi, _amara), partner = family
    client = client_for(advisor)
    data = {
        "partner_id": str(partner.id),
        "person_ids": [str(chidi.id)],
        "reason": "Health fund",
        "consent": "no",
        "email_client": "y",
    }
    assert _refer(client, case, data).status_code == 302
    before = db_digest()
    response = _refer(client, case, data)
    assert response.status_code == 409
    assert "This case was referred to Zorgkas Noord a moment ago" in response.get_data(as_text=True)
    assert db_digest() == before
    # Another person of the household to the same partner is a new referral.
    assert _refer(client, case, data | {"person_ids": [str(_amara.id)]}).status_code == 302
    # Ten minutes later (or once the first is answered) a new referral is fine.
    first = db.session.scalars(select(Referral).order_by(Referral.id)).first()
    first.created_at -= timedelta(minutes=11)
    db.session.commit()
    assert _refer(client, case, data).status_code == 302
    assert len(db.session.scalars(select(Referral)).all()) == 3


def test_my_work_lists_open_referrals_without_a_date_but_not_later_ones(family, client_for):
    case, advisor, (chidi, _amara), partner = family
    bank = _partner(case.centre_id, "Bank van de Demer", type="bank")
    school = _partner(case.centre_id, "Oude Taalschool", type="language_school")
    for each, follow_up_on in (
        (partner, None),
        (bank, today() + timedelta(days=3)),
        (school, None),
    ):
        create_referral(
            case,
            advisor,
            partner_id=each.id,
            person_ids=[chidi.id],
            reason="x",
            consent=False,
            details=[],
            follow_up_on=follow_up_on,
            email_client=False,
        )
    # An answered referral without a date needs nothing.
    db.session.scalars(
        select(Referral).where(Referral.partner_id == school.id)
    ).one().state = ReferralState.HELPED
    db.session.commit()
    body = client_for(advisor).get("/").get_data(as_text=True)
    section = body[body.index('id="referrals-due"') :]
    section = section[: section.index("</section>")]
    assert "Zorgkas Noord" in section and "no follow-up date" in section
    assert "Bank van de Demer" not in section and "Oude Taalschool" not in section


def test_the_case_panel_shows_the_newest_referrals_and_how_many_more(
    family, client_for, monkeypatch
):
    from caseflow.partners import services

    case, advisor, (chidi, _amara), _partner_ = family
    for n in range(3):
        create_referral(
            case,
            advisor,
            partner_id=_partner(case.centre_id, f"Partner {n}").id,
            person_ids=[chidi.id],
            reason="x",
            consent=False,
            details=[],
            email_client=False,
        )
    db.session.commit()
    client = client_for(advisor)

    def panel() -> str:
        body = client.get(f"/cases/{case.id}").get_data(as_text=True)
        section = body[body.index('id="referrals"') :]
        return section[: section.index("</section>")]

    monkeypatch.setattr(services, "CASE_PANEL_LIMIT", 2)
    shown = panel()
    assert "Partner 2" in shown and "Partner 1" in shown and "Partner 0" not in shown
    assert "1 older referral is not shown." in shown
    monkeypatch.setattr(services, "CASE_PANEL_LIMIT", 3)
    shown = panel()
    assert "Partner 0" in shown and 'id="referrals-more"' not in shown


def test_the_state_form_says_what_closed_means(family, client_for):
    case, advisor, _persons, _partner_ = family
    _referral(family)
    body = client_for(advisor).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Closed: no longer followed up, e.g. the client withdrew." in body
