"""The outbox: queue emails with the action that causes them, deliver them after commit.

- ``queue_email`` writes the message (and attachments) in the caller's transaction: a
  rolled-back action sends nothing, and nothing is lost while SMTP is down.
- Once that transaction commits, the worker is asked to deliver (a queued task); its
  sweep every minute catches anything a lost task missed.
- ``deliver_due`` claims due messages one by one (an UPDATE that only one sender can
  win, so a message is never sent twice), sends them over SMTP with a timeout and no
  transaction open, and schedules retries with growing delays until
  ``MAIL_MAX_ATTEMPTS``, then marks them failed with the error.
- ``prune_sent`` drops the bodies and attachments of emails sent long ago.
- The sender is the centre's: its name as the display name, the address of
  ``MAIL_DEFAULT_SENDER`` (``centre_sender``).
"""

import contextlib
import logging
import re
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import charset as email_charset
from email.headerregistry import Address
from email.mime.text import MIMEText
from email.utils import parseaddr

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mail import Message
from sqlalchemy import delete, or_, select, update

from caseflow.centres.models import Centre
from caseflow.core.audit import record
from caseflow.core.database import reading
from caseflow.core.errors import DomainError
from caseflow.core.forms import SINGLE_LINE_FORBIDDEN
from caseflow.core.tasks import enqueue_after_commit
from caseflow.core.time import utcnow
from caseflow.extensions import db
from caseflow.mail.models import OutboxAttachment, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# The worker task that delivers what is due (registered in caseflow/worker.py).
DELIVER_TASK = "outbox.deliver"
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


_ADDRESS_SPECIALS = re.compile(r'[<>@,;:"()\[\]\\]')


