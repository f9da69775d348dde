"""Inviting households to an event: the recipients (the case list's filters plus the
consent), the preview, the invitations through the outbox in each client's language, at
a steady pace; the personal link (register, decline, no more invitations). No commits.

A personal link's token is ``secrets.token_urlsafe(32)`` (256 bits, like the client
page's); only its SHA-256 is stored. The outbox sends at most
``EVENT_INVITATIONS_PER_MINUTE`` invitations a minute for the whole installation: each
batch's messages are due a minute after the previous batch's, a sending continues after
the invitations still queued by earlier ones (of any event or centre), and the worker's
outbox sweep (every minute) sends what is due.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, select

from caseflow.auth.models import User
from caseflow.cases.models import Activity, ActivityKind, Case, HouseholdRole, Person
from caseflow.cases.queries import CaseFilters, filtered_cases
from caseflow.centres.models import Centre
from caseflow.core.errors import ConflictError, DomainError
from caseflow.core.time import today, utcnow
from caseflow.events.consent import consent_of, consenting_clause, withdraw_consent
from caseflow.events.models import (
    ConsentChannel,
    Event,
    EventInvitation,
    EventStatus,
    InvitationStatus,
)
from caseflow.extensions import db
from caseflow.mail import services as mail
from caseflow.mail.models import OutboxMessage, OutboxStatus

TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{40,100}")
INVITATION_KIND = "event_invitation"
CANCELLATION_KIND = "event_cancelled"
CHANGE_KIND = "event_changed"
PROMOTION_KIND = "event_place_free"
MAX_PER_SENDING = 2000
MAX_PEOPLE = 10
# The PostgreSQL advisory lock that makes sendings take their turn for the pace
# (pg_advisory_xact_lock: held until the transaction ends). "CFEV" in ASCII.
PACING_LOCK = 0x43464556


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class RecipientFilters:
    """The case list's filters that make sense for inviting, plus two of their own."""

    arrived_months: int | None = None  # arrived in the last N months
    municipality: str = ""
    case_type: str = ""
    has_children: bool = False
    status: str = ""  # "" open cases (as the case list), "all" closed ones too

    def case_filters(self) -> CaseFilters:
        return CaseFilters(
            status=self.status, municipality=self.municipality, case_type=self.case_type
        )


@dataclass
class Recipient:
    case_id: int
    address: str
    language: str


@dataclass
class Preview:
    """Households matching the filters, split into who gets an invitation and why the
    others do not."""

    matching: int = 0
    recipients: list[Recipient] = field(default_factory=list)
    no_consent: int = 0
    no_email: int = 0
    already_invited: int = 0
    # Of the invited: whose client language is none of the event's audience languages
    # (shown, not excluded: the lead decides; the email is in the client's language).
    other_language: int = 0

    @property
    def invited(self) -> int:
        return len(self.recipients)


def _selection(user: User, event: Event, filters: RecipientFilters):
    query = filtered_cases(user, filters.case_filters()).where(Case.erased_at.is_(None))
    if filters.arrived_months:
        since: date = today() - relativedelta(months=filters.arrived_months)
        query = query.where(Case.arrival_date >= since)
    if filters.has_children:
        query = query.where(
            exists().where(Person.case_id == Case.id, Person.household_role == HouseholdRole.CHILD)
        )
    invited = exists().where(
        EventInvitation.case_id == Case.id, EventInvitation.event_id == event.id
    )
    return query.with_only_columns(
        Case.id,
        Case.contact_email,
        Case.client_language,
        consenting_clause().label("consents"),
        invited.label("invited"),
    ).order_by(Case.id)


def _person_addresses(case_ids: list[int]) -> dict[int, str]:
    """The first adult household member's email address of each case that has one (one
    query); a child's address is never used."""
    if not case_ids:
        return {}
    first = (
        select(Person.case_id, func.min(Person.position).label("position"))
        .where(
            Person.case_id.in_(case_ids),
            Person.email.is_not(None),
            Person.email != "",
            Person.household_role != HouseholdRole.CHILD,  # never a child's address
        )
        .group_by(Person.case_id)
        .subquery()
    )
    return dict(
        db.session.execute(
            select(Person.case_id, Person.email).join(
                first, (first.c.case_id == Person.case_id) & (first.c.position == Person.position)
            )
        ).all()
    )


