"""Event services: create, edit, publish, cancel; the calendar. None of them commit."""

from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from caseflow.auth.models import User
from caseflow.cases.services import check_version
from caseflow.core.errors import DomainError
from caseflow.core.time import BRUSSELS, utcnow
from caseflow.events.models import EVENT_LANGUAGES, Event, EventStatus, EventType
from caseflow.extensions import db
from caseflow.partners.models import Partner
from caseflow.partners.services import active_partners

FIELDS = (
    "title_nl",
    "title_en",
    "title_fr",
    "description_nl",
    "description_en",
    "description_fr",
    "place",
    "online_url",
    "capacity",
    "organiser",
    "partner_name",
)


def brussels_to_utc(value: datetime) -> datetime:
    """A Brussels wall-clock time (as typed in a form) as naive UTC (as stored)."""
    return value.replace(tzinfo=BRUSSELS).astimezone(UTC).replace(tzinfo=None)


def utc_to_brussels(value: datetime) -> datetime:
    """A stored naive UTC time as naive Brussels wall-clock time (to fill a form)."""
    return value.replace(tzinfo=UTC).astimezone(BRUSSELS).replace(tzinfo=None)


def _apply(event: Event, data: dict) -> None:
    if not any(data.get(f"title_{code}") for code in EVENT_LANGUAGES):
        raise DomainError(_("Give the event a title in at least one language."))
    if not (data.get("place") or data.get("online_url")):
        raise DomainError(_("Enter a place or an online link."))
    starts_at = brussels_to_utc(data["starts_at"])
    ends_at = brussels_to_utc(data["ends_at"])
    if ends_at <= starts_at:
        raise DomainError(_("The end must be after the start."))
    languages = [code for code in EVENT_LANGUAGES if code in (data.get("audience_languages") or [])]
    if not languages:
        raise DomainError(_("Tick at least one language."))
    partner_id = data.get("partner_id") or None
    if partner_id is not None and partner_id != event.partner_id:
        partner = db.session.get(Partner, partner_id)
        if partner is None or partner.centre_id != event.centre_id or not partner.is_active:
            raise DomainError(_("Choose a partner of the centre's directory."))
    for name in FIELDS:
        setattr(event, name, data.get(name))
    event.partner_id = partner_id
    event.event_type = EventType(data["event_type"])
    event.starts_at = starts_at
    event.ends_at = ends_at
    event.audience_languages = ",".join(languages)


def create_event(centre_id: int, actor: User, data: dict) -> Event:
    """A new event of the centre, as a draft. Flushes."""
    event = Event(centre_id=centre_id, created_by_id=actor.id, status=EventStatus.DRAFT)
    _apply(event, data)
    db.session.add(event)
    db.session.flush()
    return event


# What the households who are coming must hear about when it changes (their email says
# when and where): the date and time, the place, the online link.
NOTICE_FIELDS = ("starts_at", "ends_at", "place", "online_url")


def update_event(event: Event, data: dict, expected_version: int | None) -> list[str]:
    """Change an event's details. A cancelled event stays as it was. Flushes. Returns
    which of ``NOTICE_FIELDS`` changed (to tell the registered and waiting households:
    ``invitations.send_change_notices``)."""
    check_version(event.version, expected_version)
    if event.status == EventStatus.CANCELLED:
        raise DomainError(_("A cancelled event cannot be changed."))
    before = {name: getattr(event, name) for name in NOTICE_FIELDS}
    _apply(event, data)
    event.updated_at = utcnow()
    db.session.flush()
    return [name for name in NOTICE_FIELDS if getattr(event, name) != before[name]]


def publish_event(event: Event, expected_version: int | None) -> None:
    check_version(event.version, expected_version)
    if event.status != EventStatus.DRAFT:
        raise DomainError(_("Only a draft can be published."))
    event.status = EventStatus.PUBLISHED
    event.updated_at = utcnow()
    db.session.flush()


def cancel_event(event: Event, expected_version: int | None) -> None:
    check_version(event.version, expected_version)
    if event.status == EventStatus.CANCELLED:
        raise DomainError(_("This event is already cancelled."))
    if event.starts_at <= utcnow():
        raise DomainError(_("This event has started already: it can no longer be cancelled."))
    event.status = EventStatus.CANCELLED
    event.updated_at = utcnow()
    db.session.flush()


def centre_event(centre_id: int, event_id: int) -> Event | None:
    """The centre's event with this id (None for another centre's: a 404)."""
    return db.session.scalar(
        select(Event).where(Event.id == event_id, Event.centre_id == centre_id)
    )


def upcoming_events(centre_id: int, *, include_drafts: bool, past_days: int = 0) -> list[Event]:
    """The centre's events that have not ended (or ended in the last ``past_days``), by
    start. Advisors see published and cancelled ones; team leads drafts too."""
    since = utcnow() - timedelta(days=past_days)
    query = (
        select(Event)
        .where(Event.centre_id == centre_id, Event.ends_at >= since)
        .order_by(Event.starts_at, Event.id)
    )
    if not include_drafts:
        query = query.where(Event.status != EventStatus.DRAFT)
    return list(db.session.scalars(query.limit(500)))


def partner_choices(centre_id: int, current: int | None = None) -> list[tuple[int, str]]:
    """The event form's partners: the centre's active ones (and the event's own, even if
    no longer active), by name."""
    partners = active_partners(centre_id)
    if current is not None and all(p.id != current for p in partners):
        own = db.session.get(Partner, current)
        if own is not None:
            partners.append(own)
    return sorted(((p.id, p.name) for p in partners), key=lambda pair: pair[1].lower())


def partner_of(event: Event) -> Partner | None:
    """The event's partner from the directory (one query, none without one)."""
    return db.session.get(Partner, event.partner_id) if event.partner_id else None
