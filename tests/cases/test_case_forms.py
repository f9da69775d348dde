"""Bad and unusual input on the case forms: new case, edit, status, assignment, list filters."""

from datetime import date

import pytest
from sqlalchemy import func, select

from caseflow.cases.models import Activity, Case, CaseStatus, Person
from caseflow.cases.services import CaseData, update_case
from caseflow.core.time import today
from caseflow.extensions import db
from tests.conftest import db_digest, person, reload
from tests.forms_helpers import (
    BAD_URL_IDS,
    LONG,
    MISSING,
    NUL,
    UNUSUAL_NAMES,
    XSS,
    XSS_ESCAPED,
    assert_refused,
    assert_shown_escaped,
    edit_case_form,
    first_case_type,
    future_day,
    new_case_form,
    person_row,
    person_rows_shown,
    persons_of,
    shown_errors,
)

REQUIRED = "This field is required."
NOT_ALLOWED = "This field contains characters that are not allowed."
CHOICE = "Not a valid choice"
BAD_DATE = "Not a valid date value"
BAD_EMAIL = "Invalid email address."
BAD_PHONE = "Enter a phone number"
CONSENT = "Record the client's consent before saving."
CONFLICT = "Someone else changed this in the meantime."


def too_long(limit: int) -> str:
    return f"Field cannot be longer than {limit} characters."


