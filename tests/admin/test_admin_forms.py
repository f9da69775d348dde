"""Bad and unusual input on the admin forms: users, password resets and case types."""

import pytest
from sqlalchemy import func, select

from caseflow.auth.models import Role, User
from caseflow.auth.passwords import verify_password
from caseflow.cases.models import CaseType
from caseflow.extensions import db
from tests.conftest import PASSWORD, db_digest, reload
from tests.forms_helpers import (
    BAD_URL_IDS,
    LONG,
    MISSING,
    UNUSUAL_NAMES,
    XSS,
    apply,
    assert_refused,
    assert_shown_escaped,
    first_case_type,
    shown_errors,
)

REQUIRED = "This field is required."
NOT_ALLOWED = "This field contains characters that are not allowed."
CHOICE = "Not a valid choice"
BAD_EMAIL = "Invalid email address."
NOT_INTEGER = "Not a valid integer value"
POSITION_RANGE = "Number must be between 0 and 999."
DUPLICATE_TYPE = "A case type with this name already exists."
NEW_PASSWORD = "copper-meadow-lantern-87"


def too_long(limit: int) -> str:
    return f"Field cannot be longer than {limit} characters."


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Ada Admin", email="ada@example.org")


@pytest.fixture
def web(client_for, admin):
    return client_for(admin)


@pytest.fixture
def colleague(make_user):
    return make_user("advisor", name="Colin Colleague", email="colin@example.org")


def user_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(User))


def type_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(CaseType))


# --- new user -------------------------------------------------------------------------------


def new_user_form(overrides: dict | None = None) -> dict:
    return apply(
        {
            "full_name": "Nina New",
            "email": "nina.new@example.org",
            "role": "advisor",
            "password": NEW_PASSWORD,
            "is_active": "y",
        },
        overrides,
    )


PASSWORD_ERRORS = [
    pytest.param("", REQUIRED, id="password-empty"),
    pytest.param(MISSING, REQUIRED, id="password-absent"),
    pytest.param("short-pw", "Use at least 12 characters.", id="password-short"),
    pytest.param(LONG, "Use at most 128 characters.", id="password-10k"),
    pytest.param("copper\x00meadow-lantern", "not allowed", id="password-nul"),
    pytest.param("password1234", "too easy to guess", id="password-weak"),
]

NEW_USER_ERRORS = [
    pytest.param({"full_name": ""}, REQUIRED, id="full_name-empty"),
    pytest.param({"full_name": MISSING}, REQUIRED, id="full_name-absent"),
    pytest.param({"full_name": LONG}, too_long(120), id="full_name-10k"),
    pytest.param({"full_name": "Nina\x00New"}, NOT_ALLOWED, id="full_name-nul"),
    pytest.param({"email": ""}, REQUIRED, id="email-empty"),
    pytest.param({"email": MISSING}, REQUIRED, id="email-absent"),
    pytest.param({"email": "not-an-email"}, BAD_EMAIL, id="email-invalid"),
    pytest.param({"email": "nina@"}, BAD_EMAIL, id="email-no-domain"),
    pytest.param({"email": "nina new@example.org"}, BAD_EMAIL, id="email-space"),
    pytest.param({"email": LONG + "@example.org"}, too_long(254), id="email-10k"),
    pytest.param({"email": "nina\x00@example.org"}, BAD_EMAIL, id="email-nul"),
    pytest.param({"role": MISSING}, CHOICE, id="role-absent"),
    pytest.param({"role": "superuser"}, CHOICE, id="role-unknown"),
    pytest.param({"role": "ADMIN"}, CHOICE, id="role-uppercase"),
    pytest.param({"role": "admin\x00"}, CHOICE, id="role-nul"),
    *[
        pytest.param({"password": value}, message, id=param.id)
        for param in PASSWORD_ERRORS
        for value, message in [param.values]
    ],
    pytest.param({"password": "nina.new@example.org"}, "too easy to guess", id="password-email"),
]


def test_new_user_with_valid_input_is_stored(web, admin):
    response = web.post_form("/admin/users/new", new_user_form({"email": " Nina.New@Example.ORG "}))
    assert response.status_code == 302, shown_errors(response)
    stored = db.session.scalars(select(User).where(User.full_name == "Nina New")).one()
    assert (stored.email, stored.role, stored.centre_id) == (
        "nina.new@example.org",
        Role.ADVISOR,
        admin.centre_id,
    )
    assert verify_password(stored.password_hash, NEW_PASSWORD)


