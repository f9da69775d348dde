"""The outbox: queue emails with the action that causes them, deliver them after commit.

- ``queue_email`` writes the message (and attachments) in the caller's transaction: a
  rolled-back action sends nothing, and nothing is lost while SMTP is down.
- ``deliver_due`` claims due messages one by one (an UPDATE that only one sender can
  win, so a message is never sent twice), sends them over SMTP with a timeout, and
  schedules retries with growing delays until ``MAIL_MAX_ATTEMPTS``, then marks them
  failed with the error.
"""

import contextlib
import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import charset as email_charset

from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Message
from sqlalchemy import or_, select, update

from caseflow.core.errors import DomainError
from caseflow.core.time import utcnow
from caseflow.extensions import db
from caseflow.mail.models import OutboxAttachment, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# Flask-Mail registers utf-8 with no body encoding, so long lines (an HTML list on one
# line, a long personal message) would go out as they are, and SMTP servers refuse lines
# over 998 characters. Quoted-printable keeps bodies readable and lines at 76.
email_charset.add_charset("utf-8", email_charset.SHORTEST, email_charset.QP, "utf-8")
# A sender that died mid-send leaves a claim behind; after this it is tried again.
STALE_CLAIM = timedelta(minutes=10)


class HeaderInjectionError(DomainError):
    """A header value holds a line break: refused before any message is built."""


class InvalidAddressError(DomainError):
    """An email address that is not valid."""


def check_header(value: str | None) -> None:
    if value and ("\r" in value or "\n" in value):
        raise HeaderInjectionError(_("Line breaks are not allowed in email headers."))


def normalise_address(address: str) -> str:
    """A valid ASCII address (syntax only, no DNS lookups); else InvalidAddressError."""
    check_header(address)
    try:
        # No SMTPUTF8: many servers refuse it. International domains become punycode.
        result = validate_email(address, check_deliverability=False, allow_smtputf8=False)
        return result.ascii_email or result.normalized
    except EmailNotValidError as error:
        raise InvalidAddressError(
            _("“%(address)s” is not a valid email address.", address=address)
        ) from error


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


def queue_email(
    *,
    centre_id: int,
    kind: str,
    recipients: list[str],
    subject: str,
    text_body: str,
    html_body: str | None = None,
    case_id: int | None = None,
    created_by_id: int | None = None,
    reply_to: str | None = None,
    attachments: list[Attachment] = (),
) -> OutboxMessage:
    """Put one email in the outbox (in the caller's transaction). Flushes.

    Every header value is checked for line breaks and every address validated first.
    """
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    for value in (subject, sender, reply_to):
        check_header(value)
    addresses = [normalise_address(address) for address in recipients]
    if not addresses:
        raise InvalidAddressError(_("Choose at least one recipient."))
    message = OutboxMessage(
        centre_id=centre_id,
        case_id=case_id,
        kind=kind,
        sender=sender,
        recipients=addresses,
        reply_to=normalise_address(reply_to) if reply_to else None,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        created_by_id=created_by_id,
    )
    db.session.add(message)
    db.session.flush()
    for attachment in attachments:
        db.session.add(
            OutboxAttachment(
                message_id=message.id,
                filename=attachment.filename,
                content_type=attachment.content_type,
                data=attachment.data,
            )
        )
    db.session.flush()
    return message


def build_message(message: OutboxMessage, attachments: list[OutboxAttachment]) -> Message:
    for value in (message.subject, message.sender, message.reply_to, *message.recipients):
        check_header(value)  # again: rows could have been written by older code
    mail = Message(
        subject=message.subject,
        recipients=list(message.recipients),
        body=message.text_body,
        html=message.html_body,
        sender=message.sender,
        reply_to=message.reply_to,
    )
    for attachment in attachments:
        mail.attach(attachment.filename, attachment.content_type, attachment.data)
    return mail


