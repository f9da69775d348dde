"""Passwords set by an admin or the CLI are temporary: no page until the user chose their own."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from caseflow.auth.models import User
from caseflow.auth.passwords import verify_password
from caseflow.extensions import db
from tests.conftest import PASSWORD, db_digest, login, reload

GIVEN = "quartz-harbour-violin-58"  # what the admin gave the user
OWN = "Tafel-Rivier-Koffie-42"
CHOOSE = "/password/new"


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def newcomer(client_for, admin):
    """A user an admin just created, with the password the admin chose."""
    web = client_for(admin)
    response = web.post_form(
        "/admin/users/new",
        {
            "full_name": "Nina New",
            "email": "nina.new@example.org",
            "role": "team_lead",
            "password": GIVEN,
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    return db.session.scalar(select(User).where(User.email == "nina.new@example.org"))


@pytest.fixture
def web(app, newcomer):
    from tests.conftest import Client

    app.test_client_class = Client
    return login(app.test_client(), newcomer, GIVEN)


def _is_sent_to_choose(response) -> bool:
    return response.status_code == 302 and response.location.startswith(CHOOSE)


def test_admin_and_cli_passwords_are_temporary_and_seeded_ones_not(app, newcomer, make_user):
    assert newcomer.must_change_password
    assert not make_user("advisor").must_change_password
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "cli@example.org",
            "--name",
            "Cli User",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input=GIVEN + "\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(
        select(User).where(User.email == "cli@example.org")
    ).must_change_password


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/cases",
        "/cases/new",
        "/followups",
        "/profile",
        "/team",
        "/reports/funder",
        "/admin/users",
        "/cases/1",
        "/no-such-page-but-logged-in",
    ],
)
def test_every_page_sends_to_the_choose_page_first(web, url):
    response = web.get(url)
    if response.status_code == 404:  # an unknown URL has no endpoint: nothing to show
        return
    assert _is_sent_to_choose(response), (url, response.status_code, response.location)
    assert parse_qs(urlsplit(response.location).query)["next"] == [url]


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/cases/new", {"household_name": "Sneaky family"}),
        ("/profile", {"full_name": "Renamed", "locale": "nl"}),
        (
            "/profile/password",
            {"current_password": GIVEN, "new_password": OWN, "confirm_password": OWN},
        ),
        ("/admin/case-types", {"name_en": "X", "name_nl": "X"}),
        ("/team/reassign", {}),
    ],
)
def test_posts_are_refused_and_change_nothing(web, url, data):
    before = db_digest()
    response = web.post_form(url, data)
    assert _is_sent_to_choose(response), (url, response.status_code)
    assert db_digest() == before


def test_logout_static_and_language_still_work(web):
    static = web.get("/static/css/caseflow.css")
    assert static.status_code == 200
    static.close()
    assert web.post_form("/language", {"locale": "nl"}).status_code == 302
    response = web.post_form("/logout")
    assert response.status_code == 302 and "/login" in response.location
    assert web.get("/").location.startswith("/login")


def test_the_given_password_cannot_be_kept(web, newcomer):
    response = web.post_form(CHOOSE, {"new_password": GIVEN, "confirm_password": GIVEN})
    assert response.status_code == 400
    assert "other than the one you were given" in response.get_data(as_text=True)
    assert reload(User, newcomer.id).must_change_password


def test_a_weak_password_is_refused_on_the_choose_page(web, newcomer):
    response = web.post_form(
        CHOOSE, {"new_password": "Welcome2026!!", "confirm_password": "Welcome2026!!"}
    )
    assert response.status_code == 400
    assert reload(User, newcomer.id).must_change_password


def test_after_choosing_every_page_works_and_next_is_followed(app, web, newcomer):
    sent = web.get("/cases?status=open")
    assert _is_sent_to_choose(sent)
    page = web.get(sent.location)
    assert page.status_code == 200 and "Choose your password" in page.get_data(as_text=True)
    response = web.post_form(sent.location, {"new_password": OWN, "confirm_password": OWN})
    assert response.status_code == 302 and response.location == "/cases?status=open"
    user = reload(User, newcomer.id)
    assert not user.must_change_password
    assert verify_password(user.password_hash, OWN)
    for url in ("/?view=mine", "/cases", "/profile", "/team"):  # a lead's "/" goes to /team
        assert web.get(url).status_code == 200, url
    # The page is of no use any more: it sends home.
    assert web.get(CHOOSE).status_code == 302
    # The given password no longer logs in; the new one does.
    from tests.conftest import Client

    app.test_client_class = Client
    login(app.test_client(), user, OWN)


def test_an_admin_reset_makes_the_password_temporary_again(client_for, admin, make_user):
    colleague = make_user("advisor")
    response = client_for(admin).post_form(
        f"/admin/users/{colleague.id}/password", {"new_password": GIVEN}
    )
    assert response.status_code == 302
    assert reload(User, colleague.id).must_change_password


def test_a_reset_user_is_sent_to_choose_after_login(app, client_for, admin, make_user):
    colleague = make_user("advisor")
    client_for(admin).post_form(f"/admin/users/{colleague.id}/password", {"new_password": GIVEN})
    from tests.conftest import Client

    app.test_client_class = Client
    web = login(app.test_client(), reload(User, colleague.id), GIVEN)
    assert _is_sent_to_choose(web.get("/"))
    assert web.post_form(CHOOSE, {"new_password": OWN, "confirm_password": OWN}).status_code == 302
    assert web.get("/").status_code == 200


def test_a_user_without_a_temporary_password_is_never_stopped(client_for, make_user):
    web = client_for(make_user("advisor"))
    assert web.get("/").status_code == 200
    assert web.post_form(CHOOSE, {"new_password": OWN, "confirm_password": OWN}).status_code == 302
    assert verify_password(db.session.scalar(select(User)).password_hash, PASSWORD)