# Bad input shared by the new-case and the edit-case form: (overrides, message shown).
CASE_FIELD_ERRORS = [
    # a required field missing (empty, only white space, or left out of the post); an
    # empty household name is made from the last name (tests/cases/test_intake_defaults.py)
    pytest.param({"case_type_id": MISSING}, CHOICE, id="case_type-absent"),
    pytest.param({"client_language": MISSING}, CHOICE, id="client_language-absent"),
    pytest.param({"persons-0-first_name": ""}, REQUIRED, id="first_name-empty"),
    pytest.param({"persons-0-first_name": MISSING}, REQUIRED, id="first_name-absent"),
    pytest.param({"persons-0-last_name": "   "}, REQUIRED, id="last_name-blank"),
    pytest.param({"persons-0-nationality": ""}, "Choose a nationality.", id="nationality-empty"),
    pytest.param({"persons-0-household_role": MISSING}, CHOICE, id="household_role-absent"),
    # longer than the limit
    pytest.param({"household_name": LONG}, too_long(120), id="household_name-10k"),
    pytest.param({"household_name": "é" * 121}, too_long(120), id="household_name-121"),
    pytest.param({"municipality": LONG}, too_long(80), id="municipality-10k"),
    pytest.param({"employer": LONG}, too_long(120), id="employer-10k"),
    pytest.param({"sector": LONG}, too_long(80), id="sector-10k"),
    pytest.param({"contact_email": LONG + "@example.org"}, too_long(254), id="contact_email-10k"),
    pytest.param({"contact_phone": "1" * 10_000}, too_long(40), id="contact_phone-10k"),
    pytest.param({"persons-0-first_name": LONG}, too_long(80), id="first_name-10k"),
    pytest.param({"persons-0-last_name": "😀" * 81}, too_long(80), id="last_name-81-emoji"),
    pytest.param({"persons-0-email": LONG + "@example.org"}, too_long(254), id="email-10k"),
    pytest.param({"persons-0-phone": "2" * 10_000}, too_long(40), id="phone-10k"),
    # invalid email addresses
    pytest.param({"contact_email": "not-an-email"}, BAD_EMAIL, id="contact_email-no-at"),
    pytest.param({"contact_email": "ana@"}, BAD_EMAIL, id="contact_email-no-domain"),
    pytest.param({"contact_email": "ana silva@example.org"}, BAD_EMAIL, id="contact_email-space"),
    pytest.param({"contact_email": "ana@example..org"}, BAD_EMAIL, id="contact_email-dots"),
    pytest.param({"persons-0-email": "ana@@example.org"}, BAD_EMAIL, id="email-double-at"),
    pytest.param({"persons-0-email": "<ana@example.org>"}, BAD_EMAIL, id="email-brackets"),
    # dates: in the future, impossible, not a date
    pytest.param(
        {"persons-0-date_of_birth": future_day()}, "cannot be in the future", id="dob-future"
    ),
    pytest.param(
        {"persons-0-date_of_birth": "9999-12-31"}, "cannot be in the future", id="dob-9999"
    ),
    pytest.param({"persons-0-date_of_birth": "2026-02-30"}, BAD_DATE, id="dob-feb-30"),
    pytest.param({"persons-0-date_of_birth": "not-a-date"}, BAD_DATE, id="dob-not-a-date"),
    pytest.param({"persons-0-date_of_birth": "17/05/1990"}, BAD_DATE, id="dob-dd-mm-yyyy"),
    pytest.param({"persons-0-date_of_birth": "1899-12-31"}, "after 1900", id="dob-1899"),
    pytest.param({"arrival_date": "2026-02-30"}, BAD_DATE, id="arrival-feb-30"),
    pytest.param({"arrival_date": "not-a-date"}, BAD_DATE, id="arrival-not-a-date"),
    pytest.param({"arrival_date": "1999-12-31"}, "Enter an arrival date", id="arrival-1999"),
    pytest.param({"arrival_date": "9999-12-31"}, "Enter an arrival date", id="arrival-9999"),
    # NUL bytes and other control characters in text fields
    pytest.param({"household_name": NUL}, NOT_ALLOWED, id="household_name-nul"),
    pytest.param({"household_name": "\x1b[31mRed family"}, NOT_ALLOWED, id="household_name-esc"),
    pytest.param({"municipality": "Genk\x00"}, NOT_ALLOWED, id="municipality-nul"),
    pytest.param({"employer": "\x00"}, NOT_ALLOWED, id="employer-nul"),
    pytest.param({"sector": "IT\x00"}, NOT_ALLOWED, id="sector-nul"),
    pytest.param({"persons-0-first_name": NUL}, NOT_ALLOWED, id="first_name-nul"),
    pytest.param({"persons-0-last_name": "Sil\x08va"}, NOT_ALLOWED, id="last_name-backspace"),
    pytest.param({"contact_email": "ana\x00@example.org"}, BAD_EMAIL, id="contact_email-nul"),
    pytest.param({"contact_phone": "+32\x0011 12 34 56"}, BAD_PHONE, id="contact_phone-nul"),
    pytest.param({"persons-0-email": "ana@example.org\x00"}, BAD_EMAIL, id="email-nul"),
    pytest.param({"persons-0-phone": "011\x00123456"}, BAD_PHONE, id="phone-nul"),
    pytest.param({"contact_phone": "call me maybe"}, BAD_PHONE, id="contact_phone-words"),
    # unknown choices in selects
    pytest.param({"case_type_id": "99999"}, CHOICE, id="case_type-unknown"),
    pytest.param({"case_type_id": "abc"}, "Invalid Choice", id="case_type-non-numeric"),
    pytest.param({"case_type_id": "1.5"}, "Invalid Choice", id="case_type-decimal"),
    pytest.param({"case_type_id": "9" * 30}, CHOICE, id="case_type-huge"),
    pytest.param({"referral_channel": "tiktok"}, CHOICE, id="referral-unknown"),
    pytest.param({"client_language": "de"}, CHOICE, id="client_language-unknown"),
    pytest.param({"client_language": "en\x00"}, CHOICE, id="client_language-nul"),
    pytest.param({"persons-0-household_role": "king"}, CHOICE, id="household_role-unknown"),
    pytest.param({"persons-0-nationality": "XX"}, CHOICE, id="nationality-unknown"),
    pytest.param({"persons-0-nationality": "br"}, CHOICE, id="nationality-lowercase"),
    pytest.param({"persons-0-nationality": "EU"}, CHOICE, id="nationality-not-a-country"),
    pytest.param({"persons-0-second_nationality": "ZZ"}, CHOICE, id="second_nat-unknown"),
    pytest.param(
        {"persons-0-second_nationality": "BR"}, "repeats the first", id="second_nat-repeats"
    ),
]


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", name="Arne Advisor")


@pytest.fixture
def lead(make_user):
    return make_user("team_lead", name="Lea Lead")


@pytest.fixture
def web(client_for, advisor):
    """The advisor's browser."""
    return client_for(advisor)


@pytest.fixture
def case_type_id(centre):
    return first_case_type(centre.id).id


@pytest.fixture
def case(make_case, advisor):
    return make_case(
        advisor,
        household_name="Silva family",
        persons=[person("Ana", "Silva"), person("Rui", "Silva", role="partner")],
    )


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# --- new case: a valid post works (so the refusals below are about the bad value) --------


def test_new_case_with_valid_input_is_stored(web, advisor, case_type_id):
    response = web.post_form(
        "/cases/new",
        new_case_form(
            case_type_id,
            {"advisor_id": str(advisor.id), "arrival_date": "2024-09-01", "contact_phone": ""},
            persons=[{}, {"first_name": "Rui", "household_role": "partner", "nationality": "PT"}],
        ),
    )
    assert response.status_code == 302, shown_errors(response)
    case = db.session.scalars(select(Case)).one()
    assert case.household_name == "Silva family"
    assert case.advisor_id == advisor.id
    assert case.arrival_date == date(2024, 9, 1)
    assert [(p.first_name, p.nationality) for p in persons_of(case.id)] == [
        ("Ana", "BR"),
        ("Rui", "PT"),
    ]