def _smtp(config) -> smtplib.SMTP:
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    connection = smtp_class(host, port, timeout=timeout)
    if config["MAIL_USE_TLS"]:
        connection.starttls()
    if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
        connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return connection


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after the 1st, 2nd, 3rd… failed attempt."""
    base = current_app.config["MAIL_RETRY_BASE_SECONDS"]
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def _claim(message_id: int, now: datetime) -> bool:
    """Mark a message as being sent by this sender; False if another one has it. Commits."""
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            or_(
                OutboxMessage.status == OutboxStatus.QUEUED,
                (OutboxMessage.status == OutboxStatus.SENDING)
                & (OutboxMessage.claimed_at < now - STALE_CLAIM),
            ),
        )
        .values(status=OutboxStatus.SENDING, claimed_at=now)
    )
    db.session.commit()
    return claimed.rowcount == 1


def deliver_due(now: datetime | None = None, limit: int = 100) -> tuple[int, int]:
    """Send what is due. Commits after each message. Returns (sent, failed attempts)."""
    now = now or utcnow()
    due_ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            or_(
                (OutboxMessage.status == OutboxStatus.QUEUED)
                & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == OutboxStatus.SENDING)
                & (OutboxMessage.claimed_at < now - STALE_CLAIM),
            )
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = failed = 0
    connection = None
    try:
        for message_id in due_ids:
            # The clock at this message, not at the start of a possibly long loop.
            moment = max(now, utcnow())
            if not _claim(message_id, moment):
                continue  # another sender has it
            message = db.session.get(OutboxMessage, message_id)
            attachments = list(
                db.session.scalars(
                    select(OutboxAttachment).where(OutboxAttachment.message_id == message_id)
                )
            )
            try:
                mail = build_message(message, attachments)
                connection = connection or _smtp(current_app.config)
                connection.sendmail(message.sender, message.recipients, mail.as_bytes())
            except (OSError, smtplib.SMTPException, DomainError) as error:
                connection = _close(connection)
                _failed(message, error, moment)
                failed += 1
            else:
                message.status = OutboxStatus.SENT
                message.attempts += 1
                message.sent_at = utcnow()
                message.last_error = None
                sent += 1
            db.session.commit()
    finally:
        _close(connection)
    return sent, failed


def _close(connection) -> None:
    if connection is not None:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.quit()


def _failed(message: OutboxMessage, error: Exception, now: datetime) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:1000]
    permanent = isinstance(error, DomainError | smtplib.SMTPRecipientsRefused)
    if permanent or message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
        log.warning("Email %s failed for good after %s attempts", message.id, message.attempts)
    else:
        message.status = OutboxStatus.QUEUED
        message.next_attempt_at = now + retry_delay(message.attempts)


def retry(message: OutboxMessage) -> None:
    """Send a failed email again from now on (resets its attempts). Flushes."""
    if message.status != OutboxStatus.FAILED:
        raise DomainError(_("Only a failed email can be retried."))
    message.status = OutboxStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.session.flush()


def deliver_after_commit(app: Flask) -> None:
    """After a request committed new mail: deliver now, as MAIL_DELIVERY says.

    "background" (default) sends from a short-lived thread so the request never waits
    for SMTP; "inline" sends before returning (tests); "off" leaves it to the
    ``outbox send`` / ``outbox worker`` commands.
    """
    mode = app.config["MAIL_DELIVERY"]
    if mode == "inline":
        deliver_due()
    elif mode == "background":
        threading.Thread(target=_deliver_in_thread, args=(app,), daemon=True).start()


def _deliver_in_thread(app: Flask) -> None:
    with app.app_context():
        try:
            deliver_due()
        except Exception:  # the worker or cron retries; never crash silently
            log.exception("Background email delivery failed")
        finally:
            db.session.remove()


def queue_to_staff(
    user, kind: str, template: str, subject: Callable[[], str], context: dict
) -> OutboxMessage:
    """Render mail/<template>.txt and .html in the staff member's language and queue it.

    ``subject`` is called inside that language. Flushes.
    """
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    context = context | {
        "user": user,
        "locale": locale,
        "link": current_app.config["PUBLIC_URL"].rstrip("/") + context.get("path", "/"),
    }
    with force_locale(locale):
        title = subject()
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    return queue_email(
        centre_id=user.centre_id,
        kind=kind,
        recipients=[user.email],
        subject=title,
        text_body=text,
        html_body=html,
    )
