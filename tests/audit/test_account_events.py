"""Every account event, end to end: one real request, exactly one stored audit row.

Each test sets the scene, marks the trail, makes the one request that causes the event
and counts the rows of that action the request stored (``security_figures`` reports the
count as "Audit rows: <action>"). The row must also name the right actor, outcome and
object, and a failed login never stores the email that was tried.
"""

import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from caseflow.auth.models import User
from caseflow.core import audit
from caseflow.core.audit import AuditEvent
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from tests.auth.conftest import give_second_factor
from tests.conftest import PASSWORD, Client, reload

NEW_PASSWORD = "copper-meadow-lantern-87"
ANOTHER_PASSWORD = "Tafel-Rivier-Koffie-42"
CODE_PAGE = "/login/code"


# --- helpers ----------------------------------------------------------------------------------


class Trail:
    """The audit rows stored after ``mark()`` (a fresh read each time)."""

    def __init__(self):
        self.mark()

    def mark(self) -> None:
        db.session.rollback()
        self.after_id = db.session.scalar(select(func.max(AuditEvent.id))) or 0

    def new_rows(self, action: str) -> list[AuditEvent]:
        db.session.rollback()
        return list(
            db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.id > self.after_id, AuditEvent.action == action)
                .order_by(AuditEvent.id)
            )
        )


@pytest.fixture
def trail() -> Trail:
    return Trail()


@pytest.fixture
def one_row(trail, security_figures):
    """``one_row(action, response, **fields)``: exactly one row of ``action`` stored since
    the mark, written by that response's request, with these column values."""

    def check(action: str, response, **fields) -> AuditEvent:
        rows = trail.new_rows(action)
        security_figures.record(f"Audit rows: {action}", len(rows), expected=1)
        assert len(rows) == 1, f"{action}: {len(rows)} rows: {rows}"
        [row] = rows
        assert row.request_id == response.headers["X-Request-Id"]
        for name, value in fields.items():
            assert getattr(row, name) == value, f"{action}.{name}: {getattr(row, name)!r}"
        return row

    return check


def stored_text(row: AuditEvent) -> str:
    """Every column of the row, as text (to look for personal data in it)."""
    return repr({column.key: getattr(row, column.key) for column in AuditEvent.__table__.c})


def password_step(client: Client, email: str, password: str = PASSWORD):
    client.fetch_csrf()
    return client.post_form("/login", {"email": email, "password": password})


def code_step(client: Client, code: str):
    client.fetch_csrf()
    return client.post_form(CODE_PAGE, {"code": code})


def full_login(client_for, user, code: str) -> Client:
    """Log in a user with a second factor: password, then ``code``."""
    client = client_for(None)
    assert password_step(client, user.email).location == CODE_PAGE
    assert code_step(client, code).status_code == 302
    client.fetch_csrf()
    return client


def edit_user(web: Client, user: User, **changes):
    """Post the admin's user form: the user's current values with ``changes``."""
    data = {"full_name": user.full_name, "role": user.role.value, "is_active": "y"}
    data.update(changes)
    if data["is_active"] is None:
        del data["is_active"]  # an unticked checkbox is not sent
    return web.post_form(f"/admin/users/{user.id}", data)


