"""Finding 7: breached and personal passwords are refused; finding 8: the current-password
check on /profile/password is rate-limited per user."""

import time

import pytest

from caseflow.auth.models import User
from caseflow.auth.passwords import (
    is_breached,
    password_inputs,
    password_problems,
    verify_password,
)
from tests.conftest import PASSWORD, reload

STRONG = "Tafel-Rivier-Koffie-42"
INPUTS = password_inputs("nora.new@example.org", "Nora New", "Expat Centre Limburg")


@pytest.mark.parametrize(
    "password", ["Welcome2026!!", "Caseflow-2026", "correcthorsebatterystaple"]
)
def test_common_breached_passwords_are_refused(password):
    problems = password_problems(password, INPUTS)
    assert problems and "too easy to guess" in problems[0]


@pytest.mark.parametrize(
    "password",
    [
        "CorrectHorseBatteryStaple",  # any letter case
        "WELCOME2026!!",
        "!!Sunshine2026",  # decorations on either side
        "1234567890123",
        "qwertyuiop123",
    ],
)
def test_the_list_is_checked_case_insensitively_and_without_decorations(password):
    assert is_breached(password)


@pytest.mark.parametrize(
    "password", ["NoraNew2026!!", "nora.new@example.org", "Expat Centre Limburg 1", "Caseflow-2026"]
)
def test_the_users_name_email_centre_and_the_product_are_refused(password):
    problems = password_problems(password, INPUTS)
    assert problems and "name, email address or centre" in problems[0]


def test_user_inputs_cover_name_email_local_part_centre_and_caseflow():
    assert {"nora.new@example.org", "nora.new", "Nora New", "Expat Centre Limburg"} <= set(INPUTS)
    assert "caseflow" in INPUTS


@pytest.mark.parametrize("password", [STRONG, PASSWORD, "dragon-8q!Xv-moss-lighthouse"])
def test_strong_passwords_pass(password):
    assert password_problems(password, INPUTS) == []


def test_a_common_word_with_a_long_random_tail_is_left_to_zxcvbn():
    # More than MAX_DECORATION characters around a common word: not "the same password".
    assert not is_breached("dragon1234567890123456")


def test_a_lookup_is_cheap():
    started = time.perf_counter()
    for _ in range(200):
        is_breached(STRONG)
    assert (time.perf_counter() - started) / 200 < 0.01  # about 0.2 ms here


def test_the_profile_refuses_a_breached_password_and_keeps_the_old_one(client_for, make_user):
    user = make_user("advisor")
    web = client_for(user)
    response = web.post_form(
        "/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": "Welcome2026!!",
            "confirm_password": "Welcome2026!!",
        },
    )
    assert response.status_code == 400
    assert "leaked passwords" in response.get_data(as_text=True)
    assert verify_password(reload(User, user.id).password_hash, PASSWORD)


def test_the_centre_name_is_a_user_input_for_the_admin_reset(client_for, make_user):
    admin = make_user("admin")
    colleague = make_user("advisor")
    web = client_for(admin)
    response = web.post_form(
        f"/admin/users/{colleague.id}/password", {"new_password": "Expat-Centre-Limburg-1"}
    )
    assert response.status_code == 400
    assert "name, email address or centre" in response.get_data(as_text=True)


# --- finding 8: rate limit on the current-password check ----------------------------------


def _change(web, current, new=STRONG):
    return web.post_form(
        "/profile/password",
        {"current_password": current, "new_password": new, "confirm_password": new},
    )


def test_wrong_current_passwords_are_limited_per_user_with_retry_after(
    app, client_for, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "PASSWORD_CHANGE_FAILURES_PER_USER", "3 per hour")
    user, other = make_user("advisor"), make_user("advisor")
    web = client_for(user)
    for _ in range(3):
        assert _change(web, "not-my-password-at-all").status_code == 400
    limited = _change(web, "not-my-password-at-all")
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 3600
    # Even the right password waits now: the check itself is what is limited.
    assert _change(web, PASSWORD).status_code == 429
    assert verify_password(reload(User, user.id).password_hash, PASSWORD)
    # Another user (from the same address) is not affected.
    assert _change(client_for(other), PASSWORD).status_code == 302


def test_only_wrong_current_passwords_count(app, client_for, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_CHANGE_FAILURES_PER_USER", "2 per hour")
    user = make_user("advisor")
    web = client_for(user)
    for _ in range(5):  # weak new passwords and missing fields are not guesses
        assert _change(web, PASSWORD, new="Welcome2026!!").status_code == 400
        assert web.post_form("/profile/password", {}).status_code == 400
    assert _change(web, PASSWORD).status_code == 302


def test_the_default_limit_is_ten_per_hour(app):
    assert app.config["PASSWORD_CHANGE_FAILURES_PER_USER"] == "10 per hour"
