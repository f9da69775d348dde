"""The second factor: enrolment, the code page after the password, recovery codes, the
centre's requirement and every way around it (each must fail)."""

import re
import time

import pyotp
import pytest

from caseflow.auth import crypto, twofactor
from caseflow.auth.models import RecoveryCode, User
from caseflow.auth.notifications import (
    RECOVERY_CODES_RENEWED,
    SECOND_FACTOR_OFF,
    SECOND_FACTOR_ON,
)
from caseflow.core import audit
from caseflow.extensions import db
from tests.auth.conftest import allow_codes_again, give_second_factor
from tests.conftest import PASSWORD, Client, login, reload

CODE_PAGE = "/login/code"
BYPASS = "Second-factor bypasses accepted"


def _password_step(client: Client, user, password: str = PASSWORD, **kwargs):
    client.fetch_csrf()
    return client.post_form("/login", {"email": user.email, "password": password}, **kwargs)


def _code_step(client: Client, code: str):
    client.fetch_csrf()
    return client.post_form(CODE_PAGE, {"code": code})


def _logged_in(client: Client) -> bool:
    return client.get("/").status_code == 200


@pytest.fixture
def enrolled(make_user):
    user = make_user("advisor")
    return user, give_second_factor(user)


def test_a_correct_password_alone_does_not_log_in(client, enrolled, audit_events):
    user, factor = enrolled
    response = _password_step(client, user)
    assert response.status_code == 302 and response.location == CODE_PAGE
    assert audit_events.count("auth.login") == 0  # not yet
    assert client.get(CODE_PAGE).status_code == 200
    response = _code_step(client, factor.code())
    assert response.status_code == 302 and response.location == "/"
    assert _logged_in(client)
    assert audit_events.count("auth.login", audit.OK) == 1
    assert audit_events.last("auth.login")["details"] == {"second_factor": "totp"}
    assert reload(User, user.id).last_login_at is not None


def test_next_survives_the_code_page(client, enrolled):
    user, factor = enrolled
    _password_step(client, user, query_string={"next": "/cases?status=all"})
    assert _code_step(client, factor.code()).location == "/cases?status=all"


@pytest.mark.parametrize(
    "path", ["/", "/profile", "/cases", "/followups", "/admin/users", "/profile/second-factor"]
)
def test_bypass_no_code_no_page_is_reachable_while_pending(
    client, enrolled, path, security_figures
):
    user, _factor = enrolled
    _password_step(client, user)
    response = client.get(path)
    accepted = not (response.status_code == 302 and "/login" in response.location)
    security_figures.record(BYPASS, int(accepted), expected=0)
    assert not accepted
    assert not _logged_in(client)


def test_bypass_empty_code(client, enrolled, security_figures):
    user, _factor = enrolled
    _password_step(client, user)
    response = _code_step(client, "")
    security_figures.record(BYPASS, int(_logged_in(client)), expected=0)
    assert response.status_code == 400
    assert not _logged_in(client)


@pytest.mark.parametrize("code", ["000000", "12345", "abcdef", "1234567", "x" * 64, "\x00"])
def test_bypass_wrong_code(client, enrolled, code, audit_events, security_figures):
    user, factor = enrolled
    if code == "000000":
        code = factor.wrong_code()
    _password_step(client, user)
    response = _code_step(client, code)
    security_figures.record(BYPASS, int(_logged_in(client)), expected=0)
    assert response.status_code in (400, 401)
    assert not _logged_in(client)
    if response.status_code == 401:
        assert audit_events.count("auth.second_factor_failed", audit.FAILED) == 1


def test_bypass_reused_code(client_for, enrolled, app, security_figures):
    user, factor = enrolled
    code = factor.code()
    first, second = client_for(None), client_for(None)
    _password_step(first, user)
    assert _code_step(first, code).status_code == 302
    _password_step(second, user)
    response = _code_step(second, code)
    security_figures.record(BYPASS, int(_logged_in(second)), expected=0)
    assert response.status_code == 401
    assert not _logged_in(second)