@pytest.mark.parametrize(("overrides", "message"), CASE_FIELD_ERRORS)
def test_new_case_refuses_bad_input(web, case_type_id, overrides, message):
    before = db_digest()
    response = web.post_form("/cases/new", new_case_form(case_type_id, overrides))
    assert_refused(response, before, message)
    assert count(Case) == 0


@pytest.mark.parametrize("consent", [MISSING, "", "false"], ids=["absent", "empty", "false"])
def test_new_case_without_consent_is_refused(web, case_type_id, consent):
    before = db_digest()
    response = web.post_form("/cases/new", new_case_form(case_type_id, {"consent": consent}))
    assert_refused(response, before, CONSENT)
    assert count(Case) == 0 and count(Person) == 0


@pytest.mark.parametrize(
    "advisor_id", ["abc", "99999", "-1", "1 OR 1=1"], ids=["non-numeric", "unknown", "neg", "sql"]
)
def test_new_case_refuses_unknown_advisor(web, case_type_id, advisor_id):
    before = db_digest()
    response = web.post_form("/cases/new", new_case_form(case_type_id, {"advisor_id": advisor_id}))
    assert_refused(response, before, CHOICE)


def test_advisor_cannot_open_a_case_for_a_colleague(web, make_user, case_type_id):
    colleague = make_user("advisor", name="Colin Colleague")
    before = db_digest()
    response = web.post_form(
        "/cases/new", new_case_form(case_type_id, {"advisor_id": str(colleague.id)})
    )
    assert_refused(response, before, CHOICE)


def test_new_case_refuses_a_case_type_of_another_centre(web, other_centre):
    foreign_type = first_case_type(other_centre.id)
    before = db_digest()
    response = web.post_form("/cases/new", new_case_form(foreign_type.id))
    assert_refused(response, before, CHOICE)


def test_new_case_refuses_a_retired_case_type(web, centre):
    retired = first_case_type(centre.id)
    retired.is_active = False
    db.session.commit()
    before = db_digest()
    response = web.post_form("/cases/new", new_case_form(retired.id))
    assert_refused(response, before, CHOICE)


def test_new_case_with_an_error_in_the_second_person_stores_nothing(web, case_type_id):
    before = db_digest()
    response = web.post_form(
        "/cases/new",
        new_case_form(case_type_id, persons=[{}, {"first_name": "Rui", "date_of_birth": "x"}]),
    )
    assert_refused(response, before, BAD_DATE)
    assert count(Person) == 0


def test_new_case_with_more_persons_than_allowed_is_refused(web, case_type_id):
    """25 rows posted, 20 allowed: never store a silently truncated household."""
    before = db_digest()
    rows = [{"first_name": f"Person {n}"} for n in range(25)]
    response = web.post_form("/cases/new", new_case_form(case_type_id, persons=rows))
    assert_refused(response, before, None)
    assert count(Person) == 0


def test_new_case_with_a_malformed_person_row_index_does_not_crash(web, case_type_id):
    """'²' passes str.isdigit() but not int(): ignore the row or refuse, never crash."""
    data = new_case_form(case_type_id)
    data["persons-²-first_name"] = "Eve"
    before = db_digest()
    response = web.post_form("/cases/new", data)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert shown_errors(response)
        assert db_digest() == before
    else:
        [case] = db.session.scalars(select(Case)).all()
        assert [p.first_name for p in persons_of(case.id)] == ["Ana"]


def test_new_case_ignores_mass_assigned_fields(web, advisor, make_user, other_centre, case_type_id):
    outsider = make_user("admin", centre_=other_centre, name="Olga Outsider")
    extra = {
        "centre_id": str(other_centre.id),
        "reference": "HACK-1999-0001",
        "status": "closed",
        "consent_recorded_by_id": str(outsider.id),
        "consent_on": "2000-01-01",
        "closing_reason": "other",
        "version": "99",
        "id": "4242",
        "created_at": "2000-01-01 00:00:00",
        "persons-0-case_id": "4242",
        "persons-0-position": "7",
    }
    response = web.post_form("/cases/new", new_case_form(case_type_id, extra))
    assert response.status_code == 302, shown_errors(response)
    case = db.session.scalars(select(Case)).one()
    assert case.centre_id == advisor.centre_id
    assert case.reference.startswith(f"LIM-{today().year}-")
    assert case.status == CaseStatus.INTAKE
    assert case.closing_reason is None
    assert case.consent_recorded_by_id == advisor.id
    assert case.consent_on == today()
    assert case.version == 1
    assert case.id != 4242
    [stored] = persons_of(case.id)
    assert stored.position == 0