def centre_sender(centre_id: int | None) -> str:
    """``"<Centre name> <address of MAIL_DEFAULT_SENDER>"``: every centre mails as itself.

    The name comes from the database, so control characters (a line break would start a
    new header) and the characters that delimit addresses (``<>@,;:"()[]\\``) become
    spaces: once a non-ASCII name is encoded, some mail programs (Python's own parser
    among them) would read an address hidden in it. Non-ASCII is encoded when the
    message is built.
    """
    default_name, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    centre = db.session.get(Centre, centre_id) if centre_id is not None else None
    name = centre.name if centre is not None else default_name
    name = " ".join(_ADDRESS_SPECIALS.sub(" ", SINGLE_LINE_FORBIDDEN.sub(" ", name or "")).split())
    username, _at, domain = address.rpartition("@")
    if not name or not username:
        return address or current_app.config["MAIL_DEFAULT_SENDER"]
    return str(Address(display_name=name, username=username, domain=domain))


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
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Put one email in the outbox (in the caller's transaction). Flushes.

    Every header value is checked for line breaks and every address validated first.
    """
    sender = centre_sender(centre_id)
    for value in (subject, sender, reply_to, *(headers or {}).keys(), *(headers or {}).values()):
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
        headers=dict(headers) if headers else None,
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
    record(
        "email.queued",
        object_type="email",
        object_id=message.id,
        case_id=case_id,
        details={"kind": kind, "recipients": len(addresses)},
        transactional=True,
    )
    enqueue_after_commit(DELIVER_TASK)
    return message


class _Message(Message):
    """Flask-Mail's message with quoted-printable text parts.

    Flask-Mail registers utf-8 without a body encoding, so long lines (an HTML list on
    one line, a long personal message) would go out as they are, and SMTP servers refuse
    lines over 998 characters. Quoted-printable keeps bodies readable and lines at 76;
    the charset object is this module's own, so nothing global changes.
    """

    def _mimetext(self, text, subtype="plain"):
        return MIMEText(text, _subtype=subtype, _charset=_UTF8_QP)


_UTF8_QP = email_charset.Charset("utf-8")
_UTF8_QP.body_encoding = email_charset.QP


def build_message(message: OutboxMessage, attachments: list[OutboxAttachment]) -> Message:
    headers = message.headers or {}
    for value in (
        message.subject,
        message.sender,
        message.reply_to,
        *message.recipients,
        *headers.keys(),
        *headers.values(),
    ):
        check_header(value)  # again: rows could have been written by older code
    mail = _Message(
        subject=message.subject,
        recipients=list(message.recipients),
        body=message.text_body,
        html=message.html_body,
        sender=message.sender,
        reply_to=message.reply_to,
        extra_headers=dict(headers) or None,
    )
    for attachment in attachments:
        mail.attach(attachment.filename, attachment.content_type, attachment.data)
    return mail


def _smtp(config) -> smtplib.SMTP:
    # Our own smtplib connection rather than Flask-Mail's ``mail.connect()``: Flask-Mail
    # opens SMTP without a timeout, so a server that accepts and then hangs would block
    # the worker for ever. Every step here gives up after MAIL_TIMEOUT seconds.
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


def _due_clause(now: datetime):
    return or_(
        (OutboxMessage.status == OutboxStatus.QUEUED) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.SENDING)
        & (OutboxMessage.claimed_at < now - STALE_CLAIM),
    )


@dataclass
class _Envelope:
    """What SMTP needs of a claimed message, read before the transaction ends."""

    message_id: int
    sender: str
    recipients: list[str]
    data: bytes | None
    error: DomainError | None = None


def _claim(message_id: int, now: datetime) -> _Envelope | None:
    """Claim one due message and read it, in one short transaction. Commits.

    None when another sender has it (the UPDATE only one sender can win) or it is no
    longer due. The message is built here, so no transaction is open while SMTP talks.
    """
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _due_clause(now))
        .values(status=OutboxStatus.SENDING, claimed_at=now)
    )
    if claimed.rowcount != 1:
        db.session.commit()
        return None
    message = db.session.get(OutboxMessage, message_id)
    attachments = list(
        db.session.scalars(
            select(OutboxAttachment).where(OutboxAttachment.message_id == message_id)
        )
    )
    envelope = _Envelope(message_id, message.sender, list(message.recipients), None)
    try:
        envelope.data = build_message(message, attachments).as_bytes()
    except DomainError as error:
        envelope.error = error
    db.session.commit()
    return envelope


def _send(connection, envelope: _Envelope):
    """Talk SMTP (no transaction is open). Returns the connection to reuse."""
    if envelope.error:
        raise envelope.error
    connection = connection or _smtp(current_app.config)
    connection.sendmail(envelope.sender, envelope.recipients, envelope.data)
    return connection


def _record(message_id: int, error: Exception | None, moment: datetime) -> None:
    """Write the outcome of one attempt in a new short transaction. Commits."""
    message = db.session.get(OutboxMessage, message_id)
    if error is None:
        message.status = OutboxStatus.SENT
        message.attempts += 1
        message.sent_at = utcnow()
        message.last_error = None
    else:
        _failed(message, error, moment)
    db.session.commit()


def deliver_due(now: datetime | None = None, limit: int = 100) -> tuple[int, int]:
    """Send what is due. Returns (sent, failed attempts).

    For each message: claim and read it in one short transaction, talk SMTP with no
    transaction open, then record the result in another short one. Commits.
    """
    now = now or utcnow()
    with reading():
        due_ids = db.session.scalars(
            select(OutboxMessage.id)
            .where(_due_clause(now))
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
            envelope = _claim(message_id, moment)
            if envelope is None:
                continue  # another sender has it, or it was sent meanwhile
            try:
                connection = _send(connection, envelope)
            except (OSError, smtplib.SMTPException, DomainError) as error:
                connection = _close(connection)
                _record(message_id, error, moment)
                failed += 1
            else:
                _record(message_id, None, moment)
                sent += 1
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
    """Send a failed email again from now on (resets its attempts). Flushes; the
    worker is asked to deliver it once the caller commits."""
    if message.status != OutboxStatus.FAILED:
        raise DomainError(_("Only a failed email can be retried."))
    message.status = OutboxStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.session.flush()
    enqueue_after_commit(DELIVER_TASK)


def cancel_queued(case_id: int, kind: str, now: datetime | None = None) -> int:
    """Withdraw the case's emails of ``kind`` still waiting in the outbox (e.g. paced
    event invitations after the consent was withdrawn): they are never sent. The row
    stays (subject, recipients, when) so the case shows what did not go out; the body
    and headers (with their personal links) are dropped. A message a sender claimed
    already is left to it. Returns how many. Flushes."""
    now = now or utcnow()
    cancelled = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.case_id == case_id,
            OutboxMessage.kind == kind,
            OutboxMessage.status == OutboxStatus.QUEUED,
        )
        .values(
            status=OutboxStatus.CANCELLED,
            text_body="",
            html_body=None,
            headers=None,
            body_pruned_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return cancelled.rowcount


def prune_sent(now: datetime | None = None) -> int:
    """Drop the bodies and attachments of emails sent more than SENT_MAIL_KEEP_DAYS ago.

    The message row stays (subject, recipients, when), so the case still shows that an
    email was sent. Returns how many were pruned. Flushes.
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["SENT_MAIL_KEEP_DAYS"])
    old = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.SENT,
            OutboxMessage.sent_at < cutoff,
            OutboxMessage.body_pruned_at.is_(None),
        )
        .scalar_subquery()
    )
    db.session.execute(delete(OutboxAttachment).where(OutboxAttachment.message_id.in_(old)))
    pruned = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(old))
        .values(text_body="", html_body=None, headers=None, body_pruned_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return pruned.rowcount


def queue_to_staff(
    user, kind: str, template: str, subject: Callable[[], str], context: dict
) -> OutboxMessage:
    """Render mail/<template>.txt and .html in the staff member's language and queue it.

    The email comes from the user's centre (sender name, ``centre_name`` for the
    signature).

    ``subject`` is called inside that language. Flushes.
    """
    locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    centre = db.session.get(Centre, user.centre_id)
    context = context | {
        "user": user,
        "locale": locale,
        # The signature: templates include mail/_staff_signature.{txt,html}.
        "centre_name": centre.name,
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