@pytest.mark.parametrize(("overrides", "message"), NEW_USER_ERRORS)
def test_new_user_refuses_bad_input(web, overrides, message):
    users = user_count()
    before = db_digest()
    response = web.post_form("/admin/users/new", new_user_form(overrides))
    assert_refused(response, before, message)
    assert user_count() == users


@pytest.mark.parametrize("email", ["colin@example.org", "COLIN@Example.org", " colin@example.org "])
def test_new_user_refuses_an_email_already_in_use(web, colleague, email):
    before = db_digest()
    response = web.post_form("/admin/users/new", new_user_form({"email": email}))
    assert_refused(response, before, "This email address cannot be used for a new account.")


@pytest.mark.parametrize("value", list(UNUSUAL_NAMES.values()), ids=list(UNUSUAL_NAMES))
def test_new_user_stores_unusual_names_verbatim_and_shows_them_escaped(web, value):
    response = web.post_form("/admin/users/new", new_user_form({"full_name": value}))
    assert response.status_code == 302, shown_errors(response)
    stored = db.session.scalars(select(User).where(User.email == "nina.new@example.org")).one()
    assert stored.full_name == value
    assert_shown_escaped(web.get("/admin/users"), value)
    assert_shown_escaped(web.get(f"/admin/users/{stored.id}"), value)


def test_new_user_created_message_escapes_the_name(web):
    response = web.post_form(
        "/admin/users/new", new_user_form({"full_name": XSS}), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "User &lt;script&gt;alert(1)&lt;/script&gt; created." in page
    assert XSS not in page


def test_new_user_with_an_international_email_is_stored_lower_case(web):
    response = web.post_form(
        "/admin/users/new", new_user_form({"email": "ZOË.O'Brien@Example.org"})
    )
    assert response.status_code == 302, shown_errors(response)
    assert db.session.scalars(select(User.email).where(User.full_name == "Nina New")).one() == (
        "zoë.o'brien@example.org"
    )


def test_new_user_ignores_mass_assigned_fields(web, admin, other_centre):
    response = web.post_form(
        "/admin/users/new",
        new_user_form(
            {
                "centre_id": str(other_centre.id),
                "password_hash": "x",
                "session_token": "chosen-token",
                "last_login_at": "2000-01-01 00:00:00",
                "is_active_account": "y",
                "is_active": MISSING,
                "locale": "nl",
                "id": "4242",
            }
        ),
    )
    assert response.status_code == 302, shown_errors(response)
    stored = db.session.scalars(select(User).where(User.full_name == "Nina New")).one()
    assert stored.centre_id == admin.centre_id
    assert stored.session_token != "chosen-token"
    assert stored.last_login_at is None and stored.locale is None
    assert stored.is_active_account is False  # the unticked box, not the extra field
    assert stored.id != 4242
    assert verify_password(stored.password_hash, NEW_PASSWORD)


# --- edit user ------------------------------------------------------------------------------


USER_EDIT_ERRORS = [
    pytest.param({"full_name": ""}, REQUIRED, id="full_name-empty"),
    pytest.param({"full_name": "  "}, REQUIRED, id="full_name-blank"),
    pytest.param({"full_name": MISSING}, REQUIRED, id="full_name-absent"),
    pytest.param({"full_name": LONG}, too_long(120), id="full_name-10k"),
    pytest.param({"full_name": "Colin\x00"}, NOT_ALLOWED, id="full_name-nul"),
    pytest.param({"role": MISSING}, CHOICE, id="role-absent"),
    pytest.param({"role": "superuser"}, CHOICE, id="role-unknown"),
    pytest.param({"role": "2"}, CHOICE, id="role-number"),
]


def user_edit_form(overrides: dict | None = None) -> dict:
    return apply({"full_name": "Colin Colleague", "role": "team_lead", "is_active": "y"}, overrides)


@pytest.mark.parametrize(("overrides", "message"), USER_EDIT_ERRORS)
def test_edit_user_refuses_bad_input(web, colleague, overrides, message):
    before = db_digest()
    response = web.post_form(f"/admin/users/{colleague.id}", user_edit_form(overrides))
    assert_refused(response, before, message)
    assert reload(User, colleague.id).role == Role.ADVISOR


@pytest.mark.parametrize(
    "overrides", [{"role": "team_lead"}, {"is_active": MISSING}], ids=["demote", "deactivate"]
)
def test_admin_cannot_demote_or_deactivate_themself(web, admin, overrides):
    before = db_digest()
    response = web.post_form(
        f"/admin/users/{admin.id}",
        apply({"full_name": "Ada Renamed", "role": "admin", "is_active": "y"}, overrides),
    )
    assert_refused(response, before, "You cannot remove your own administrator rights")
    stored = reload(User, admin.id)
    assert (stored.full_name, stored.role, stored.is_active_account) == (
        "Ada Admin",
        Role.ADMIN,
        True,
    )


def test_edit_user_ignores_mass_assigned_fields(web, colleague, other_centre):
    original = reload(User, colleague.id)
    keep = {
        name: getattr(original, name)
        for name in ("email", "centre_id", "password_hash", "session_token", "locale")
    }
    response = web.post_form(
        f"/admin/users/{colleague.id}",
        user_edit_form(
            {
                "full_name": "Colin Renamed",
                "email": "colin.new@example.org",
                "centre_id": str(other_centre.id),
                "password_hash": "x",
                "password": "short",
                "session_token": "chosen",
                "locale": "nl",
            }
        ),
    )
    assert response.status_code == 302, shown_errors(response)
    stored = reload(User, colleague.id)
    assert (stored.full_name, stored.role) == ("Colin Renamed", Role.TEAM_LEAD)
    assert {name: getattr(stored, name) for name in keep} == keep


@pytest.mark.parametrize("user_id", ["other-centre", *BAD_URL_IDS])
@pytest.mark.parametrize("action", ["", "/password"], ids=["edit", "reset"])
def test_user_of_another_centre_or_with_a_malformed_id_is_not_found(
    web, make_user, other_centre, user_id, action
):
    if user_id == "other-centre":
        user_id = str(make_user("advisor", centre_=other_centre, name="Olga Outsider").id)
    before = db_digest()
    response = web.post_form(
        f"/admin/users/{user_id}{action}", user_edit_form({"new_password": NEW_PASSWORD})
    )
    assert response.status_code == 404
    assert db_digest() == before


# --- password reset --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        *PASSWORD_ERRORS,
        pytest.param("colin@example.org", "too easy to guess", id="password-own-email"),
    ],
)
def test_password_reset_refuses_bad_input(web, colleague, value, message):
    before = db_digest()
    response = web.post_form(
        f"/admin/users/{colleague.id}/password", apply({}, {"new_password": value})
    )
    assert_refused(response, before, message)
    assert verify_password(reload(User, colleague.id).password_hash, PASSWORD)