# --- add / remove person buttons ----------------------------------------------------------


def test_add_person_shows_one_more_row_and_stores_nothing(web, case_type_id):
    before = db_digest()
    data = new_case_form(case_type_id, {"add_person": "1", "save": MISSING})
    data["persons-0-first_name"] = "Zoë 😀"
    response = web.post_form("/cases/new", data)
    assert response.status_code == 200
    assert person_rows_shown(response) == 2
    assert 'value="Zoë 😀"' in response.get_data(as_text=True)  # the typed data is kept
    assert shown_errors(response) == []
    assert db_digest() == before


def test_add_person_with_invalid_rows_still_stores_nothing(web, case_type_id):
    before = db_digest()
    data = new_case_form(
        case_type_id,
        {"add_person": "1", "persons-0-first_name": NUL, "persons-0-date_of_birth": "nope"},
    )
    data.pop("save")
    response = web.post_form("/cases/new", data)
    assert response.status_code == 200
    assert person_rows_shown(response) == 2
    assert db_digest() == before


def test_add_person_stops_at_the_maximum(web, case_type_id):
    rows = [{"first_name": f"P{n}"} for n in range(20)]
    data = new_case_form(case_type_id, {"add_person": "1", "save": MISSING}, persons=rows)
    before = db_digest()
    response = web.post_form("/cases/new", data)
    assert response.status_code == 200
    assert person_rows_shown(response) == 20
    assert db_digest() == before


def test_remove_person_shows_one_row_less_and_stores_nothing(web, case_type_id):
    rows = [{"first_name": "Alpha"}, {"first_name": "Bravo"}, {"first_name": "Charlie"}]
    data = new_case_form(case_type_id, {"remove_person": "1", "save": MISSING}, persons=rows)
    before = db_digest()
    response = web.post_form("/cases/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert person_rows_shown(response) == 2
    assert 'value="Alpha"' in page and 'value="Charlie"' in page
    assert 'value="Bravo"' not in page
    assert db_digest() == before


def test_remove_the_only_person_keeps_one_row(web, case_type_id):
    data = new_case_form(case_type_id, {"remove_person": "0", "save": MISSING})
    before = db_digest()
    response = web.post_form("/cases/new", data)
    assert response.status_code == 200
    assert person_rows_shown(response) == 1
    assert db_digest() == before


@pytest.mark.parametrize(
    "index",
    ["abc", "-1", "99", "", "1.0", "9" * 40, "²", "١"],
    ids=[
        "non-numeric",
        "negative",
        "too-high",
        "empty",
        "decimal",
        "huge",
        "superscript",
        "arabic",
    ],
)
def test_remove_person_with_a_bad_index_changes_nothing(web, case_type_id, index):
    rows = [{"first_name": "Alpha"}, {"first_name": "Bravo"}]
    data = new_case_form(case_type_id, {"remove_person": index, "save": MISSING}, persons=rows)
    before = db_digest()
    response = web.post_form("/cases/new", data)
    assert response.status_code in (200, 400)
    if index != "١":  # Arabic-Indic one: int() reads it as 1, removing row 1 is fine
        assert person_rows_shown(response) == 2
    assert db_digest() == before


def test_add_person_on_the_edit_form_stores_nothing(web, case):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/edit", edit_case_form(case.id, {"add_person": "1", "save": MISSING})
    )
    assert response.status_code == 200
    assert person_rows_shown(response) == 3
    assert db_digest() == before


def test_remove_person_on_the_edit_form_stores_nothing(web, case):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/edit", edit_case_form(case.id, {"remove_person": "0", "save": MISSING})
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert person_rows_shown(response) == 1
    assert 'value="Rui"' in page and 'value="Ana"' not in page
    assert db_digest() == before
    assert len(persons_of(case.id)) == 2


# --- edit case ------------------------------------------------------------------------------


def test_edit_case_with_valid_input_is_stored(web, case):
    data = edit_case_form(case.id, {"household_name": "Silva-Costa family"})
    data.update(person_row(2, first_name="Inês", household_role="child", nationality="PT"))
    response = web.post_form(f"/cases/{case.id}/edit", data)
    assert response.status_code == 302, shown_errors(response)
    assert reload(Case, case.id).household_name == "Silva-Costa family"
    assert [p.first_name for p in persons_of(case.id)] == ["Ana", "Rui", "Inês"]


