"""Emails that tell a user about their own account (through the outbox, in their language).

API (being built in issue 9; until then ``notify`` does nothing):
``notify(user, event)`` with ``event`` one of EVENTS. Flushes, never commits: the email
is queued with the change that caused it.
"""

from caseflow.auth.models import User

PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an event name)
PASSWORD_RESET_BY_ADMIN = "password_reset_by_admin"  # noqa: S105
SECOND_FACTOR_ON = "second_factor_on"
SECOND_FACTOR_OFF = "second_factor_off"
RECOVERY_CODES_RENEWED = "recovery_codes_renewed"
FAILED_LOGINS = "failed_logins"
EVENTS = (
    PASSWORD_CHANGED,
    PASSWORD_RESET_BY_ADMIN,
    SECOND_FACTOR_ON,
    SECOND_FACTOR_OFF,
    RECOVERY_CODES_RENEWED,
    FAILED_LOGINS,
)


def notify(user: User, event: str) -> None:
    """Queue the email about ``event`` to ``user``."""
    if event not in EVENTS:
        raise ValueError(event)