def logged_in(client: Client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def admin(make_user):
    return make_user("admin")


@pytest.fixture
def web(client_for, admin) -> Client:
    """The admin, just logged in (so re-authenticated for the next 10 minutes)."""
    return client_for(admin)


@pytest.fixture
def colleague(make_user):
    return make_user("advisor")


@pytest.fixture
def enrolled(make_user):
    user = make_user("advisor")
    return user, give_second_factor(user)


# --- login, logout, rate limit ----------------------------------------------------------------


def test_login_ok(client, colleague, trail, one_row):
    client.fetch_csrf()
    trail.mark()
    response = client.post_form("/login", {"email": colleague.email, "password": PASSWORD})
    assert response.status_code == 302
    one_row(
        "auth.login",
        response,
        outcome=audit.OK,
        user_id=colleague.id,
        object_type="user",
        object_id=colleague.id,
    )


def test_login_failed_with_a_known_email(client, colleague, trail, one_row):
    client.fetch_csrf()
    trail.mark()
    response = client.post_form("/login", {"email": colleague.email, "password": "wrong-one-1"})
    assert response.status_code == 401
    row = one_row(
        "auth.login",
        response,
        outcome=audit.FAILED,
        user_id=colleague.id,
        object_type="user",
        object_id=colleague.id,
    )
    assert colleague.email not in stored_text(row)


def test_login_failed_with_an_unknown_email(client, trail, one_row):
    email = "nobody-here-x7@example.org"
    client.fetch_csrf()
    trail.mark()
    response = client.post_form("/login", {"email": email, "password": "wrong-one-1"})
    assert response.status_code == 401
    row = one_row(
        "auth.login",
        response,
        outcome=audit.FAILED,
        user_id=None,
        role=None,
        object_type=None,
        object_id=None,
    )
    assert "nobody-here" not in stored_text(row).lower()


def test_logout(client_for, colleague, trail, one_row):
    client = client_for(colleague)
    trail.mark()
    response = client.post_form("/logout")
    assert response.status_code == 302
    one_row(
        "auth.logout",
        response,
        outcome=audit.OK,
        user_id=colleague.id,
        object_type="user",
        object_id=colleague.id,
    )
    assert not logged_in(client)


def test_a_429_from_the_login_limit(app, client, colleague, trail, one_row, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", "2 per hour")
    client.fetch_csrf()
    for _ in range(2):
        assert password_step(client, colleague.email, "wrong-one-1").status_code == 401
    trail.mark()
    response = client.post_form("/login", {"email": colleague.email, "password": PASSWORD})
    assert response.status_code == 429
    row = one_row("rate_limited", response, outcome=audit.DENIED, user_id=None, object_type=None)
    assert colleague.email not in stored_text(row)
    # The refused request is no login attempt of its own.
    assert trail.new_rows("auth.login") == []


# --- passwords --------------------------------------------------------------------------------


def test_password_changed_on_the_profile(client_for, colleague, trail, one_row):
    client = client_for(colleague)
    trail.mark()
    response = client.post_form(
        "/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": ANOTHER_PASSWORD,
            "confirm_password": ANOTHER_PASSWORD,
        },
    )
    assert response.status_code == 302
    one_row(
        "auth.password_changed",
        response,
        outcome=audit.OK,
        user_id=colleague.id,
        object_type="user",
        object_id=colleague.id,
    )


def test_password_reset_by_an_admin(web, admin, colleague, trail, one_row):
    trail.mark()
    response = web.post_form(
        f"/admin/users/{colleague.id}/password", {"new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.location == f"/admin/users/{colleague.id}"
    one_row(
        "auth.password_reset",
        response,
        outcome=audit.OK,
        user_id=admin.id,
        object_type="user",
        object_id=colleague.id,
    )


# --- user administration ----------------------------------------------------------------------


def test_user_created(web, admin, trail, one_row):
    trail.mark()
    response = web.post_form(
        "/admin/users/new",
        {
            "full_name": "Nina New",
            "email": "nina.new@example.org",
            "role": "advisor",
            "password": NEW_PASSWORD,
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nina.new@example.org"))
    row = one_row(
        "user.created",
        response,
        outcome=audit.OK,
        user_id=admin.id,
        object_type="user",
        object_id=user.id,
    )
    assert "Nina" not in stored_text(row) and "nina.new" not in stored_text(row)


def test_role_changed(web, admin, colleague, trail, one_row):
    trail.mark()
    response = edit_user(web, colleague, role="team_lead")
    assert response.status_code == 302
    row = one_row(
        "user.role_changed",
        response,
        outcome=audit.OK,
        user_id=admin.id,
        object_type="user",
        object_id=colleague.id,
    )
    assert row.details == {"old_role": "advisor", "new_role": "team_lead"}


def test_user_deactivated(web, admin, colleague, trail, one_row):
    trail.mark()
    response = edit_user(web, colleague, is_active=None)
    assert response.status_code == 302
    assert not reload(User, colleague.id).is_active_account
    one_row(
        "user.deactivated",
        response,
        outcome=audit.OK,
        user_id=admin.id,
        object_type="user",
        object_id=colleague.id,
    )


def test_user_activated(web, admin, colleague, trail, one_row):
    assert edit_user(web, colleague, is_active=None).status_code == 302
    trail.mark()
    response = edit_user(web, reload(User, colleague.id), is_active="y")
    assert response.status_code == 302
    assert reload(User, colleague.id).is_active_account
    one_row(
        "user.activated",
        response,
        outcome=audit.OK,
        user_id=admin.id,
        object_type="user",
        object_id=colleague.id,
    )


# --- second factor ----------------------------------------------------------------------------


def test_second_factor_enrolled(client_for, colleague, trail, one_row):
    client = client_for(colleague)
    body = client.get("/profile/second-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', body).group(1)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', body).group(1)
    trail.mark()
    response = client.post_form(
        "/profile/second-factor", {"token": token, "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 200
    assert reload(User, colleague.id).has_second_factor
    one_row(
        "auth.second_factor_enrolled",
        response,
        outcome=audit.OK,
        user_id=colleague.id,
        object_type="user",
        object_id=colleague.id,
    )


def test_second_factor_failed_with_a_wrong_code_at_login(client, enrolled, trail, one_row):
    user, factor = enrolled
    assert password_step(client, user.email).location == CODE_PAGE
    client.fetch_csrf()
    trail.mark()
    response = client.post_form(CODE_PAGE, {"code": factor.wrong_code()})
    assert response.status_code == 401
    row = one_row(
        "auth.second_factor_failed",
        response,
        outcome=audit.FAILED,
        user_id=user.id,
        object_type="user",
        object_id=user.id,
    )
    assert row.details == {"context": "login"}
    assert trail.new_rows("auth.login") == []


def test_recovery_code_used(client, enrolled, trail, one_row):
    user, factor = enrolled
    assert password_step(client, user.email).location == CODE_PAGE
    client.fetch_csrf()
    trail.mark()
    response = client.post_form(CODE_PAGE, {"code": factor.codes[0]})
    assert response.status_code == 302
    one_row(
        "auth.recovery_code_used",
        response,
        outcome=audit.OK,
        user_id=user.id,
        object_type="user",
        object_id=user.id,
    )
    # The login it completed is one row too, and no failed code.
    one_row("auth.login", response, outcome=audit.OK, user_id=user.id)
    assert trail.new_rows("auth.second_factor_failed") == []


def test_recovery_codes_renewed(client_for, enrolled, trail, one_row):
    user, factor = enrolled
    client = full_login(client_for, user, factor.code())
    trail.mark()
    response = client.post_form("/profile/recovery-codes", {"renew-current_password": PASSWORD})
    assert response.status_code == 200
    one_row(
        "auth.recovery_codes_renewed",
        response,
        outcome=audit.OK,
        user_id=user.id,
        object_type="user",
        object_id=user.id,
    )


def test_second_factor_disabled(client_for, enrolled, trail, one_row):
    user, factor = enrolled
    client = full_login(client_for, user, factor.code())
    trail.mark()
    response = client.post_form(
        "/profile/second-factor/disable",
        {"off-current_password": PASSWORD, "off-code": factor.code(+1)},
    )
    assert response.status_code == 302
    assert not reload(User, user.id).has_second_factor
    one_row(
        "auth.second_factor_disabled",
        response,
        outcome=audit.OK,
        user_id=user.id,
        object_type="user",
        object_id=user.id,
    )
    assert trail.new_rows("auth.second_factor_reset") == []


def test_second_factor_reset_by_an_admin(web, admin, enrolled, trail, one_row):
    user, _factor = enrolled
    trail.mark()
    response = web.post_form(f"/admin/users/{user.id}/second-factor")
    assert response.status_code == 302
    assert response.location == f"/admin/users/{user.id}"
    assert not reload(User, user.id).has_second_factor
    one_row(
        "auth.second_factor_reset",
        response,
        outcome=audit.OK,
        user_id=admin.id,
        object_type="user",
        object_id=user.id,
    )
    assert trail.new_rows("auth.second_factor_disabled") == []


# --- re-authentication and sessions -----------------------------------------------------------


def test_reauthenticated(web, admin, colleague, trail, one_row):
    with web.session_transaction() as session:
        session["auth_at"] = time.time() - 11 * 60  # the login is older than the window
    refused = edit_user(web, colleague, role="team_lead")
    assert refused.status_code == 302 and refused.location.startswith("/reauth?next=")
    trail.mark()
    response = web.post_form(refused.location, {"password": PASSWORD})
    assert response.status_code == 302 and response.location == f"/admin/users/{colleague.id}"
    one_row(
        "auth.reauthenticated",
        response,
        outcome=audit.OK,
        user_id=admin.id,
        object_type="user",
        object_id=admin.id,
    )
    # Nothing was changed on the way, and the change goes through now.
    assert trail.new_rows("user.role_changed") == []
    assert edit_user(web, colleague, role="team_lead").status_code == 302


def test_sessions_ended_everywhere_else(client_for, colleague, trail, one_row):
    here, elsewhere = client_for(colleague), client_for(colleague)
    trail.mark()
    response = here.post_form("/profile/sessions/end-others")
    assert response.status_code == 302
    row = one_row(
        "auth.sessions_ended",
        response,
        outcome=audit.OK,
        user_id=colleague.id,
        object_type="user",
        object_id=colleague.id,
    )
    assert row.details == {"count": 1}
    assert logged_in(here) and not logged_in(elsewhere)


# --- account email ----------------------------------------------------------------------------


def test_turning_the_second_factor_on_queues_an_email_in_the_users_language(client_for, make_user):
    user = make_user("advisor", locale="nl")
    client = client_for(user)
    body = client.get("/profile/second-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', body).group(1)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', body).group(1)
    response = client.post_form(
        "/profile/second-factor", {"token": token, "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 200
    db.session.rollback()
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.kind == "account.second_factor_on"
    assert message.recipients == [user.email]
    assert message.case_id is None and message.centre_id == user.centre_id
    assert message.subject == "Caseflow: aanmelden in twee stappen ingeschakeld"
    assert secret not in message.text_body
