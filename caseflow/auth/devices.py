"""Known-device cookies (OWASP "device cookies") against account lockout.

After a successful login the browser gets a signed cookie naming the user and a random
nonce. Failed logins that carry a valid one for the account being tried count against
that device's own limit (``LOGIN_FAILURES_PER_DEVICE``), not the account's: whoever
guesses an account from elsewhere is locked out, its owner is not.
"""

import secrets

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from caseflow.auth.models import User

SALT = "caseflow-known-device"
COOKIE_PATH = "/login"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _lifetime() -> int:
    return int(current_app.config["DEVICE_COOKIE_LIFETIME"].total_seconds())


def _read() -> dict | None:
    """The request's device cookie, when it is ours, unchanged and not expired."""
    raw = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])
    if not raw or len(raw) > 512:
        return None
    try:
        data = _serializer().loads(raw, max_age=_lifetime())
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    if not isinstance(data.get("n"), str):
        return None
    return data


def nonce_for_any() -> str | None:
    data = _read()
    return data["n"] if data else None


def nonce_for(user_id: int | None) -> str | None:
    """The nonce of the request's device cookie when it belongs to ``user_id``."""
    data = _read()
    if user_id is None or data is None or data["u"] != user_id:
        return None
    return data["n"]


def remember(response, user: User) -> None:
    """Give the browser a device cookie for ``user`` (keeps a valid one it has)."""
    if nonce_for(user.id) is not None:
        return
    value = _serializer().dumps({"u": user.id, "n": secrets.token_urlsafe(16)})
    response.set_cookie(
        current_app.config["DEVICE_COOKIE_NAME"],
        value,
        max_age=_lifetime(),
        path=COOKIE_PATH,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Strict",
    )


def cached(name: str, compute):
    """Compute a per-request value once (rate-limit callbacks ask more than once)."""
    key = f"_caseflow_{name}"
    if key not in g:
        setattr(g, key, compute())
    return getattr(g, key)
