"""Per-login session records (``user_sessions``). None of these commit, except ``touch``.

The login cookie names the user, their ``session_token`` and a random key; the row
holds the key's SHA-256. A cookie is accepted only while its row is open, the user is
active and the row is within the idle and absolute limits.
"""

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, request
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from caseflow.auth.models import User, UserSession, new_session_token
from caseflow.core.database import SAFE_METHODS
from caseflow.core.time import utcnow
from caseflow.extensions import db

TOUCH_EVERY = timedelta(minutes=1)
# last_seen_at moves once a minute: allow that much on top of the idle limit.
SLACK = timedelta(minutes=2)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_PLATFORMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iOS"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def summarise_user_agent(user_agent: str) -> tuple[str, str]:
    """("Firefox", "Linux") from a User-Agent; ("", "") when unknown. Never stored whole."""
    user_agent = user_agent[:512]
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    if not browser and re.search(r"HeadlessChrome/", user_agent):
        browser = "Chrome"
    platform = next((name for marker, name in _PLATFORMS if marker in user_agent), "")
    return browser, platform


def _limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return config["IDLE_TIMEOUT"], config["PERMANENT_SESSION_LIFETIME"]


def _usable(now: datetime):
    idle, absolute = _limits()
    return (
        UserSession.ended_at.is_(None),
        UserSession.last_seen_at > now - idle - SLACK,
        UserSession.created_at > now - absolute,
    )


def start_session(user: User) -> str:
    """Open a session row for ``user`` (a login) and return its raw key. Flushes."""
    key = secrets.token_urlsafe(32)
    browser, platform = summarise_user_agent(request.headers.get("User-Agent", ""))
    now = utcnow()
    db.session.add(
        UserSession(
            user_id=user.id,
            key_hash=_hash(key),
            created_at=now,
            last_seen_at=now,
            browser=browser,
            platform=platform,
            address=(request.remote_addr or "")[:64],
        )
    )
    db.session.flush()
    user.login_session_key = key
    return key


def load(user_id: int, token: str, key: str) -> tuple[User, UserSession] | None:
    """The user and their open session for a cookie's parts, else None."""
    if not key:
        return None
    now = utcnow()
    idle, absolute = _limits()
    row = db.session.execute(
        _load_query(),
        {
            "user_id": user_id,
            "key_hash": _hash(key),
            "seen_after": now - idle - SLACK,
            "created_after": now - absolute,
        },
    ).first()
    if row is None:
        return None
    user, record = row
    if not secrets.compare_digest(user.session_token, token) or not user.is_active_account:
        return None
    user.login_session_key = key
    _touch(record, now)
    return user, record


@cache
def _load_query():
    """``load``'s statement (every request runs it), built once: the ``_usable`` rule
    with the cookie's parts and the limits as bound parameters."""
    return (
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == bindparam("user_id"),
            UserSession.key_hash == bindparam("key_hash"),
            UserSession.ended_at.is_(None),
            UserSession.last_seen_at > bindparam("seen_after", type_=UserSession.last_seen_at.type),
            UserSession.created_at > bindparam("created_after", type_=UserSession.created_at.type),
        )
    )


def _touch(record: UserSession, now: datetime) -> None:
    """Move ``last_seen_at`` forward, at most once a minute.

    A GET request reads without SQLite's write lock, so the update goes through its own
    short transaction; any other request holds the lock already and writes it with its
    own commit (a refused post commits nothing, and the next page catches up).
    """
    if now - record.last_seen_at < TOUCH_EVERY:
        return
    if request.method in SAFE_METHODS:
        with db.engine.begin() as connection:
            connection.execute(
                update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now)
            )
        set_committed_value(record, "last_seen_at", now)
    else:
        record.last_seen_at = now


def current_key_hash(user: User) -> str | None:
    return _hash(user.login_session_key) if user.login_session_key else None


def end_current(user: User) -> None:
    """End the session this request belongs to (logout). Flushes."""
    key_hash = current_key_hash(user)
    if key_hash:
        db.session.execute(
            update(UserSession)
            .where(UserSession.key_hash == key_hash, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def end_all(user: User, *, keep_current: bool = False) -> int:
    """End every open session of ``user`` (or every other one). Returns how many."""
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep_current and user.login_session_key:
        query = query.where(UserSession.key_hash != _hash(user.login_session_key))
    else:
        # Cookies carry the token too: a new one refuses every cookie made before.
        user.session_token = new_session_token()
    result = db.session.execute(query.values(ended_at=utcnow()))
    return result.rowcount


def active_sessions(user: User) -> list[UserSession]:
    """The user's usable sessions, most recently seen first."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, *_usable(utcnow()))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def prune_sessions(now: datetime | None = None) -> int:
    """Delete rows no cookie can use any more (ended or past a limit). Flushes."""
    now = now or utcnow()
    idle, absolute = _limits()
    result = db.session.execute(
        UserSession.__table__.delete().where(
            or_(
                UserSession.ended_at.is_not(None),
                UserSession.last_seen_at <= now - idle - SLACK,
                UserSession.created_at <= now - absolute,
            )
        )
    )
    return result.rowcount
