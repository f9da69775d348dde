"""Helpers for login tests: a recorder for audit events and account emails, and a way to
give a user a second factor without the enrolment page."""

import time
from collections import Counter

import pyotp
import pytest

from caseflow.auth import crypto, notifications, twofactor
from caseflow.core import audit
from caseflow.core.time import utcnow
from caseflow.extensions import db


class Recorder:
    """Calls of ``audit.record`` (the storage is another part of issue 9)."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []

    def __call__(self, action, **kwargs):
        self.calls.append((action, kwargs))

    def count(self, action: str, outcome: str | None = None) -> int:
        return sum(
            1
            for name, kw in self.calls
            if name == action and (outcome is None or kw.get("outcome", audit.OK) == outcome)
        )

    def actions(self) -> Counter:
        return Counter(name for name, _kw in self.calls)

    def last(self, action: str) -> dict:
        return [kw for name, kw in self.calls if name == action][-1]


@pytest.fixture
def audit_events(monkeypatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(audit, "record", recorder)
    return recorder


@pytest.fixture
def notices(monkeypatch) -> list[tuple[int, str]]:
    """(user id, event) of every account email asked for."""
    sent: list[tuple[int, str]] = []

    def fake(user, event):
        assert event in notifications.EVENTS
        sent.append((user.id, event))

    monkeypatch.setattr(notifications, "notify", fake)
    return sent


class Factor:
    """A user's second factor as the phone sees it."""

    def __init__(self, secret: str, codes: list[str]):
        self.secret = secret
        self.codes = codes

    def code(self, steps_ahead: int = 0) -> str:
        return pyotp.TOTP(self.secret).at(time.time() + 30 * steps_ahead)

    def wrong_code(self) -> str:
        """Six digits that no window around now accepts."""
        near = {self.code(step) for step in (-2, -1, 0, 1, 2)}
        return next(c for c in ("999999", "888888", "777777", "666666") if c not in near)


def give_second_factor(user) -> Factor:
    """Turn on ``user``'s second factor as an enrolment would, without using a code."""
    secret = pyotp.random_base32()
    user.totp_secret = crypto.encrypt(secret, twofactor.PURPOSE)
    user.totp_last_step = None
    user.second_factor_enabled_at = utcnow()
    codes = twofactor._new_recovery_codes(user)
    db.session.commit()
    return Factor(secret, codes)


def allow_codes_again(user) -> None:
    """Forget the last accepted step (as if 90 seconds had passed)."""
    user.totp_last_step = None
    db.session.commit()
