"""Password hashing (argon2id) and the password policy."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

# Verified against when the email is unknown, so that both paths cost one argon2 check.
_DUMMY_HASH: dict[tuple, str] = {}


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["ARGON2_PARAMETERS"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches. A ``None`` hash still costs one verification."""
    hasher = _hasher()
    if password_hash is None:
        key = tuple(sorted(current_app.config["ARGON2_PARAMETERS"].items()))
        password_hash = _DUMMY_HASH.setdefault(key, hasher.hash("not-a-real-password"))
        password = password + "\x00"  # never matches the dummy
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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
