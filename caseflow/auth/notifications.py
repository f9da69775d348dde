"""Emails that tell a user about their own account (through the outbox, in their language).

``notify(user, event)`` with ``event`` one of EVENTS queues one short text email to the
user: a subject, what happened and when, and "if this wasn't you, contact your
administrator". No secrets (never a password or code) and no link that logs in.
Flushes, never commits: the email is queued with the change that caused it, so a
rolled-back change sends nothing.

The outbox belongs to the mail package, a layer above auth: the app factory hands its
queue function to ``init_app`` (caseflow/__init__.py), so auth never imports mail.
"""

import logging
from collections.abc import Callable

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from caseflow.auth.models import User
from caseflow.core.errors import DomainError
from caseflow.core.i18n import format_moment
from caseflow.core.time import utcnow

log = logging.getLogger(__name__)

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

# Per event: the subject and the sentence that says what happened (made in the
# recipient's language when the email is built).
MESSAGES = {
    PASSWORD_CHANGED: (
        _l("Caseflow: your password was changed"),
        _l("The password of your Caseflow account was changed on %(when)s."),
    ),
    PASSWORD_RESET_BY_ADMIN: (
        _l("Caseflow: an administrator reset your password"),
        _l(
            "An administrator of your centre set a new password for your Caseflow account "
            "on %(when)s. They will give it to you; you will choose your own password when "
            "you next log in."
        ),
    ),
    SECOND_FACTOR_ON: (
        _l("Caseflow: two-step login turned on"),
        _l("Two-step login (a code from an app) was turned on for your account on %(when)s."),
    ),
    SECOND_FACTOR_OFF: (
        _l("Caseflow: two-step login turned off"),
        _l("Two-step login was turned off for your Caseflow account on %(when)s."),
    ),
    RECOVERY_CODES_RENEWED: (
        _l("Caseflow: new recovery codes"),
        _l(
            "New recovery codes were made for your Caseflow account on %(when)s; "
            "the earlier codes no longer work."
        ),
    ),
    FAILED_LOGINS: (
        _l("Caseflow: many failed logins to your account"),
        _l(
            "Someone tried many wrong passwords for your Caseflow account (last on "
            "%(when)s). Logins from unknown browsers are paused for a while; you can still "
            "log in from a browser you used before."
        ),
    ),
}

# The same for every event. Kept here rather than in the .txt template, which
# `make extract-messages` does not read (babel.cfg extracts templates/**.html).
IF_THIS_WAS_YOU = _l("If this was you, there is nothing to do.")
IF_NOT = _l("If this wasn't you, contact your Caseflow administrator at once.")
AUTOMATIC = _l("This email was sent automatically by Caseflow. Please do not reply to it.")

KIND = "account"  # outbox kind prefix: "account.password_changed"
_QUEUE = "caseflow.account_notifications"


def init_app(app: Flask, queue: Callable[..., object]) -> None:
    """Set the function that puts an email in the outbox (mail.services.queue_email)."""
    app.extensions[_QUEUE] = queue


def notify(user: User, event: str) -> None:
    """Queue the email about ``event`` to ``user``, in their language. Flushes.

    An address the outbox refuses (e.g. one it cannot deliver) is logged, not raised:
    the change that caused the email still happens.
    """
    if event not in EVENTS:
        raise ValueError(event)
    queue = current_app.extensions[_QUEUE]
    subject, sentence = MESSAGES[event]
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        title = str(subject)
        body = render_template(
            "auth/email/notification.txt",
            greeting=_("Hello %(name)s,", name=user.full_name),
            lines=[
                str(sentence) % {"when": format_moment(utcnow())},
                f"{IF_THIS_WAS_YOU}\n{IF_NOT}",
                str(AUTOMATIC),
            ],
        )
    try:
        queue(
            centre_id=user.centre_id,
            kind=f"{KIND}.{event}",
            recipients=[user.email],
            subject=title,
            text_body=body,
        )
    except DomainError:
        # Ids only in logs.
        log.warning("Account email %s to user %s refused by the outbox", event, user.id)
