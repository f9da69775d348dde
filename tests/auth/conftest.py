"""Helpers for login tests: the audit rows a test wrote and account emails, and a way to
give a user a second factor without the enrolment page."""

import time
from collections import Counter

import pyotp
import pytest
from sqlalchemy import func, select

from caseflow.auth import crypto, notifications, twofactor
from caseflow.core.audit import AuditEvent
from caseflow.core.time import utcnow
from caseflow.extensions import db


class Recorder:
    """The audit rows written since the test started (stored rows, not calls), as
    (action, fields) pairs."""

    def __init__(self):
        self.after_id = db.session.scalar(select(func.max(AuditEvent.id))) or 0

    @property
    def calls(self) -> list[tuple[str, dict]]:
        db.session.rollback()  # a fresh read of what requests committed
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.id > self.after_id, AuditEvent.action != "user.created")
            .order_by(AuditEvent.id)
        )
        return [
            (
                row.action,
                {
                    "outcome": row.outcome,
                    "actor": row.user_id,
                    "object_type": row.object_type,
                    "object_id": row.object_id,
                    "details": row.details or {},
                },
            )
            for row in rows
        ]

    def count(self, action: str, outcome: str | None = None) -> int:
        return sum(
            1
            for name, kw in self.calls
            if name == action and (outcome is None or kw["outcome"] == outcome)
        )

    def actions(self) -> Counter:
        return Counter(name for name, _kw in self.calls)

    def last(self, action: str) -> dict:
        return [kw for name, kw in self.calls if name == action][-1]


@pytest.fixture
def audit_events() -> Recorder:
    """Audit rows written from here on, but for the user.created rows of the users a
    test makes for itself (tests/admin covers user administration)."""
    return Recorder()


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