def test_password_reset_ignores_mass_assigned_fields(web, colleague):
    original = reload(User, colleague.id)
    keep = {name: getattr(original, name) for name in ("email", "role", "full_name", "centre_id")}
    response = web.post_form(
        f"/admin/users/{colleague.id}/password",
        {"new_password": NEW_PASSWORD, "role": "admin", "email": "x@example.org"},
    )
    assert response.status_code == 302, shown_errors(response)
    stored = reload(User, colleague.id)
    assert verify_password(stored.password_hash, NEW_PASSWORD)
    assert {name: getattr(stored, name) for name in keep} == keep


@pytest.mark.parametrize("page_number", ["abc", "-1", "0", "9" * 30])
def test_users_list_survives_bad_page_numbers(web, page_number):
    before = db_digest()
    response = web.get("/admin/users", query_string={"page": page_number})
    assert response.status_code == 200
    assert "Users" in response.get_data(as_text=True)
    assert db_digest() == before


# --- case types -------------------------------------------------------------------------------


def case_type_form(overrides: dict | None = None) -> dict:
    return apply(
        {
            "name_en": "Start-up founder",
            "name_nl": "Start-up oprichter",
            "position": "7",
            "is_active": "y",
        },
        overrides,
    )


CASE_TYPE_ERRORS = [
    pytest.param({"name_en": ""}, REQUIRED, id="name_en-empty"),
    pytest.param({"name_en": "   "}, REQUIRED, id="name_en-blank"),
    pytest.param({"name_en": MISSING}, REQUIRED, id="name_en-absent"),
    pytest.param({"name_nl": ""}, REQUIRED, id="name_nl-empty"),
    pytest.param({"name_nl": MISSING}, REQUIRED, id="name_nl-absent"),
    pytest.param({"name_en": LONG}, too_long(80), id="name_en-10k"),
    pytest.param({"name_nl": "é" * 81}, too_long(80), id="name_nl-81"),
    pytest.param({"name_en": "Start\x00up"}, NOT_ALLOWED, id="name_en-nul"),
    pytest.param({"name_nl": "\x00"}, NOT_ALLOWED, id="name_nl-nul"),
    pytest.param({"name_en": "Bell\x07"}, NOT_ALLOWED, id="name_en-bell"),
    pytest.param({"position": "abc"}, NOT_INTEGER, id="position-non-numeric"),
    pytest.param({"position": "1.5"}, NOT_INTEGER, id="position-decimal"),
    pytest.param({"position": "1e3"}, NOT_INTEGER, id="position-exponent"),
    pytest.param({"position": "7\x00"}, NOT_INTEGER, id="position-nul"),
    pytest.param({"position": "-1"}, POSITION_RANGE, id="position-negative"),
    pytest.param({"position": "1000"}, POSITION_RANGE, id="position-too-high"),
    pytest.param({"position": "9" * 30}, POSITION_RANGE, id="position-huge"),
    pytest.param({"name_en": "Researcher"}, DUPLICATE_TYPE, id="name_en-duplicate"),
    pytest.param({"name_en": "  Researcher "}, DUPLICATE_TYPE, id="name_en-duplicate-spaces"),
]