def addresses(case_ids: list[int]) -> dict[int, str]:
    """Where a household's event emails go: the case's contact address, else the first
    member's. Two queries."""
    contact = dict(
        db.session.execute(
            select(Case.id, Case.contact_email).where(
                Case.id.in_(case_ids), Case.contact_email.is_not(None), Case.erased_at.is_(None)
            )
        ).all()
    )
    others = _person_addresses([i for i in case_ids if not contact.get(i)])
    return {i: contact.get(i) or others.get(i) for i in case_ids if contact.get(i) or others.get(i)}


def _timeline(case_id: int, actor: User | None, kind: ActivityKind, event: Event, **details):
    db.session.add(
        Activity(
            case_id=case_id,
            actor_id=actor.id if actor is not None else None,
            kind=kind,
            details={"event": event.title_in("en"), "event_id": event.id, **details},
        )
    )


def preview(user: User, event: Event, filters: RecipientFilters) -> Preview:
    """Who would be invited: two queries, whatever the number of households."""
    rows = db.session.execute(_selection(user, event, filters)).all()
    result = Preview(matching=len(rows))
    candidates = []
    for row in rows:
        if row.invited:
            result.already_invited += 1
        elif not row.consents:
            result.no_consent += 1
        else:
            candidates.append(row)
    person_addresses = _person_addresses([row.id for row in candidates if not row.contact_email])
    for row in candidates:
        address = row.contact_email or person_addresses.get(row.id)
        if not address:
            result.no_email += 1
            continue
        result.recipients.append(Recipient(row.id, address, row.client_language.value))
        if row.client_language.value not in event.languages:
            result.other_language += 1
    return result


def invitation_url(token: str) -> str:
    return url_for("event_invite.page", token=token, _external=True)


def unsubscribe_url(token: str) -> str:
    return url_for("event_invite.unsubscribe", token=token, _external=True)


def render_invitation(event: Event, centre_name: str, language: str, token: str) -> dict:
    """Subject, text and HTML of one invitation, in ``language``."""
    context = {
        "event": event,
        "centre_name": centre_name,
        "lang": language,
        "title": event.title_in(language),
        "description": event.description_in(language),
        "url": invitation_url(token),
        "unsubscribe_url": unsubscribe_url(token),
    }
    with force_locale(language):
        return {
            "subject": _("Invitation: %(title)s", title=context["title"]),
            "text": render_template("events/email/invitation.txt", **context),
            "html": render_template("events/email/invitation.html", **context),
        }


def recipients_digest(result: Preview) -> str:
    """A fingerprint of the households a preview would invite (their case ids): Send
    carries it, and nothing goes out when the recomputed set differs."""
    ids = ",".join(str(i) for i in sorted(r.case_id for r in result.recipients))
    return hashlib.sha256(ids.encode()).hexdigest()


