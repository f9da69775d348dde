"""Logins, sessions and their ends: what a stolen or stale cookie can and cannot do."""

import time
from urllib.parse import urlsplit

import pytest

from caseflow.auth.models import User
from caseflow.auth.passwords import hash_password
from caseflow.extensions import db
from tests.conftest import PASSWORD, Client, db_digest, login, reload

WRONG = "The email address or password is not correct."


def _cookie(client: Client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    app.test_client_class = Client
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/")


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response.location


def test_login_takes_email_in_any_case_and_records_the_time(client, make_user):
    user = make_user("advisor", email="mixed.case@example.org")
    client.fetch_csrf()
    response = client.post_form(
        "/login", {"email": "  Mixed.CASE@Example.org ", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert reload(User, user.id).last_login_at is not None


@pytest.mark.parametrize("email", ["nobody@example.org", "EXISTING"])
def test_failed_login_gives_one_message_whether_or_not_the_email_exists(client, make_user, email):
    user = make_user("advisor")
    client.fetch_csrf()
    response = client.post_form(
        "/login",
        {"email": user.email if email == "EXISTING" else email, "password": "wrong-password-123"},
    )
    assert response.status_code == 401
    assert WRONG in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user("advisor", is_active_account=False)
    client.fetch_csrf()
    response = client.post_form("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 401
    assert WRONG in response.get_data(as_text=True)


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, make_user):
    user = make_user("advisor")
    login(client, user)
    stolen = _cookie(client)
    assert _replay(app, stolen).status_code == 200
    client.post_form("/logout")
    assert _is_login_redirect(client.get("/"))
    assert _is_login_redirect(_replay(app, stolen))


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client_for, make_user):
    user = make_user("advisor")
    here, elsewhere = client_for(user), client_for(user)
    stolen = _cookie(elsewhere)
    response = here.post_form(
        "/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": "quiet-harbour-lamp-1987",
            "confirm_password": "quiet-harbour-lamp-1987",
        },
    )
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert _is_login_redirect(elsewhere.get("/"))
    assert _is_login_redirect(_replay(app, stolen))


def test_deactivation_by_an_admin_ends_every_session(client_for, make_user):
    advisor, admin = make_user("advisor"), make_user("admin")
    advisor_client = client_for(advisor)
    response = client_for(admin).post_form(
        f"/admin/users/{advisor.id}", {"full_name": advisor.full_name, "role": "advisor"}
    )
    assert response.status_code == 302
    assert reload(User, advisor.id).is_active_account is False
    assert _is_login_redirect(advisor_client.get("/"))


def test_admin_password_reset_ends_the_users_sessions(client_for, make_user):
    advisor, admin = make_user("advisor"), make_user("admin")
    advisor_client = client_for(advisor)
    response = client_for(admin).post_form(
        f"/admin/users/{advisor.id}/password", {"new_password": "violet-canyon-drum-2031"}
    )
    assert response.status_code == 302
    assert _is_login_redirect(advisor_client.get("/"))


def test_idle_session_expires_after_30_minutes(client, make_user):
    login(client, make_user("advisor"))
    with client.session_transaction() as session:
        session["seen_at"] = time.time() - 31 * 60
    assert _is_login_redirect(client.get("/"))
    assert _is_login_redirect(client.get("/"))  # and stays ended


def test_session_ends_after_12_hours_even_when_active(client, make_user):
    login(client, make_user("advisor"))
    with client.session_transaction() as session:
        session["login_at"] = time.time() - 12 * 3600 - 60
    assert _is_login_redirect(client.get("/"))


def test_login_clears_what_the_session_held_before(client, make_user):
    client.fetch_csrf()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, make_user("advisor"))
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.test/",
        "//evil.test/",
        "\\\\evil.test",
        "/\\evil.test",
        "javascript:alert(1)",
        "http:/evil.test",
        " //evil.test",
        "/%0d%0aLocation:%20https://evil.test",
    ],
)
def test_next_never_leaves_the_site(client, make_user, target):
    user = make_user("advisor")
    client.fetch_csrf()
    response = client.post_form(
        "/login", {"email": user.email, "password": PASSWORD}, query_string={"next": target}
    )
    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.netloc in ("", "localhost") and location.scheme in ("", "http")
    assert response.location.startswith("/") and not response.location.startswith("//")
    assert "\r" not in response.location and "\n" not in response.location


def test_next_inside_the_site_is_followed(client, make_user):
    user = make_user("advisor")
    client.fetch_csrf()
    response = client.post_form(
        "/login",
        {"email": user.email, "password": PASSWORD},
        query_string={"next": "/cases?status=all"},
    )
    assert response.location == "/cases?status=all"


def test_post_without_csrf_token_is_refused_and_changes_nothing(client_for, make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor)
    client = client_for(advisor)
    before = db_digest()
    response = client.post(f"/cases/{case.id}/notes", data={"body": "forged"})
    assert response.status_code == 400
    assert db_digest() == before


def test_csrf_token_of_another_session_is_refused(client_for, make_user, make_case):
    advisor, other = make_user("advisor"), make_user("advisor")
    case = make_case(advisor)
    victim, attacker = client_for(advisor), client_for(other)
    before = db_digest()
    response = victim.post(
        f"/cases/{case.id}/notes", data={"body": "forged", "csrf_token": attacker.csrf_token}
    )
    assert response.status_code == 400
    assert db_digest() == before


def test_failed_logins_per_account_are_limited(client, make_user):
    user = make_user("advisor")
    client.fetch_csrf()
    for _ in range(100):
        assert (
            client.post_form("/login", {"email": user.email, "password": "nope"}).status_code == 401
        )
    blocked = client.post_form("/login", {"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    # Another account is not locked by someone guessing this one.
    second = make_user("advisor")
    assert (
        client.post_form("/login", {"email": second.email, "password": PASSWORD}).status_code == 302
    )


def test_outdated_password_hash_is_upgraded_at_login(app, client, make_user):
    user = make_user("advisor")
    weak = {"time_cost": 1, "memory_cost": 512, "parallelism": 1}
    original = app.config["ARGON2_PARAMETERS"]
    app.config["ARGON2_PARAMETERS"] = weak
    user.password_hash = hash_password(PASSWORD)
    app.config["ARGON2_PARAMETERS"] = original
    db.session.commit()
    old_hash = user.password_hash
    login(client, user)
    new_hash = reload(User, user.id).password_hash
    assert new_hash != old_hash
    assert "m=1024" in new_hash and new_hash.startswith("$argon2id$")
