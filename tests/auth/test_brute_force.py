"""Brute force without lockout of the real user (finding 3), and login timing that does not
tell whether an account exists (finding 1)."""

import statistics
import time

import pytest
from itsdangerous import BadSignature

from caseflow.auth import devices
from caseflow.auth.notifications import FAILED_LOGINS
from tests.auth.conftest import give_second_factor
from tests.conftest import PASSWORD, Client

DEVICE = "caseflow_device"


def _try(client: Client, email: str, password: str):
    return client.post_form("/login", {"email": email, "password": password})


def _device_cookie(client: Client):
    return client.get_cookie(DEVICE, path="/login")


def test_a_login_gives_the_browser_a_signed_device_cookie(client_for, make_user):
    user = make_user("advisor")
    client = client_for(user)
    cookie = _device_cookie(client)
    assert cookie is not None
    assert cookie.http_only and cookie.same_site == "Strict" and cookie.path == "/login"
    assert cookie.max_age is None or cookie.max_age > 300 * 24 * 3600
    # Signed with the secret key, bound to the user, with a random nonce.
    payload = devices._serializer().loads(cookie.value)
    assert payload["u"] == user.id and len(payload["n"]) >= 16
    with pytest.raises(BadSignature):
        devices._serializer().loads(cookie.value[:-2] + "xx")


def test_real_user_is_not_locked_out_by_an_attacker(
    client_for, make_user, notices, security_figures
):
    user = make_user("advisor")
    real = client_for(user)  # an earlier login on this browser
    real.post_form("/logout")
    attacker = client_for(None)
    statuses = [_try(attacker, user.email, f"guess-{n}-wrong").status_code for n in range(150)]
    assert statuses[:100] == [401] * 100
    assert set(statuses[100:]) == {429}
    blocked = _try(attacker, user.email, PASSWORD)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0

    real.fetch_csrf()
    response = _try(real, user.email, PASSWORD)
    security_figures.record("Real user locked out", int(response.status_code != 302), expected=0)
    assert response.status_code == 302
    assert real.get("/").status_code == 200
    # The owner hears about it once, not 150 times.
    assert notices == [(user.id, FAILED_LOGINS)]
    # The attacker stays locked out.
    assert _try(attacker, user.email, PASSWORD).status_code == 429


def test_a_known_device_has_its_own_limit(app, client_for, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_DEVICE", "3 per hour")
    user = make_user("advisor")
    device = client_for(user)
    device.post_form("/logout")
    device.fetch_csrf()
    for _ in range(3):
        assert _try(device, user.email, "wrong-password-1").status_code == 401
    blocked = _try(device, user.email, PASSWORD)
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    # The account itself is not locked: another known device of the user still gets in.
    assert client_for(user).get("/").status_code == 200


def test_a_device_cookie_of_another_account_or_a_forged_one_does_not_help(
    client_for, make_user, app, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", "3 per hour")
    victim, attacker_user = make_user("advisor"), make_user("advisor")
    attacker = client_for(attacker_user)  # a device cookie for the attacker's own account
    attacker.post_form("/logout")
    attacker.fetch_csrf()
    for _ in range(3):
        assert _try(attacker, victim.email, "wrong-password-1").status_code == 401
    assert _try(attacker, victim.email, PASSWORD).status_code == 429
    forged = client_for(None)
    forged.set_cookie(DEVICE, f"{victim.id}.forged.signature", path="/login")
    assert _try(forged, victim.email, PASSWORD).status_code == 429


@pytest.mark.parametrize("kind", ["missing-field", "no-csrf"])
def test_malformed_forms_do_not_count(client_for, make_user, notices, kind):
    user = make_user("advisor")
    client = client_for(None)
    for _ in range(120):
        if kind == "missing-field":
            response = client.post_form("/login", {"email": user.email})
        else:
            response = client.post("/login", data={"email": user.email, "password": "x"})
        assert response.status_code == 400
    assert _try(client, user.email, PASSWORD).status_code == 302
    assert notices == []


def test_the_failed_logins_email_comes_once_and_only_for_real_accounts(
    client_for, make_user, notices
):
    user = make_user("advisor")
    client = client_for(None)
    for _ in range(9):
        _try(client, user.email, "wrong-password-1")
        _try(client, "nobody@example.org", "wrong-password-1")
    assert notices == []
    _try(client, user.email, "wrong-password-1")
    _try(client, "nobody@example.org", "wrong-password-1")
    assert notices == [(user.id, FAILED_LOGINS)]
    for _ in range(20):
        _try(client, user.email, "wrong-password-1")
    assert notices == [(user.id, FAILED_LOGINS)]


def test_wrong_second_factor_codes_count_towards_the_email(client_for, make_user, notices):
    user = make_user("advisor")
    factor = give_second_factor(user)
    wrong = factor.wrong_code()
    for _ in range(5):
        client = client_for(None)
        _try(client, user.email, PASSWORD)
        client.fetch_csrf()
        for _ in range(2):
            assert client.post_form("/login/code", {"code": wrong}).status_code == 401
    assert notices == [(user.id, FAILED_LOGINS)]


# Timing-sensitive: with the slow tests, which CI runs alone (a loaded machine skews it).
@pytest.mark.slow
def test_login_timing_does_not_tell_whether_an_account_exists(
    app, client_for, make_user, monkeypatch, security_figures
):
    """Finding 1: both paths cost one argon2 verification with realistic parameters."""
    # Realistic: OWASP's argon2id minimum (19 MiB, 2 passes), the cost of a real login.
    realistic = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}
    monkeypatch.setitem(app.config, "ARGON2_PARAMETERS", realistic)
    user = make_user("advisor")
    client = client_for(None)

    def timed(email: str) -> float:
        start = time.perf_counter()
        response = _try(client, email, "not-the-password-42")
        elapsed = time.perf_counter() - start
        assert response.status_code == 401
        return elapsed

    timed("nobody@example.org"), timed(user.email)  # warm-up (first dummy hash per process)
    unknown, known = [], []
    for _ in range(30):
        unknown.append(timed("nobody@example.org"))
        known.append(timed(user.email))
    ratio = statistics.median(unknown) / statistics.median(known)
    security_figures.record(
        "Login timing ratio unknown/known", round(ratio, 3), expected="<=1.2", how="max"
    )
    assert 1 / 1.2 <= ratio <= 1.2, ratio