def _pacing_lock() -> None:
    """Sendings of any event take the pace one after the other: on PostgreSQL an
    advisory lock until the transaction ends; SQLite writes one transaction at a time
    anyway (BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(PACING_LOCK)))


def _first_slot(now: datetime) -> tuple[datetime, int]:
    """Where a new sending's invitations join the pace: (the time of the first batch,
    how many invitations that batch holds already). The installation's invitations still
    queued (never tried yet) come first, whichever event or centre they are for; a batch
    that is due but not sent yet (the sweep runs every minute) still counts. Two queries.
    """
    waiting = (
        OutboxMessage.kind == INVITATION_KIND,
        OutboxMessage.status == OutboxStatus.QUEUED,
        OutboxMessage.attempts == 0,
    )
    last = db.session.scalar(select(func.max(OutboxMessage.next_attempt_at)).where(*waiting))
    if last is None or last <= now - timedelta(minutes=1):
        return now, 0
    used = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(*waiting, OutboxMessage.next_attempt_at == last)
    )
    return last, used


def send_invitations(
    user: User, event: Event, filters: RecipientFilters, expected_digest: str | None
) -> Preview:
    """Invite the previewed households: an invitation row each (with its personal link)
    and an email in the outbox, paced. ``expected_digest``: the preview's
    ``recipients_digest``; when the households differ now (someone's consent changed, or
    another sending of this event went first) nothing is sent (ConflictError). The event's
    row is locked first, so two sendings of one event at once take turns and the second
    is refused. Flushes. Returns what was done."""
    # SELECT ... FOR UPDATE, and the event's state as it is now (not as it was loaded).
    db.session.refresh(event, with_for_update=True)
    if event.status != EventStatus.PUBLISHED:
        raise DomainError(_("Publish the event before inviting anyone."))
    if event.starts_at <= utcnow():
        raise DomainError(_("This event has started already."))
    result = preview(user, event, filters)
    if not expected_digest or expected_digest != recipients_digest(result):
        raise ConflictError(_("The recipients changed since the preview: preview again."))
    if not result.recipients:
        raise DomainError(
            _("Nobody to invite: no household matches with consent and an email address.")
        )
    if result.invited > MAX_PER_SENDING:
        raise DomainError(
            _("At most %(max)d households at a time. Narrow the filters.", max=MAX_PER_SENDING)
        )
    centre_name = db.session.get(Centre, event.centre_id).name
    per_minute = max(1, int(current_app.config["EVENT_INVITATIONS_PER_MINUTE"]))
    now = utcnow()
    _pacing_lock()
    first, used = _first_slot(now)
    for index, recipient in enumerate(result.recipients):
        token = secrets.token_urlsafe(TOKEN_BYTES)
        db.session.add(
            EventInvitation(
                event_id=event.id,
                case_id=recipient.case_id,
                token_hash=token_hash(token),
                language=recipient.language,
                invited_by_id=user.id,
                invited_at=now,
            )
        )
        rendered = render_invitation(event, centre_name, recipient.language, token)
        message = mail.queue_email(
            centre_id=event.centre_id,
            case_id=recipient.case_id,
            kind=INVITATION_KIND,
            recipients=[recipient.address],
            subject=rendered["subject"],
            text_body=rendered["text"],
            html_body=rendered["html"],
            created_by_id=user.id,
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url(token)}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        # A steady pace for the installation: batch n is due n minutes after the first
        # (the outbox sweep sends it); the first may be one queued by an earlier sending.
        message.next_attempt_at = first + timedelta(minutes=(used + index) // per_minute)
        _timeline(recipient.case_id, user, ActivityKind.EVENT_INVITED, event)
    db.session.flush()
    return result


# --- the personal link -------------------------------------------------------------------


def find(token: str) -> EventInvitation | None:
    """The invitation of a personal link (None for an unknown or malformed one)."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    return db.session.scalar(
        select(EventInvitation).where(EventInvitation.token_hash == token_hash(token))
    )


def is_open(event: Event) -> bool:
    """Registrations are open: published and not started."""
    return event.status == EventStatus.PUBLISHED and event.starts_at > utcnow()


def places_taken(event_id: int, but: int | None = None) -> int:
    query = select(func.coalesce(func.sum(EventInvitation.people), 0)).where(
        EventInvitation.event_id == event_id,
        EventInvitation.status == InvitationStatus.REGISTERED,
    )
    if but is not None:
        query = query.where(EventInvitation.id != but)
    return int(db.session.scalar(query) or 0)


def _lock(event: Event) -> None:
    """Hold the event's row until the transaction ends (PostgreSQL ``FOR UPDATE``), so
    two answers at once cannot both take the last places: the capacity check and the
    change happen under the lock. SQLite ignores it (it writes one transaction at a
    time anyway)."""
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def register(invitation: EventInvitation, event: Event, people: int) -> InvitationStatus:
    """Register ``people`` (or put them on the waiting list when that many places are no
    longer free). Fewer people than before frees places for the waiting list. Flushes."""
    if not is_open(event):
        raise DomainError(_("Registration for this event is closed."))
    if not 1 <= people <= MAX_PEOPLE:
        raise DomainError(_("Choose between 1 and %(max)d people.", max=MAX_PEOPLE))
    _lock(event)
    full = (
        event.capacity is not None
        and places_taken(event.id, but=invitation.id) + people > event.capacity
    )
    if full and invitation.status == InvitationStatus.REGISTERED:
        # Asking for more places than are free keeps the places the household has.
        free = event.capacity - places_taken(event.id, but=invitation.id)
        raise DomainError(
            _(
                "Only %(free)d places are free: your registration for %(people)d people stands.",
                free=free,
                people=invitation.people,
            )
        )
    invitation.status = InvitationStatus.WAITING if full else InvitationStatus.REGISTERED
    invitation.people = people
    invitation.responded_at = utcnow()
    kind = ActivityKind.EVENT_WAITING if full else ActivityKind.EVENT_REGISTERED
    _timeline(invitation.case_id, None, kind, event, people=people)
    db.session.flush()
    promote_waiting(event)
    return invitation.status