def test_bypass_code_of_an_earlier_window_after_a_later_one(client_for, enrolled, security_figures):
    """No replay in the next window either: once step n+1 was used, step n is refused."""
    user, factor = enrolled
    first, second = client_for(None), client_for(None)
    _password_step(first, user)
    assert _code_step(first, factor.code(+1)).status_code == 302
    _password_step(second, user)
    response = _code_step(second, factor.code())
    security_figures.record(BYPASS, int(_logged_in(second)), expected=0)
    assert response.status_code == 401


def test_codes_of_far_windows_are_refused(client, enrolled):
    user, factor = enrolled
    _password_step(client, user)
    assert _code_step(client, factor.code(-3)).status_code == 401
    assert _code_step(client, factor.code(+3)).status_code == 401
    assert _code_step(client, factor.code(+1)).status_code == 302


def test_recovery_code_works_once(client_for, enrolled, audit_events, security_figures):
    user, factor = enrolled
    first, second = client_for(None), client_for(None)
    code = factor.codes[0]
    _password_step(first, user)
    assert _code_step(first, code.upper().replace("-", " ")).status_code == 302
    home = first.get("/")
    assert home.status_code == 200 and "9 are left" in home.get_data(as_text=True)
    assert audit_events.count("auth.recovery_code_used") == 1
    assert audit_events.last("auth.login")["details"] == {"second_factor": "recovery_code"}
    _password_step(second, user)
    response = _code_step(second, code)
    security_figures.record(BYPASS, int(_logged_in(second)), expected=0)
    assert response.status_code == 401
    assert not _logged_in(second)
    assert audit_events.count("auth.recovery_code_used") == 1


def test_bypass_code_page_without_the_password_step(client, enrolled, security_figures):
    user, factor = enrolled
    client.fetch_csrf()
    response = client.post_form(CODE_PAGE, {"code": factor.code()})
    accepted = _logged_in(client)
    security_figures.record(BYPASS, int(accepted), expected=0)
    assert response.status_code == 302 and response.location == "/login"
    assert not accepted
    assert client.get(CODE_PAGE).location == "/login"


def test_bypass_pending_login_expires(client, enrolled, security_figures):
    user, factor = enrolled
    _password_step(client, user)
    with client.session_transaction() as session:
        session["pending_login"] = {**session["pending_login"], "at": time.time() - 301}
    response = _code_step(client, factor.code())
    security_figures.record(BYPASS, int(_logged_in(client)), expected=0)
    assert response.location == "/login"


def test_bypass_pending_login_ends_when_the_password_changes(client, enrolled, security_figures):
    user, factor = enrolled
    _password_step(client, user)
    from caseflow.auth.services import set_password

    set_password(reload(User, user.id), "harbour-violet-cinder-58")
    db.session.commit()
    response = _code_step(client, factor.code())
    security_figures.record(BYPASS, int(_logged_in(client)), expected=0)
    assert response.location == "/login"


def test_too_many_wrong_codes_end_the_pending_login(client, enrolled, security_figures):
    user, factor = enrolled
    _password_step(client, user)
    for _ in range(4):
        assert _code_step(client, factor.wrong_code()).status_code == 401
    response = _code_step(client, factor.wrong_code())
    assert response.location == "/login"
    response = _code_step(client, factor.code())
    security_figures.record(BYPASS, int(_logged_in(client)), expected=0)
    assert response.location == "/login"
    assert not _logged_in(client)


def test_wrong_codes_are_rate_limited_per_account(app, client, client_for, enrolled, monkeypatch):
    monkeypatch.setitem(app.config, "SECOND_FACTOR_FAILURES_PER_ACCOUNT", "3 per hour")
    user, factor = enrolled
    wrong = factor.wrong_code()
    _password_step(client, user)
    for _ in range(3):
        assert _code_step(client, wrong).status_code == 401
    other = client_for(None)
    _password_step(other, user)
    blocked = _code_step(other, factor.code())
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0


def test_cancel_ends_the_pending_login(client, enrolled):
    user, _factor = enrolled
    _password_step(client, user)
    client.fetch_csrf()
    response = client.post_form(CODE_PAGE, {"cancel": "1"})
    assert response.location == "/login"
    with client.session_transaction() as session:
        assert "pending_login" not in session


# --- enrolment --------------------------------------------------------------------------------