@pytest.mark.parametrize(("overrides", "message"), CASE_FIELD_ERRORS)
def test_edit_case_refuses_bad_input(web, case, overrides, message):
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/edit", edit_case_form(case.id, overrides))
    assert_refused(response, before, message)


def test_edit_case_refuses_a_person_of_another_case(web, case, make_case, advisor):
    other = make_case(advisor, household_name="Other family", persons=[person("Olga", "Other")])
    [stranger] = persons_of(other.id)
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/edit", edit_case_form(case.id, {"persons-1-id": str(stranger.id)})
    )
    assert_refused(response, before, "This person does not belong to this case.")
    assert [p.first_name for p in persons_of(other.id)] == ["Olga"]


def test_edit_case_refuses_a_person_of_another_centre(
    web, case, make_case, make_user, other_centre
):
    outsider = make_user("advisor", centre_=other_centre)
    foreign = make_case(outsider, persons=[person("Fritz", "Fremd")])
    [stranger] = persons_of(foreign.id)
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/edit", edit_case_form(case.id, {"persons-0-id": str(stranger.id)})
    )
    assert_refused(response, before, "This person does not belong to this case.")
    assert reload(Person, stranger.id).first_name == "Fritz"


@pytest.mark.parametrize(
    "person_id",
    ["abc", "-1", "1.0", "2147483648", "9" * 30, "²", "0x1"],
    ids=["non-numeric", "negative", "decimal", "above-int32", "huge", "superscript", "hex"],
)
def test_edit_case_refuses_a_malformed_person_id(web, case, person_id):
    """A person id that is not a plain number must not silently replace the person."""
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/edit", edit_case_form(case.id, {"persons-0-id": person_id})
    )
    assert_refused(response, before, None)


def test_edit_case_refuses_the_same_person_twice(web, case):
    """Two rows claiming one person id would silently drop one row's data."""
    ana, _rui = persons_of(case.id)
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/edit", edit_case_form(case.id, {"persons-1-id": str(ana.id)})
    )
    assert_refused(response, before, None)


def test_edit_case_with_a_stale_version_is_a_conflict(web, case, advisor):
    stale = edit_case_form(case.id, {"household_name": "My change"})
    fresh = reload(Case, case.id)
    update_case(
        fresh,
        advisor,
        CaseData(
            household_name="Their change",
            case_type_id=fresh.case_type_id,
            persons=[
                person(p.first_name, p.last_name, role=p.household_role, id=p.id)
                for p in persons_of(case.id)
            ],
        ),
        fresh.version,
    )
    db.session.commit()
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/edit", stale)
    assert_refused(response, before, CONFLICT, statuses=(409,))
    assert reload(Case, case.id).household_name == "Their change"


@pytest.mark.parametrize(
    "version", ["abc", MISSING, "", "1e3"], ids=["abc", "absent", "empty", "exp"]
)
def test_edit_case_with_a_malformed_version_is_refused(web, case, version):
    """Without a usable version the optimistic lock cannot work: refuse, do not skip it."""
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/edit",
        edit_case_form(case.id, {"household_name": "Changed", "version": version}),
    )
    assert_refused(response, before, None, statuses=(400, 409))


def test_edit_case_ignores_mass_assigned_fields(web, case, advisor, make_user, other_centre):
    colleague = make_user("advisor", name="Colin Colleague")
    current = reload(Case, case.id)
    original = {
        name: getattr(current, name)
        for name in (
            "centre_id",
            "advisor_id",
            "status",
            "reference",
            "consent_recorded_by_id",
            "consent_on",
            "closing_reason",
            "created_at",
        )
    }
    person_ids = [p.id for p in persons_of(case.id)]
    extra = {
        "household_name": "Renamed family",
        "centre_id": str(other_centre.id),
        "advisor_id": str(colleague.id),
        "status": "closed",
        "closing_reason": "other",
        "reference": "HACK-1999-0001",
        "consent_recorded_by_id": str(colleague.id),
        "consent_on": "2000-01-01",
        "created_at": "2000-01-01 00:00:00",
        "id": "4242",
        "persons-0-case_id": "4242",
    }
    response = web.post_form(f"/cases/{case.id}/edit", edit_case_form(case.id, extra))
    assert response.status_code == 302, shown_errors(response)
    stored = reload(Case, case.id)
    assert stored.household_name == "Renamed family"
    assert {name: getattr(stored, name) for name in original} == original
    assert [p.id for p in persons_of(case.id)] == person_ids


