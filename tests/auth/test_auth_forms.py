"""Bad and unusual input on login, the profile, the password change and the language switch."""

import pytest

from caseflow.auth.models import Role, User
from caseflow.auth.passwords import verify_password
from caseflow.extensions import db
from tests.conftest import PASSWORD, db_digest, login, reload
from tests.forms_helpers import (
    LONG,
    MISSING,
    UNUSUAL_NAMES,
    XSS,
    apply,
    assert_refused,
    assert_shown_escaped,
    shown_errors,
)

REQUIRED = "This field is required."
NOT_ALLOWED = "This field contains characters that are not allowed."
CHOICE = "Not a valid choice"
WRONG_LOGIN = "The email address or password is not correct."
NEW_PASSWORD = "copper-meadow-lantern-87"


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", name="Arne Advisor", email="arne@example.org")


@pytest.fixture
def web(client_for, advisor):
    return client_for(advisor)


# --- login -----------------------------------------------------------------------------------

LOGIN_ERRORS = [
    pytest.param({"email": ""}, REQUIRED, id="email-empty"),
    pytest.param({"email": MISSING}, REQUIRED, id="email-absent"),
    pytest.param({"password": ""}, REQUIRED, id="password-empty"),
    pytest.param({"password": MISSING}, REQUIRED, id="password-absent"),
    pytest.param(
        {"email": LONG + "@example.org"}, "Field cannot be longer than 254", id="email-10k"
    ),
    pytest.param({"password": LONG}, "Field cannot be longer than 1024", id="password-10k"),
    pytest.param({"email": "arne\x00@example.org"}, None, id="email-nul"),
    pytest.param({"email": "\x00"}, None, id="email-only-nul"),
    pytest.param({"password": PASSWORD + "\x00"}, WRONG_LOGIN, id="password-nul"),
    pytest.param({"email": "not-an-email"}, WRONG_LOGIN, id="email-invalid"),
    pytest.param({"email": "arne@example.org'--"}, WRONG_LOGIN, id="email-sql"),
    pytest.param({"password": PASSWORD.upper()}, WRONG_LOGIN, id="password-wrong-case"),
]


@pytest.mark.parametrize(("overrides", "message"), LOGIN_ERRORS)
def test_login_refuses_bad_input(client, advisor, overrides, message):
    client.fetch_csrf()
    before = db_digest()
    response = client.post_form(
        "/login", apply({"email": advisor.email, "password": PASSWORD}, overrides)
    )
    assert_refused(response, before, message, statuses=(400, 401))
    assert "Log in to Caseflow" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302  # still logged out


def test_login_accepts_the_email_in_any_case_and_with_spaces(client, advisor):
    client.fetch_csrf()
    response = client.post_form("/login", {"email": "  ARNE@Example.org ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/cases\x00",
        " //evil.example",
        "/\t/evil.example",
    ],
)
def test_login_never_redirects_off_site(client, advisor, target):
    client.fetch_csrf()
    response = client.post_form(
        "/login",
        {"email": advisor.email, "password": PASSWORD},
        query_string={"next": target},
    )
    assert response.status_code == 302
    assert response.location == "/", response.location


# --- profile -----------------------------------------------------------------------------------

PROFILE_ERRORS = [
    pytest.param({"full_name": ""}, REQUIRED, id="full_name-empty"),
    pytest.param({"full_name": " \t "}, REQUIRED, id="full_name-blank"),
    pytest.param({"full_name": MISSING}, REQUIRED, id="full_name-absent"),
    pytest.param(
        {"full_name": LONG}, "Field cannot be longer than 120 characters.", id="full_name-10k"
    ),
    pytest.param({"full_name": "Arne\x00Advisor"}, NOT_ALLOWED, id="full_name-nul"),
    pytest.param({"full_name": "Arne\x1b[2J"}, NOT_ALLOWED, id="full_name-escape"),
    pytest.param({"locale": "de"}, CHOICE, id="locale-unknown"),
    pytest.param({"locale": XSS}, CHOICE, id="locale-markup"),
    pytest.param({"locale": "en\x00"}, CHOICE, id="locale-nul"),
    pytest.param({"locale": "EN"}, CHOICE, id="locale-uppercase"),
]


@pytest.mark.parametrize(("overrides", "message"), PROFILE_ERRORS)
def test_profile_refuses_bad_input(web, advisor, overrides, message):
    before = db_digest()
    response = web.post_form("/profile", apply({"full_name": "New Name", "locale": ""}, overrides))
    assert_refused(response, before, message)
    stored = reload(User, advisor.id)
    assert (stored.full_name, stored.locale) == ("Arne Advisor", None)


@pytest.mark.parametrize("value", list(UNUSUAL_NAMES.values()), ids=list(UNUSUAL_NAMES))
def test_profile_stores_unusual_names_verbatim_and_shows_them_escaped(web, advisor, value):
    response = web.post_form("/profile", {"full_name": value, "locale": "nl"})
    assert response.status_code == 302, shown_errors(response)
    stored = reload(User, advisor.id)
    assert (stored.full_name, stored.locale) == (value, "nl")
    assert_shown_escaped(web.get("/profile"), value)
    assert_shown_escaped(web.get("/"), value)