def _enrol_page(client: Client) -> tuple[str, str, str]:
    body = client.get("/profile/second-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', body).group(1)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', body).group(1)
    return body, secret, token


def test_enrolment_with_qr_code_secret_and_confirmation(
    client_for, make_user, notices, audit_events
):
    user = make_user("advisor")
    client = client_for(user)
    body, secret, token = _enrol_page(client)
    assert "<svg" in body and 'role="img"' in body and "<img" not in body
    # Not on before the code confirms it.
    assert reload(User, user.id).totp_secret is None
    wrong = client.post_form("/profile/second-factor", {"token": token, "code": "12345x"})
    assert wrong.status_code == 400
    assert secret in wrong.get_data(as_text=True)  # the same secret, to try again
    assert not reload(User, user.id).has_second_factor
    response = client.post_form(
        "/profile/second-factor", {"token": token, "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = reload(User, user.id)
    assert stored.has_second_factor
    assert secret not in stored.totp_secret  # encrypted at rest
    assert crypto.decrypt(stored.totp_secret, twofactor.PURPOSE) == secret
    hashes = set(db.session.scalars(db.select(RecoveryCode.code_hash)))
    assert len(hashes) == 10 and not any(code in hashes for code in codes)
    assert notices == [(user.id, SECOND_FACTOR_ON)]
    assert audit_events.count("auth.second_factor_enabled") == 0
    assert audit_events.count("auth.second_factor_enrolled") == 1
    # Shown once: the enrolment page now only sends back to the profile.
    assert client.get("/profile/second-factor").location == "/profile"
    assert codes[0] not in client.get("/profile").get_data(as_text=True)


def test_enrolment_token_of_another_user_is_refused(client_for, make_user):
    alice, bob = make_user("advisor"), make_user("advisor")
    _body, secret, token = _enrol_page(client_for(alice))
    response = client_for(bob).post_form(
        "/profile/second-factor", {"token": token, "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 400
    assert not reload(User, bob.id).has_second_factor


def test_turning_off_needs_password_and_code(client_for, enrolled, notices, audit_events):
    user, factor = enrolled
    allow_codes_again(user)
    client = client_for(user)
    # The login above did not use a code: log in through the code page for real.
    client = _full_login(client_for, user, factor)
    url = "/profile/second-factor/disable"
    wrong = client.post_form(url, {"off-current_password": "nope", "off-code": factor.code(+1)})
    assert wrong.status_code == 400
    assert reload(User, user.id).has_second_factor
    no_code = client.post_form(url, {"off-current_password": PASSWORD, "off-code": ""})
    assert no_code.status_code == 400
    ok = client.post_form(url, {"off-current_password": PASSWORD, "off-code": factor.code(+1)})
    assert ok.status_code == 302
    stored = reload(User, user.id)
    assert not stored.has_second_factor and stored.totp_secret is None
    assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode)) == 0
    assert (user.id, SECOND_FACTOR_OFF) in notices
    assert audit_events.count("auth.second_factor_disabled") == 1


def _full_login(client_for, user, factor, steps_ahead: int = 0) -> Client:
    client = client_for(None)
    _password_step(client, user)
    assert _code_step(client, factor.code(steps_ahead)).status_code == 302
    client.fetch_csrf()
    return client


def test_new_recovery_codes_with_password_replace_the_old_ones(
    client_for, app, enrolled, notices, audit_events
):
    user, factor = enrolled
    client = _full_login(client_for, user, factor)
    response = client.post_form("/profile/recovery-codes", {"renew-current_password": PASSWORD})
    assert response.status_code == 200
    new = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(new) == 10
    assert notices == [(user.id, RECOVERY_CODES_RENEWED)]
    assert audit_events.count("auth.recovery_codes_renewed") == 1
    old_try, new_try = client_for(None), client_for(None)
    _password_step(old_try, user)
    assert _code_step(old_try, factor.codes[1]).status_code == 401
    _password_step(new_try, user)
    assert _code_step(new_try, new[0]).status_code == 302


def test_new_recovery_codes_need_the_password_or_a_code(client_for, enrolled, notices):
    user, factor = enrolled
    client = _full_login(client_for, user, factor)
    for data in ({}, {"renew-current_password": "wrong-password-1"}, {"renew-code": "123456"}):
        assert client.post_form("/profile/recovery-codes", data).status_code == 400
    with_code = client.post_form("/profile/recovery-codes", {"renew-code": factor.code(+1)})
    assert with_code.status_code == 200
    assert notices == [(user.id, RECOVERY_CODES_RENEWED)]


# --- the centre's requirement -----------------------------------------------------------------


def _forced_login(client_for, user) -> Client:
    """Log in a user who must enrol: only the enrolment page has a token to read."""
    client = client_for(None)
    assert _password_step(client, user).status_code == 302
    body = client.get("/profile/second-factor").get_data(as_text=True)
    client.csrf_token = re.search(r'name="csrf-token" content="([^"]+)"', body).group(1)
    return client


@pytest.fixture
def strict_centre(centre):
    centre.leads_need_second_factor = True
    db.session.commit()
    return centre


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/cases"),
        ("GET", "/profile"),
        ("GET", "/admin/users"),
        ("GET", "/admin/centre"),
        ("GET", "/team"),
        ("POST", "/cases/new"),
        ("POST", "/profile"),
        ("POST", "/profile/sessions/end-others"),
    ],
)
def test_bypass_skipping_the_required_enrolment(
    client_for, make_user, strict_centre, method, path, security_figures
):
    lead = make_user("team_lead")
    client = _forced_login(client_for, lead)
    response = client.get(path) if method == "GET" else client.post_form(path, {})
    accepted = not (response.status_code == 302 and response.location == "/profile/second-factor")
    security_figures.record(BYPASS, int(accepted), expected=0)
    assert not accepted, (path, response.status_code)


def test_required_enrolment_then_every_page(client_for, make_user, strict_centre):
    lead = make_user("admin")
    client = _forced_login(client_for, lead)
    body, secret, token = _enrol_page(client)
    assert "Your centre requires a second factor" in body
    response = client.post_form(
        "/profile/second-factor", {"token": token, "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/admin/users").status_code == 200


def test_advisors_are_not_held_by_the_requirement(client_for, make_user, strict_centre):
    assert client_for(make_user("advisor")).get("/").status_code == 200


def test_a_lead_cannot_turn_off_a_required_second_factor(client_for, make_user, strict_centre):
    lead = make_user("team_lead")
    factor = give_second_factor(lead)
    client = _full_login(client_for, lead, factor)
    response = client.post_form(
        "/profile/second-factor/disable",
        {"off-current_password": PASSWORD, "off-code": factor.code(+1)},
    )
    assert response.status_code == 400
    assert reload(User, lead.id).has_second_factor


# --- admin reset ------------------------------------------------------------------------------


def _age_reauth(client: Client, minutes: int = 11) -> None:
    with client.session_transaction() as session:
        session["auth_at"] = time.time() - minutes * 60


def test_admin_resets_a_second_factor_after_reauthenticating(
    client_for, make_user, enrolled, notices, audit_events
):
    user, factor = enrolled
    admin = make_user("admin")
    victim_session = _full_login(client_for, user, factor)
    admin_client = client_for(admin)
    _age_reauth(admin_client)
    url = f"/admin/users/{user.id}/second-factor"
    response = admin_client.post_form(url)
    assert response.status_code == 302
    assert response.location.startswith("/reauth?next=/admin/users/")
    assert reload(User, user.id).has_second_factor  # nothing done yet
    response = admin_client.post_form(response.location, {"password": PASSWORD})
    assert response.location == f"/admin/users/{user.id}"
    assert audit_events.count("auth.reauthenticated") == 1
    assert admin_client.post_form(url).status_code == 302
    assert not reload(User, user.id).has_second_factor
    assert notices == [(user.id, SECOND_FACTOR_OFF)]
    assert audit_events.count("auth.second_factor_reset") == 1
    assert audit_events.last("auth.second_factor_reset")["object_id"] == user.id
    assert audit_events.count("auth.second_factor_disabled") == 0
    assert not _logged_in(victim_session)
    # Now the user logs in with the password alone.
    assert login(client_for(None), user)


def test_user_page_shows_the_reset_only_when_enrolled(client_for, make_user, enrolled):
    user, _factor = enrolled
    admin_client = client_for(make_user("admin"))
    assert "Reset second factor" in admin_client.get(f"/admin/users/{user.id}").get_data(
        as_text=True
    )
    plain = make_user("advisor")
    assert "Reset second factor" not in admin_client.get(f"/admin/users/{plain.id}").get_data(
        as_text=True
    )