@pytest.mark.parametrize("case_id", BAD_URL_IDS)
@pytest.mark.parametrize("action", ["", "/edit", "/status", "/assign", "/take"])
def test_case_urls_with_a_malformed_id_are_not_found(client_for, lead, case, case_id, action):
    web = client_for(lead)
    before = db_digest()
    if action:
        response = web.post_form(
            f"/cases/{case_id}{action}", edit_case_form(case.id, {"household_name": "Nope"})
        )
    else:
        response = web.get(f"/cases/{case_id}")
    assert response.status_code == 404
    assert db_digest() == before


# --- status and assignment ---------------------------------------------------------------


STATUS_ERRORS = [
    pytest.param({"status": MISSING}, CHOICE, id="status-absent"),
    pytest.param({"status": ""}, CHOICE, id="status-empty"),
    pytest.param({"status": "archived"}, CHOICE, id="status-unknown"),
    pytest.param({"status": "open\x00"}, CHOICE, id="status-nul"),
    pytest.param({"status": "closed"}, "Choose a reason for closing", id="closed-no-reason"),
    pytest.param(
        {"status": "closed", "closing_reason": "bored"}, CHOICE, id="closing_reason-unknown"
    ),
    pytest.param(
        {"status": "closed", "closing_reason": "other", "closing_comment": LONG},
        too_long(2000),
        id="closing_comment-10k",
    ),
    pytest.param(
        {"status": "closed", "closing_reason": "other", "closing_comment": "done\x00"},
        NOT_ALLOWED,
        id="closing_comment-nul",
    ),
]


def status_form(case_id: int, overrides: dict) -> dict:
    data = {
        "status": "waiting_on_client",
        "closing_reason": "",
        "closing_comment": "",
        "version": str(reload(Case, case_id).version),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not MISSING}


@pytest.mark.parametrize(("overrides", "message"), STATUS_ERRORS)
def test_status_change_refuses_bad_input(web, case, overrides, message):
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/status", status_form(case.id, overrides))
    assert_refused(response, before, message)
    assert reload(Case, case.id).status == CaseStatus.OPEN


def test_status_change_with_a_stale_version_is_a_conflict(web, case):
    data = status_form(case.id, {"status": "closed", "closing_reason": "completed"})
    case_now = reload(Case, case.id)
    case_now.municipality = "Hasselt"  # someone else saves in between
    db.session.commit()
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/status", data)
    assert_refused(response, before, CONFLICT, statuses=(409,))
    assert reload(Case, case.id).status == CaseStatus.OPEN


@pytest.mark.parametrize("version", ["abc", MISSING], ids=["abc", "absent"])
def test_status_change_with_a_malformed_version_is_refused(web, case, version):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/status",
        status_form(case.id, {"status": "closed", "closing_reason": "other", "version": version}),
    )
    assert_refused(response, before, None, statuses=(400, 409))


def test_closing_comment_with_markup_is_stored_verbatim_and_shown_escaped(web, case):
    comment = f"Moved to Lyon 🇫🇷 {XSS}"
    response = web.post_form(
        f"/cases/{case.id}/status",
        status_form(
            case.id,
            {"status": "closed", "closing_reason": "moved_away", "closing_comment": comment},
        ),
    )
    assert response.status_code == 302, shown_errors(response)
    assert reload(Case, case.id).closing_comment == comment
    assert_shown_escaped(web.get(f"/cases/{case.id}"), comment)


@pytest.mark.parametrize(
    "advisor_id",
    ["abc", "99999", "-1", "9" * 30, "2\x00"],
    ids=["abc", "unknown", "neg", "huge", "nul"],
)
def test_assign_refuses_unknown_advisor(client_for, lead, case, advisor_id):
    web = client_for(lead)
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/assign", {"advisor_id": advisor_id})
    assert_refused(response, before, CHOICE)


def test_assign_refuses_inactive_or_foreign_advisors(
    client_for, lead, case, make_user, other_centre
):
    web = client_for(lead)
    gone = make_user("advisor", is_active_account=False)
    outsider = make_user("advisor", centre_=other_centre)
    for target in (gone, outsider):
        before = db_digest()
        response = web.post_form(f"/cases/{case.id}/assign", {"advisor_id": str(target.id)})
        assert_refused(response, before, CHOICE)


# --- valid but unusual input: stored exactly, shown escaped -------------------------------