def decline(invitation: EventInvitation, event: Event) -> None:
    """Not coming (also after registering: the places are free again). Flushes."""
    if event.status == EventStatus.CANCELLED:
        raise DomainError(_("This event was cancelled."))
    if not is_open(event):  # once it started, the answers are what the report counts
        raise DomainError(_("Registration for this event is closed."))
    _lock(event)
    invitation.status = InvitationStatus.DECLINED
    invitation.people = None
    invitation.responded_at = utcnow()
    _timeline(invitation.case_id, None, ActivityKind.EVENT_DECLINED, event)
    db.session.flush()
    promote_waiting(event)


def render_promotion(event: Event, centre_name: str, language: str, token: str) -> dict:
    """The "a place is free for you" email, in ``language``."""
    context = {
        "event": event,
        "centre_name": centre_name,
        "lang": language,
        "title": event.title_in(language),
        "url": invitation_url(token),
    }
    with force_locale(language):
        return {
            "subject": _("A place for you: %(title)s", title=context["title"]),
            "text": render_template("events/email/place_free.txt", **context),
            "html": render_template("events/email/place_free.html", **context),
        }


def promote_waiting(event: Event) -> list[EventInvitation]:
    """Move households up from the waiting list while places are free: in the order they
    joined it, each whose party fits in the places left (a party that does not fit keeps
    its turn, a smaller one behind it may go). Each gets an email in its language through
    the outbox, with its personal link. Call with the event's row locked (``_lock``), in
    the transaction that freed the places. Flushes. Returns the households moved up.

    Only the hash of a personal link is stored, so the email carries a new link for the
    same invitation; the earlier one stops working (the email says so)."""
    if event.capacity is None or not is_open(event):
        return []
    free = event.capacity - places_taken(event.id)
    if free <= 0:
        return []
    waiting = db.session.scalars(
        select(EventInvitation)
        .where(
            EventInvitation.event_id == event.id,
            EventInvitation.status == InvitationStatus.WAITING,
        )
        .order_by(EventInvitation.responded_at, EventInvitation.id)
    ).all()
    moved = []
    for invitation in waiting:
        if (invitation.people or 1) > free:
            continue
        invitation.status = InvitationStatus.REGISTERED
        free -= invitation.people or 1
        moved.append(invitation)
        _timeline(
            invitation.case_id,
            None,
            ActivityKind.EVENT_REGISTERED,
            event,
            people=invitation.people,
            from_waiting_list=True,
        )
        if free <= 0:
            break
    if not moved:
        return []
    where = addresses([i.case_id for i in moved])
    centre_name = db.session.get(Centre, event.centre_id).name
    for invitation in moved:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation.token_hash = token_hash(token)
        address = where.get(invitation.case_id)
        if not address:
            continue
        rendered = render_promotion(event, centre_name, invitation.language, token)
        mail.queue_email(
            centre_id=event.centre_id,
            case_id=invitation.case_id,
            kind=PROMOTION_KIND,
            recipients=[address],
            subject=rendered["subject"],
            text_body=rendered["text"],
            html_body=rendered["html"],
        )
    db.session.flush()
    return moved


def unsubscribe(invitation: EventInvitation) -> None:
    """The client's "no more invitations": the consent is withdrawn. Flushes."""
    consent = consent_of(invitation.case_id)
    if consent is not None:
        withdraw_consent(consent, None, ConsentChannel.CLIENT_LINK)


def render_cancellation(event: Event, centre_name: str, language: str) -> dict:
    context = {
        "event": event,
        "centre_name": centre_name,
        "lang": language,
        "title": event.title_in(language),
    }
    with force_locale(language):
        return {
            "subject": _("Cancelled: %(title)s", title=context["title"]),
            "text": render_template("events/email/cancelled.txt", **context),
            "html": render_template("events/email/cancelled.html", **context),
        }


