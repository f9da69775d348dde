"""Per-login session records, replayed cookies, re-authentication and the audit events of
logins and logouts."""

import time
from datetime import timedelta

import pytest

from caseflow.auth.models import User, UserSession
from caseflow.auth.sessions import prune_sessions, summarise_user_agent
from caseflow.core import audit
from caseflow.core.time import utcnow
from caseflow.extensions import db
from tests.conftest import PASSWORD, Client, login, reload

REPLAYED = "Replayed cookies accepted"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IOS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def _cookie(client: Client) -> str:
    return client.get_cookie("session").value


def _replay_accepted(app, cookie: str) -> bool:
    app.test_client_class = Client
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/").status_code == 200


def _rows(user) -> list[UserSession]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(UserSession).where(UserSession.user_id == user.id)))


def _open_rows(user) -> list[UserSession]:
    return [row for row in _rows(user) if row.ended_at is None]


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (FIREFOX, ("Firefox", "Linux")),
        (SAFARI_IOS, ("Safari", "iOS")),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Safari/537.36 Edg/126.0",
            ("Edge", "Windows"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36",
            ("Chrome", "Android"),
        ),
        ("curl/8.5", ("", "")),
        ("", ("", "")),
    ],
)
def test_user_agent_summary(agent, expected):
    assert summarise_user_agent(agent) == expected


def test_login_creates_a_session_row_with_a_hashed_key(client, make_user):
    user = make_user("advisor")
    client.fetch_csrf()
    client.post_form(
        "/login", {"email": user.email, "password": PASSWORD}, headers={"User-Agent": FIREFOX}
    )
    (row,) = _rows(user)
    key = _cookie(client)
    assert row.browser == "Firefox" and row.platform == "Linux"
    assert row.address == "127.0.0.1"
    assert row.ended_at is None
    assert len(row.key_hash) == 64 and row.key_hash not in key


def test_profile_lists_active_sessions_and_marks_this_one(client_for, make_user):
    user = make_user("advisor")
    here = client_for(user)
    client_for(user)
    body = here.get("/profile").get_data(as_text=True)
    assert body.count("This session") == 1
    assert body.count("Address 127.0.0.1") == 2


def test_log_out_everywhere_else(app, client_for, make_user, audit_events, security_figures):
    user = make_user("advisor")
    here, elsewhere, third = client_for(user), client_for(user), client_for(user)
    stolen = _cookie(elsewhere)
    response = here.post_form("/profile/sessions/end-others")
    assert response.status_code == 302
    accepted = _replay_accepted(app, stolen) + (third.get("/").status_code == 200)
    security_figures.record(REPLAYED, accepted, expected=0)
    assert accepted == 0
    assert here.get("/").status_code == 200
    assert len(_open_rows(user)) == 1
    assert audit_events.count("auth.sessions_ended") == 1
    assert audit_events.last("auth.sessions_ended")["details"] == {"count": 2}


def test_logout_ends_only_this_session(app, client_for, make_user, audit_events, security_figures):
    user = make_user("advisor")
    here, elsewhere = client_for(user), client_for(user)
    stolen = _cookie(here)
    here.post_form("/logout")
    accepted = _replay_accepted(app, stolen)
    security_figures.record(REPLAYED, int(accepted), expected=0)
    assert not accepted
    assert elsewhere.get("/").status_code == 200
    assert audit_events.count("auth.logout") == 1
    assert audit_events.last("auth.logout")["object_id"] == user.id


def test_password_change_ends_every_other_session(app, client_for, make_user, security_figures):
    user = make_user("advisor")
    here, elsewhere = client_for(user), client_for(user)
    stolen, own_old = _cookie(elsewhere), _cookie(here)
    response = here.post_form(
        "/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": "quiet-harbour-lamp-1987",
            "confirm_password": "quiet-harbour-lamp-1987",
        },
    )
    assert response.status_code == 302
    accepted = _replay_accepted(app, stolen) + _replay_accepted(app, own_old)
    security_figures.record(REPLAYED, accepted, expected=0)
    assert accepted == 0
    assert here.get("/").status_code == 200
    assert len(_open_rows(user)) == 1