@pytest.mark.parametrize("value", list(UNUSUAL_NAMES.values()), ids=list(UNUSUAL_NAMES))
def test_new_case_stores_unusual_names_verbatim_and_shows_them_escaped(
    web, advisor, case_type_id, value
):
    response = web.post_form(
        "/cases/new",
        new_case_form(
            case_type_id,
            {
                "household_name": value,
                "municipality": value,
                "employer": value,
                "advisor_id": str(advisor.id),
                "persons-0-first_name": value,
                "persons-0-last_name": value,
            },
        ),
    )
    assert response.status_code == 302, shown_errors(response)
    case = db.session.scalars(select(Case)).one()
    assert (case.household_name, case.municipality, case.employer) == (value, value, value)
    [stored] = persons_of(case.id)
    assert (stored.first_name, stored.last_name) == (value, value)

    assert_shown_escaped(web.get(f"/cases/{case.id}"), value)
    assert_shown_escaped(web.get("/cases"), value)
    assert_shown_escaped(web.get("/cases", query_string={"q": value}), value)
    assert_shown_escaped(web.get("/"), value)
    assert_shown_escaped(web.get(f"/cases/{case.id}/edit"), value)


def test_household_name_with_markup_is_escaped_on_case_page_and_list(web, case):
    response = web.post_form(
        f"/cases/{case.id}/edit", edit_case_form(case.id, {"household_name": XSS})
    )
    assert response.status_code == 302, shown_errors(response)
    assert reload(Case, case.id).household_name == XSS
    for url in (f"/cases/{case.id}", "/cases", "/"):
        page = web.get(url).get_data(as_text=True)
        assert XSS_ESCAPED in page, url
        assert XSS not in page, url


def test_edit_case_stores_unusual_person_names_verbatim(web, case):
    names = list(UNUSUAL_NAMES.values())
    data = edit_case_form(
        case.id,
        {
            "persons-0-first_name": names[0],
            "persons-0-last_name": names[3],
            "persons-1-first_name": names[1],
            "persons-1-last_name": names[2],
        },
    )
    data.update(person_row(2, first_name=names[4], last_name=names[5], household_role="child"))
    response = web.post_form(f"/cases/{case.id}/edit", data)
    assert response.status_code == 302, shown_errors(response)
    assert [(p.first_name, p.last_name) for p in persons_of(case.id)] == [
        (names[0], names[3]),
        (names[1], names[2]),
        (names[4], names[5]),
    ]
    page = web.get(f"/cases/{case.id}")
    for name in names:
        assert_shown_escaped(page, name)


def test_unusual_but_valid_contact_details_are_accepted(web, case_type_id):
    longest_name = "😀" * 80
    response = web.post_form(
        "/cases/new",
        new_case_form(
            case_type_id,
            {
                "contact_email": "Zoë.O'Brien+intake@Example.ORG",
                "contact_phone": "+32 (0)11 12.34-56",
                "arrival_date": "2000-01-01",
                "persons-0-first_name": longest_name,
                "persons-0-date_of_birth": today().isoformat(),
                "persons-0-email": "  ANA@EXAMPLE.ORG  ",
                "persons-0-second_nationality": "BE",
            },
        ),
    )
    assert response.status_code == 302, shown_errors(response)
    case = db.session.scalars(select(Case)).one()
    assert case.contact_email == "zoë.o'brien+intake@example.org"
    assert case.contact_phone == "+32 (0)11 12.34-56"
    assert case.arrival_date == date(2000, 1, 1)
    [stored] = persons_of(case.id)
    assert stored.first_name == longest_name
    assert stored.date_of_birth == today()
    assert stored.email == "ana@example.org"
    assert (stored.nationality, stored.second_nationality) == ("BR", "BE")