def test_new_case_type_with_valid_input_is_stored(web, admin):
    response = web.post_form("/admin/case-types", case_type_form())
    assert response.status_code == 302, shown_errors(response)
    stored = db.session.scalars(
        select(CaseType).where(CaseType.name_en == "Start-up founder")
    ).one()
    assert (stored.name_nl, stored.position, stored.is_active, stored.centre_id) == (
        "Start-up oprichter",
        7,
        True,
        admin.centre_id,
    )


@pytest.mark.parametrize(("overrides", "message"), CASE_TYPE_ERRORS)
def test_new_case_type_refuses_bad_input(web, overrides, message):
    types = type_count()
    before = db_digest()
    response = web.post_form("/admin/case-types", case_type_form(overrides))
    assert_refused(response, before, message)
    assert type_count() == types


@pytest.mark.parametrize(("overrides", "message"), CASE_TYPE_ERRORS)
def test_edit_case_type_refuses_bad_input(web, centre, overrides, message):
    case_type = first_case_type(centre.id)  # "Knowledge worker (non-EU)"
    original = (case_type.name_en, case_type.name_nl, case_type.position)
    before = db_digest()
    response = web.post_form(f"/admin/case-types/{case_type.id}", case_type_form(overrides))
    assert_refused(response, before, message)
    stored = reload(CaseType, case_type.id)
    assert (stored.name_en, stored.name_nl, stored.position) == original


@pytest.mark.parametrize("value", list(UNUSUAL_NAMES.values()), ids=list(UNUSUAL_NAMES))
def test_case_type_stores_unusual_names_verbatim_and_shows_them_escaped(web, value):
    response = web.post_form(
        "/admin/case-types", case_type_form({"name_en": value, "name_nl": f"{value} (nl)"})
    )
    assert response.status_code == 302, shown_errors(response)
    stored = db.session.scalars(select(CaseType).where(CaseType.name_en == value)).one()
    assert stored.name_nl == f"{value} (nl)"
    assert_shown_escaped(web.get("/admin/case-types"), value)
    assert_shown_escaped(web.get(f"/admin/case-types/{stored.id}"), value)
    assert_shown_escaped(web.get("/cases/new"), value)  # offered in the case type select


def test_new_case_type_ignores_mass_assigned_fields(web, admin, other_centre):
    response = web.post_form(
        "/admin/case-types", case_type_form({"centre_id": str(other_centre.id), "id": "4242"})
    )
    assert response.status_code == 302, shown_errors(response)
    stored = db.session.scalars(
        select(CaseType).where(CaseType.name_en == "Start-up founder")
    ).one()
    assert stored.centre_id == admin.centre_id
    assert stored.id != 4242


def test_edit_case_type_ignores_mass_assigned_fields(web, centre, other_centre):
    case_type = first_case_type(centre.id)
    response = web.post_form(
        f"/admin/case-types/{case_type.id}",
        case_type_form({"centre_id": str(other_centre.id), "id": "4242"}),
    )
    assert response.status_code == 302, shown_errors(response)
    stored = reload(CaseType, case_type.id)
    assert (stored.name_en, stored.centre_id) == ("Start-up founder", centre.id)


@pytest.mark.parametrize("type_id", ["other-centre", *BAD_URL_IDS])
def test_case_type_of_another_centre_or_with_a_malformed_id_is_not_found(
    web, other_centre, type_id
):
    if type_id == "other-centre":
        type_id = str(first_case_type(other_centre.id).id)
    before = db_digest()
    response = web.post_form(f"/admin/case-types/{type_id}", case_type_form())
    assert response.status_code == 404
    assert db_digest() == before