def test_deactivation_ends_every_session(app, client_for, make_user, security_figures):
    user, admin = make_user("advisor"), make_user("admin")
    stolen = _cookie(client_for(user))
    client_for(admin).post_form(f"/admin/users/{user.id}", {"full_name": "X Y", "role": "advisor"})
    assert not reload(User, user.id).is_active_account
    accepted = _replay_accepted(app, stolen)
    security_figures.record(REPLAYED, int(accepted), expected=0)
    assert not accepted
    assert _open_rows(user) == []
    # Even switched on again, the old cookie stays dead.
    reload(User, user.id).is_active_account = True
    db.session.commit()
    assert not _replay_accepted(app, stolen)


def test_a_cookie_without_a_session_key_is_refused(app, client_for, make_user):
    """A cookie of the old shape (id:token) or with a made-up key does not log in."""
    user = make_user("advisor")
    client = client_for(user)
    with client.session_transaction() as session:
        ident, token, _key = session["_user_id"].split(":")
        session["_user_id"] = f"{ident}:{token}"
    assert client.get("/").status_code == 302
    with client.session_transaction() as session:
        session["_user_id"] = f"{ident}:{token}:made-up-key"
    assert client.get("/").status_code == 302


def test_last_seen_moves_at_most_once_a_minute(client_for, make_user):
    user = make_user("advisor")
    client = client_for(user)
    (row,) = _rows(user)
    row.last_seen_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    client.get("/")
    (row,) = _rows(user)
    touched = row.last_seen_at
    assert utcnow() - touched < timedelta(seconds=10)
    row.last_seen_at = touched - timedelta(seconds=30)
    db.session.commit()
    client.get("/")
    assert _rows(user)[0].last_seen_at == touched - timedelta(seconds=30)


def test_a_session_idle_in_the_database_is_refused(client_for, make_user):
    """The cookie's own clock aside, the server refuses a row idle for too long."""
    user = make_user("advisor")
    client = client_for(user)
    (row,) = _rows(user)
    row.last_seen_at = utcnow() - timedelta(minutes=40)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_old_session_rows_are_pruned(client_for, make_user):
    user = make_user("advisor")
    keep, ended, idle = client_for(user), client_for(user), client_for(user)
    ended.post_form("/logout")
    rows = {row.id: row for row in _rows(user)}
    newest = max(rows)
    db.session.get(UserSession, newest).last_seen_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert prune_sessions() == 2
    db.session.commit()
    assert len(_rows(user)) == 1
    assert keep.get("/").status_code == 200
    assert idle.get("/").status_code == 302


def test_the_nightly_prune_removes_ended_sessions(app, client_for, make_user):
    from caseflow.worker import prune

    user = make_user("advisor")
    client_for(user).post_form("/logout")
    prune()
    assert _rows(user) == []


# --- audit of logins --------------------------------------------------------------------------


def test_failed_login_with_an_unknown_email_names_no_user(client, make_user, audit_events):
    make_user("advisor")
    client.fetch_csrf()
    client.post_form("/login", {"email": "nobody@example.org", "password": "wrong-password-1"})
    assert audit_events.count("auth.login", audit.FAILED) == 1
    event = audit_events.last("auth.login")
    assert event["actor"] is None and event["object_id"] is None
    assert "nobody@example.org" not in repr(audit_events.calls)


def test_login_events_are_recorded_once_each(client, make_user, audit_events):
    user = make_user("advisor")
    client.fetch_csrf()
    client.post_form("/login", {"email": user.email, "password": "wrong-password-1"})
    assert audit_events.count("auth.login", audit.FAILED) == 1
    assert audit_events.last("auth.login")["object_id"] == user.id
    login(client, user)
    assert audit_events.count("auth.login", audit.OK) == 1
    client.post_form("/logout")
    assert audit_events.actions() == {"auth.login": 2, "auth.logout": 1}


def test_a_malformed_login_form_is_not_an_event(client, make_user, audit_events):
    user = make_user("advisor")
    client.fetch_csrf()
    assert client.post_form("/login", {"email": user.email}).status_code == 400
    assert client.post("/login", data={"email": user.email, "password": "x"}).status_code == 400
    assert audit_events.calls == []


def test_password_change_is_recorded_once(client_for, make_user, audit_events):
    user = make_user("advisor")
    client_for(user).post_form(
        "/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": "quiet-harbour-lamp-1987",
            "confirm_password": "quiet-harbour-lamp-1987",
        },
    )
    assert audit_events.count("auth.password_changed") == 1


# --- re-authentication ------------------------------------------------------------------------


def _age_reauth(client: Client, minutes: int = 11) -> None:
    with client.session_transaction() as session:
        session["auth_at"] = time.time() - minutes * 60


