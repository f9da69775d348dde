"""Password hashing (argon2id) and the password policy."""

import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

# Verified against when the email is unknown, so that both paths cost one argon2 check.
# Made once per process and parameter set (finding 1: making it on every call cost an
# extra hash, and an unknown email took twice as long as a wrong password).
_DUMMY_HASH: dict[tuple, str] = {}
_DUMMY_LOCK = threading.Lock()


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = tuple(sorted(current_app.config["ARGON2_PARAMETERS"].items()))
    found = _DUMMY_HASH.get(key)
    if found is None:
        with _DUMMY_LOCK:
            found = _DUMMY_HASH.get(key)
            if found is None:
                found = _DUMMY_HASH[key] = hasher.hash(secrets.token_urlsafe(24))
    return found


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["ARGON2_PARAMETERS"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches. A ``None`` hash still costs one verification."""
    hasher = _hasher()
    dummy = password_hash is None
    try:
        # The same work on both paths: one verification against a hash of these
        # parameters; the dummy's password is random and never known.
        matches = hasher.verify(_dummy_hash(hasher) if dummy else password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and not dummy


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def password_problems(password: str, user_inputs: list[str]) -> list[str]:
    """Why ``password`` is not acceptable (empty list when it is)."""
    config = current_app.config
    problems = []
    if len(password) < config["PASSWORD_MIN_LENGTH"]:
        problems.append(str(_l("Use at least %(n)d characters.", n=config["PASSWORD_MIN_LENGTH"])))
    elif len(password) > config["PASSWORD_MAX_LENGTH"]:
        problems.append(str(_l("Use at most %(n)d characters.", n=config["PASSWORD_MAX_LENGTH"])))
    elif "\x00" in password:
        problems.append(str(_l("The password contains a character that is not allowed.")))
    # zxcvbn knows common passwords, names and keyboard patterns; 3 = "safely unguessable".
    elif zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])["score"] < 3:
        problems.append(str(_l("This password is too easy to guess. Try a few unrelated words.")))
    return problems