def send_cancellations(event: Event, actor: User) -> int:
    """Tell the registered households (and the waiting list) that the event is
    cancelled, each in their language, through the outbox. Flushes. Returns how many."""
    reachable = _reachable(event)
    if not reachable:
        return 0
    centre_name = db.session.get(Centre, event.centre_id).name
    sent = 0
    for invitation, address in reachable:
        rendered = render_cancellation(event, centre_name, invitation.language)
        mail.queue_email(
            centre_id=event.centre_id,
            case_id=invitation.case_id,
            kind=CANCELLATION_KIND,
            recipients=[address],
            subject=rendered["subject"],
            text_body=rendered["text"],
            html_body=rendered["html"],
            created_by_id=actor.id,
        )
        sent += 1
    return sent


def _is_coming(event_id: int):
    """An invitation of the event whose household is registered or on the waiting list."""
    return and_(
        EventInvitation.event_id == event_id,
        EventInvitation.status.in_((InvitationStatus.REGISTERED, InvitationStatus.WAITING)),
    )


def _coming(event: Event) -> list[EventInvitation]:
    """The event's registered and waiting invitations, oldest first."""
    return list(
        db.session.scalars(
            select(EventInvitation).where(_is_coming(event.id)).order_by(EventInvitation.id)
        )
    )


def _reachable(event: Event) -> list[tuple[EventInvitation, str]]:
    """The registered and waiting households that have an email address, with it (a
    household without one is left out: it gets no email). Two queries."""
    coming = _coming(event)
    where = addresses([i.case_id for i in coming]) if coming else {}
    return [(i, where[i.case_id]) for i in coming if where.get(i.case_id)]


def coming_count(event_id: int) -> int:
    """How many households are registered or on the waiting list. One query."""
    return int(
        db.session.scalar(select(func.count(EventInvitation.id)).where(_is_coming(event_id))) or 0
    )


def render_change(
    event: Event, centre_name: str, language: str, token: str, waiting: bool, changed: list[str]
) -> dict:
    """The "new date, time or place" email, in ``language``: the event's details as they
    are now, and the household's personal link."""
    context = {
        "event": event,
        "centre_name": centre_name,
        "lang": language,
        "title": event.title_in(language),
        "url": invitation_url(token),
        "waiting": waiting,
        "changed": changed,
    }
    with force_locale(language):
        return {
            "subject": _("Changed: %(title)s", title=context["title"]),
            "text": render_template("events/email/changed.txt", **context),
            "html": render_template("events/email/changed.html", **context),
        }


def send_change_notices(event: Event, actor: User, changed: list[str]) -> int:
    """Tell the registered and waiting households that the event's date, time, place or
    online link changed (``changed``: which), each in their language, through the outbox,
    with their personal link; an entry on each case's timeline. Only for a published
    event that has not started. Flushes. Returns how many households get an email.

    Only the hash of a personal link is stored, so the email carries a new link for the
    same invitation and the earlier one stops working (the email says so); a household
    without an address keeps its link (and gets no email)."""
    if not changed or not is_open(event):
        return 0
    _lock(event)  # no answer changes its status meanwhile
    reachable = _reachable(event)
    if not reachable:
        return 0
    centre_name = db.session.get(Centre, event.centre_id).name
    told = 0
    for invitation, address in reachable:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        invitation.token_hash = token_hash(token)
        waiting = invitation.status == InvitationStatus.WAITING
        rendered = render_change(event, centre_name, invitation.language, token, waiting, changed)
        mail.queue_email(
            centre_id=event.centre_id,
            case_id=invitation.case_id,
            kind=CHANGE_KIND,
            recipients=[address],
            subject=rendered["subject"],
            text_body=rendered["text"],
            html_body=rendered["html"],
            created_by_id=actor.id,
        )
        _timeline(invitation.case_id, actor, ActivityKind.EVENT_CHANGED, event, fields=changed)
        told += 1
    db.session.flush()
    return told


def answer_counts(event_id: int) -> dict[str, tuple[int, int]]:
    """Per answer (invited, registered, waiting, declined): (households, people). One
    query."""
    counts = {status.value: (0, 0) for status in InvitationStatus}
    for status, households, people in db.session.execute(
        select(
            EventInvitation.status,
            func.count(EventInvitation.id),
            func.coalesce(func.sum(EventInvitation.people), 0),
        )
        .where(EventInvitation.event_id == event_id)
        .group_by(EventInvitation.status)
    ):
        counts[status.value] = (int(households), int(people))
    return counts