@pytest.fixture
def admin_client(client_for, make_user):
    admin = make_user("admin")
    client = client_for(admin)
    client.user = admin
    return client


def test_centre_settings_ask_for_the_password_after_ten_minutes(admin_client, audit_events):
    assert admin_client.get("/admin/centre").status_code == 200  # just logged in
    _age_reauth(admin_client)
    response = admin_client.get("/admin/centre")
    assert response.location == "/reauth?next=/admin/centre"
    page = admin_client.get(response.location)
    assert page.status_code == 200 and "Confirm it is you" in page.get_data(as_text=True)
    wrong = admin_client.post_form(response.location, {"password": "not-my-password-1"})
    assert wrong.status_code == 401
    assert audit_events.count("auth.reauthenticated", audit.FAILED) == 1
    right = admin_client.post_form(response.location, {"password": PASSWORD})
    assert right.location == "/admin/centre"
    assert audit_events.count("auth.reauthenticated", audit.OK) == 1
    assert admin_client.get("/admin/centre").status_code == 200


def test_a_refused_post_changes_nothing_and_says_so(admin_client, centre):
    _age_reauth(admin_client)
    response = admin_client.post_form(
        "/admin/centre", {"closing_needs_approval": "y"}, follow_redirects=True
    )
    assert "Nothing was changed yet" in response.get_data(as_text=True)
    assert "Confirm it is you" in response.get_data(as_text=True)
    db.session.refresh(centre)
    assert centre.closing_needs_approval is False


def test_reauth_next_never_leaves_the_site(admin_client):
    _age_reauth(admin_client)
    response = admin_client.post_form("/reauth?next=https://evil.test/", {"password": PASSWORD})
    assert response.location == "/"


def test_reauth_of_an_enrolled_user_needs_a_code(client_for, make_user):
    from tests.auth.conftest import allow_codes_again, give_second_factor

    admin = make_user("admin")
    factor = give_second_factor(admin)
    client = client_for(None)
    client.post_form("/login", {"email": admin.email, "password": PASSWORD})
    client.fetch_csrf()
    assert client.post_form("/login/code", {"code": factor.code(+1)}).location == "/"
    client.fetch_csrf()
    _age_reauth(client)
    url = "/reauth?next=/admin/centre"
    assert client.post_form(url, {"password": PASSWORD}).status_code == 400
    # The login's code, or an earlier one, is never accepted again.
    assert client.post_form(url, {"password": PASSWORD, "code": factor.code()}).status_code == 401
    allow_codes_again(reload(User, admin.id))  # as if the phone showed a later code
    assert client.post_form(url, {"password": PASSWORD, "code": factor.code()}).location == (
        "/admin/centre"
    )


def test_renaming_a_user_needs_no_reauth_but_a_role_change_does(admin_client, make_user):
    advisor = make_user("advisor")
    _age_reauth(admin_client)
    url = f"/admin/users/{advisor.id}"
    renamed = admin_client.post_form(
        url, {"full_name": "New Name", "role": "advisor", "is_active": "y"}
    )
    assert renamed.location == "/admin/users"
    promoted = admin_client.post_form(
        url, {"full_name": "New Name", "role": "team_lead", "is_active": "y"}
    )
    assert promoted.location == f"/reauth?next={url}"
    assert reload(User, advisor.id).role.value == "advisor"
    deactivated = admin_client.post_form(url, {"full_name": "New Name", "role": "advisor"})
    assert deactivated.location == f"/reauth?next={url}"
    assert reload(User, advisor.id).is_active_account


def test_password_reset_by_an_admin_needs_reauth(admin_client, make_user):
    advisor = make_user("advisor")
    old_hash = advisor.password_hash
    _age_reauth(admin_client)
    response = admin_client.post_form(
        f"/admin/users/{advisor.id}/password", {"new_password": "violet-canyon-drum-2031"}
    )
    assert response.location == f"/reauth?next=/admin/users/{advisor.id}"
    assert reload(User, advisor.id).password_hash == old_hash


def test_bulk_export_needs_reauth(client_for, make_user, make_case):
    lead = make_user("team_lead")
    case = make_case(make_user("advisor"))
    client = client_for(lead)
    _age_reauth(client)
    response = client.post_form(
        "/exports", {"case_ids": [str(case.id)]}, headers={"Referer": "/cases?status=all"}
    )
    assert response.location == "/reauth?next=/cases?status%3Dall"