# --- the case list's filter form (GET) ------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"q": "Ana\x00"},
        {"q": LONG},
        {"q": "%_\\"},
        {"q": XSS},
        {"status": "archived"},
        {"advisor": "abc"},
        {"advisor": "²"},
        {"advisor": "9" * 30},
        {"case_type": "²"},
        {"case_type": "9" * 30},
        {"nationality": "XX\x00"},
        {"municipality": LONG},
        {"municipality": "Genk\x00"},
        {"sort": "-password_hash"},
        {"page": "abc"},
        {"page": "-5"},
        {"page": "9" * 30},
    ],
    ids=lambda q: "-".join(q) + ":" + repr(next(iter(q.values())))[:12],
)
def test_case_list_survives_bad_filters(web, case, query):
    before = db_digest()
    response = web.get("/cases", query_string=query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert XSS not in page
    assert db_digest() == before


@pytest.mark.parametrize(
    ("household", "first", "last", "term"),
    [
        ("Family O'Brien-Núñez", "Ana", "Silva", "o'brien"),
        ("Family O'Brien-Núñez", "Ana", "Silva", "Núñez"),
        ("Family Haddad", "مريم", "דוד", "مريم דוד"),
        ("Family Ivanova", "Анна-Мария", "Иванова", "Анна-Мария"),
        ("Family Ivanova", "Анна-Мария", "Иванова", "иванова"),
        ("Famille Dupré", "Émile", "Dupré", "Émile"),
        ("Family Papadopoulou", "Ζωή", "Παπαδοπούλου", "Ζωή"),
        ("Zoë 😀 family", "Zoë", "Smith", "zoë 😀"),
    ],
    ids=["apostrophe", "accents", "rtl", "cyrillic-exact", "cyrillic-lower", "É", "greek", "emoji"],
)
def test_case_list_search_finds_unusual_names_as_typed(
    web, make_case, advisor, household, first, last, term
):
    """A name typed exactly as stored (or lower-cased) must be found."""
    make_case(advisor, household_name=household, persons=[person(first, last)])
    page = web.get("/cases", query_string={"q": term}).get_data(as_text=True)
    assert "1 case" in page, term


def test_activity_counts_stay_consistent_after_refused_edits(web, case):
    """A refused edit must not leave a timeline entry behind."""
    entries = count(Activity)
    version = reload(Case, case.id).version
    web.post_form(f"/cases/{case.id}/edit", edit_case_form(case.id, {"household_name": NUL}))
    web.post_form(f"/cases/{case.id}/edit", edit_case_form(case.id, {"persons-0-id": "999999"}))
    assert count(Activity) == entries
    assert reload(Case, case.id).version == version


@pytest.mark.parametrize("data", [None, "", "b", "<x>", "missing"])
def test_the_reused_select_renders_what_wtforms_renders(app, data):
    from flask_babel import lazy_gettext
    from wtforms import SelectField
    from wtforms.fields.choices import SelectChoice
    from wtforms.widgets import Select

    from caseflow.cases.forms import ReusedSelect
    from caseflow.core.forms import SubForm

    choices = [
        SelectChoice("", lazy_gettext("Any")),
        SelectChoice("b", "Bé & <co>"),
        SelectChoice("<x>", 'quote " here'),
    ]

    class Plain(SubForm):
        pick = SelectField("Pick", choices=choices, widget=Select())

    class Reused(SubForm):
        pick = SelectField("Pick", choices=choices, widget=ReusedSelect())

    with app.test_request_context("/"):
        plain, reused = Plain(), Reused()
        plain.pick.data = reused.pick.data = data
        assert str(reused.pick(class_="form-select")) == str(plain.pick(class_="form-select"))
        assert str(reused.pick()) == str(plain.pick())


@pytest.mark.parametrize(
    ("query", "skips"),
    [
        ({}, True),
        ({"status": "all"}, True),
        ({"q": "  Kowalski ", "status": "open", "sort": "household"}, True),
        ({"advisor": "none", "case_type": "7", "nationality": "BE", "hold": "1"}, True),
        ({"q": "x" * 100, "municipality": "y" * 80}, True),
        ({"q": "x" * 101}, False),
        ({"municipality": "y" * 81}, False),
        ({"q": "Ana\x00Silva"}, False),
        ({"q": "two\nlines"}, False),
        ({"status": "archived"}, False),
        ({"advisor": "9" * 30}, False),
        ({"nationality": "XX"}, False),
        ({"nationality": "B" * 150}, False),
        ({"sort": "-password_hash"}, False),
        ({"q": ["one", "two"]}, True),
    ],
    ids=repr,
)
def test_the_filter_form_reads_and_shows_a_query_as_validating_it_would(
    app, monkeypatch, query, skips
):
    """The case list's filter form skips WTForms' validation when every value would
    pass it (caseflow.cases.forms.FilterForm.to_filters): the filters it reads and the
    form it shows again are those of a form that validated."""
    from werkzeug.datastructures import MultiDict

    from caseflow.cases.forms import FilterForm

    advisors, case_types = [(3, "Anna Advisor"), (4, "Bert <Lead>")], [(7, "Work permit")]
    args = MultiDict(
        [(k, v) for k, vs in query.items() for v in (vs if isinstance(vs, list) else [vs])]
    )
    validations = []
    real_validate = FilterForm.validate

    def counted_validate(self, *a, **kw):
        validations.append(1)
        return real_validate(self, *a, **kw)

    monkeypatch.setattr(FilterForm, "validate", counted_validate)
    with app.test_request_context("/cases"):
        fast = FilterForm(args, advisors, case_types)
        fast_filters = fast.to_filters()
        assert (not validations) == skips
        validated = FilterForm(args, advisors, case_types)
        monkeypatch.setattr(FilterForm, "_plainly_valid", lambda self, valid: False)
        assert validated.to_filters() == fast_filters
        assert len(validations) == (1 if skips else 2)
        for name, field in fast._fields.items():
            assert str(field()) == str(validated[name]()), name