def test_profile_ignores_mass_assigned_fields(web, advisor, other_centre):
    original = reload(User, advisor.id)
    keep = {
        name: getattr(original, name)
        for name in (
            "email",
            "role",
            "centre_id",
            "is_active_account",
            "password_hash",
            "session_token",
            "last_login_at",
            "created_at",
        )
    }
    response = web.post_form(
        "/profile",
        {
            "full_name": "Arne Renamed",
            "locale": "",
            "email": "boss@example.org",
            "role": "admin",
            "centre_id": str(other_centre.id),
            "is_active_account": "n",
            "password_hash": "x",
            "password": "short",
            "session_token": "stolen",
            "id": "4242",
        },
    )
    assert response.status_code == 302, shown_errors(response)
    stored = reload(User, advisor.id)
    assert stored.full_name == "Arne Renamed"
    assert {name: getattr(stored, name) for name in keep} == keep
    assert stored.role == Role.ADVISOR
    assert web.get("/admin/users").status_code == 403


# --- password change ---------------------------------------------------------------------------

PASSWORD_ERRORS = [
    pytest.param(
        {"current_password": "wrong-password-123"}, "not your current", id="current-wrong"
    ),
    pytest.param({"current_password": PASSWORD + "\x00"}, "not your current", id="current-nul"),
    pytest.param({"current_password": ""}, REQUIRED, id="current-empty"),
    pytest.param({"current_password": MISSING}, REQUIRED, id="current-absent"),
    pytest.param({"current_password": LONG}, "not your current", id="current-10k"),
    pytest.param({"new_password": "", "confirm_password": ""}, REQUIRED, id="new-empty"),
    pytest.param({"confirm_password": MISSING}, REQUIRED, id="confirm-absent"),
    pytest.param({"confirm_password": NEW_PASSWORD + "x"}, "The passwords differ.", id="differ"),
    pytest.param(
        {"new_password": "short-pw", "confirm_password": "short-pw"}, "at least 12", id="short"
    ),
    pytest.param({"new_password": LONG, "confirm_password": LONG}, "at most 128", id="new-10k"),
    pytest.param(
        {
            "new_password": "copper\x00meadow-lantern",
            "confirm_password": "copper\x00meadow-lantern",
        },
        "not allowed",
        id="new-nul",
    ),
    pytest.param(
        {"new_password": "password1234", "confirm_password": "password1234"},
        "too easy to guess",
        id="weak",
    ),
    pytest.param(
        {"new_password": "arne@example.org", "confirm_password": "arne@example.org"},
        "too easy to guess",
        id="own-email",
    ),
]


@pytest.mark.parametrize(("overrides", "message"), PASSWORD_ERRORS)
def test_password_change_refuses_bad_input(web, advisor, overrides, message):
    data = apply(
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
        overrides,
    )
    before = db_digest()
    response = web.post_form("/profile/password", data)
    assert_refused(response, before, message)
    assert verify_password(reload(User, advisor.id).password_hash, PASSWORD)
    assert web.get("/profile").status_code == 200  # the session was not ended


def test_password_change_with_unusual_characters_works(web, advisor, client_for):
    new = "Zoë 😀 مريم דוד Анна"
    response = web.post_form(
        "/profile/password",
        {"current_password": PASSWORD, "new_password": new, "confirm_password": new},
    )
    assert response.status_code == 302, shown_errors(response)
    assert verify_password(reload(User, advisor.id).password_hash, new)
    fresh = client_for(None)
    login(fresh, reload(User, advisor.id), new)


# --- language switch ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "locale",
    ["de", XSS, "", "nl\x00", "NL", MISSING],
    ids=["de", "markup", "empty", "nul", "NL", "absent"],
)
def test_language_switch_ignores_unknown_languages(web, advisor, locale):
    before = db_digest()
    response = web.post_form("/language", apply({"next": "/cases"}, {"locale": locale}))
    assert response.status_code == 302
    assert response.location == "/cases"
    assert db_digest() == before
    assert reload(User, advisor.id).locale is None


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/\x00"],
)
def test_language_switch_never_redirects_off_site(web, advisor, target):
    response = web.post_form("/language", {"locale": "nl", "next": target})
    assert response.status_code == 302
    assert response.location == "/", response.location
    assert reload(User, advisor.id).locale == "nl"


def test_language_switch_ignores_mass_assigned_fields(web, advisor):
    response = web.post_form(
        "/language",
        {"locale": "nl", "role": "admin", "full_name": "Hacked", "email": "x@example.org"},
    )
    assert response.status_code == 302
    stored = reload(User, advisor.id)
    assert (stored.locale, stored.role, stored.full_name, stored.email) == (
        "nl",
        Role.ADVISOR,
        "Arne Advisor",
        "arne@example.org",
    )


def test_language_switch_when_logged_out_stores_nothing(client, advisor):
    client.fetch_csrf()
    before = db_digest()
    response = client.post_form("/language", {"locale": "nl"})
    assert response.status_code == 302
    assert db_digest() == before
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="nl"' in page


def test_forms_refuse_posts_without_csrf_token(web, advisor):
    before = db_digest()
    for url, data in (
        ("/profile", {"full_name": "No Token"}),
        ("/language", {"locale": "nl"}),
        ("/profile/password", {"current_password": PASSWORD}),
    ):
        response = web.post(url, data=data)
        assert response.status_code == 400, url
        assert "The form has expired" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db_digest() == before
