"""Logging contacts, the topic list, turning a contact into a case, and the privacy
work on contacts (erasure of a case, retention). Flushes, never commits."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from caseflow.auth.models import User
from caseflow.auth.permissions import can_convert_contact, can_view_case
from caseflow.cases.models import Case, HelpTopic
from caseflow.contacts.models import NOTE_MAX, Contact, ContactChannel, ContactTopic
from caseflow.core.database import name_taken
from caseflow.core.errors import ConflictError, DomainError
from caseflow.core.time import today, utcnow
from caseflow.extensions import db

MAX_MINUTES = 8 * 60

# The topics every centre starts with: (code, English, Dutch). The code maps a topic
# to the new case's help topic when a contact turns into a case.
DEFAULT_TOPICS = (
    ("health_fund", "Health fund", "Ziekenfonds"),
    ("residence", "Residence", "Verblijf"),
    ("work_permit", "Work permit", "Arbeidskaart"),
    ("housing", "Housing", "Huisvesting"),
    ("schools", "Schools", "Scholen"),
    ("taxes", "Taxes", "Belastingen"),
    ("language_courses", "Language courses", "Taalcursussen"),
    ("partner_job", "Partner's job", "Werk voor de partner"),
    ("driving_licence", "Driving licence", "Rijbewijs"),
    ("other", "Other", "Andere"),
)
HELP_TOPIC_OF = {
    "health_fund": HelpTopic.HEALTH_FUND,
    "residence": HelpTopic.RESIDENCE_CARD,
    "work_permit": HelpTopic.WORK_PERMIT,
    "housing": HelpTopic.HOUSING,
    "schools": HelpTopic.SCHOOL,
    "taxes": HelpTopic.TAXES,
    "language_courses": HelpTopic.LANGUAGE_COURSES,
    "partner_job": HelpTopic.PARTNER_JOB,
    "other": HelpTopic.OTHER,
}


@dataclass
class ContactData:
    channel: ContactChannel
    topic_ids: list[int]
    minutes: int
    contact_date: date | None = None
    nationality: str | None = None
    municipality: str | None = None
    note: str | None = None
    name: str | None = None


def centre_topics(centre_id: int, *, active_only: bool = False) -> list[ContactTopic]:
    """The centre's topics in list order (the default list made on first use)."""
    query = select(ContactTopic).where(ContactTopic.centre_id == centre_id)
    topics = list(db.session.scalars(query.order_by(ContactTopic.position, ContactTopic.id)))
    if not topics:
        ensure_default_topics(centre_id)
        topics = list(db.session.scalars(query.order_by(ContactTopic.position, ContactTopic.id)))
    return [t for t in topics if t.is_active] if active_only else topics


def ensure_default_topics(centre_id: int) -> None:
    """Give a centre the standard topic list (once). Flushes."""
    if db.session.scalar(select(ContactTopic.id).where(ContactTopic.centre_id == centre_id)):
        return
    for position, (code, name_en, name_nl) in enumerate(DEFAULT_TOPICS):
        db.session.add(
            ContactTopic(
                centre_id=centre_id, code=code, name_en=name_en, name_nl=name_nl, position=position
            )
        )
    db.session.flush()


def save_topic(
    centre_id: int,
    topic: ContactTopic | None,
    *,
    name_en: str,
    name_nl: str,
    position: int,
    is_active: bool,
) -> ContactTopic:
    """Create (``topic`` None) or rename / move / (de)activate a topic; names are unique
    per centre whatever their case. Flushes."""
    names = {"name_en": name_en, "name_nl": name_nl}
    if name_taken(ContactTopic, centre_id, names, topic.id if topic is not None else None):
        raise DomainError(_("A topic with this name already exists."))
    if topic is None:
        topic = ContactTopic(centre_id=centre_id)
        db.session.add(topic)
    topic.name_en, topic.name_nl = name_en, name_nl
    topic.position, topic.is_active = position, is_active
    db.session.flush()
    return topic


def _topics(centre_id: int, topic_ids: list[int]) -> list[ContactTopic]:
    if not topic_ids:
        raise DomainError(_("Tick at least one topic."))
    topics = list(
        db.session.scalars(
            select(ContactTopic).where(
                ContactTopic.id.in_(set(topic_ids)),
                ContactTopic.centre_id == centre_id,
                ContactTopic.is_active.is_(True),
            )
        )
    )
    if len(topics) != len(set(topic_ids)):
        raise DomainError(_("This topic does not exist (any more). Reload the page."))
    return topics


def log_contact(user: User, data: ContactData, case: Case | None = None) -> Contact:
    """Record a contact logged by ``user`` for their centre. ``case``: an existing case
    the question was about (one ``user`` may see). Flushes."""
    day = _check(data)
    if case is not None and not can_view_case(user, case):
        raise DomainError(_("No case with this reference. Check the reference."))
    contact = Contact(
        centre_id=user.centre_id,
        logged_by_id=user.id,
        contact_date=day,
        channel=ContactChannel(data.channel),
        nationality=data.nationality,
        municipality=data.municipality,
        minutes=data.minutes,
        note=data.note,
        name=data.name,
        case_id=case.id if case is not None else None,
    )
    contact.topics = _topics(user.centre_id, data.topic_ids)
    db.session.add(contact)
    db.session.flush()
    return contact


def _check(data: ContactData) -> date:
    """The form rules of logging and editing; returns the contact's day."""
    if not 0 <= data.minutes <= MAX_MINUTES:
        raise DomainError(_("Enter the minutes spent, between 0 and %(n)d.", n=MAX_MINUTES))
    if data.note and len(data.note) > NOTE_MAX:
        raise DomainError(_("Keep the note under %(n)d characters.", n=NOTE_MAX))
    day = data.contact_date or today()
    if day > today():
        raise DomainError(_("This date cannot be in the future."))
    return day


def fingerprint(contact: Contact) -> str:
    """What the edit form saw: a digest of the editable fields (a stale form is refused
    without a version column)."""
    values = (
        contact.contact_date.isoformat(),
        str(contact.channel),
        contact.nationality or "",
        contact.municipality or "",
        str(contact.minutes),
        contact.note or "",
        contact.name or "",
        str(contact.case_id or ""),
        ",".join(str(t.id) for t in contact.topics),
    )
    return hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:32]


def update_contact(
    contact: Contact, user: User, data: ContactData, case: Case | None, seen: str | None
) -> None:
    """Edit a contact (same rules as logging). ``seen``: the form's ``fingerprint``;
    someone else's change since then is refused (ConflictError). A topic made inactive
    since stays when it stays ticked. Flushes."""
    if seen != fingerprint(contact):
        raise ConflictError(
            _("Someone changed this contact since you opened it. Check it and edit again.")
        )
    day = _check(data)
    if case is not None and case.id != contact.case_id and not can_view_case(user, case):
        raise DomainError(_("No case with this reference. Check the reference."))
    if contact.converted_at is not None and (case is None or case.id != contact.case_id):
        raise DomainError(_("This contact became a case: its case cannot change."))
    kept = [t for t in contact.topics if t.id in set(data.topic_ids)]
    new_ids = [i for i in data.topic_ids if i not in {t.id for t in kept}]
    contact.topics = kept + (_topics(contact.centre_id, new_ids) if new_ids else [])
    if not contact.topics:
        raise DomainError(_("Tick at least one topic."))
    contact.contact_date = day
    contact.channel = ContactChannel(data.channel)
    contact.nationality = data.nationality
    contact.municipality = data.municipality
    contact.minutes = data.minutes
    contact.note = data.note
    contact.name = data.name
    contact.case_id = case.id if case is not None else None
    if data.name or data.note:
        contact.anonymised_at = None
    db.session.flush()


def erase_contact(contact: Contact) -> bool:
    """ "Erase name and note" on request: channel, topics, date, minutes, nationality,
    municipality and the case link stay for the statistics; ``anonymised_at`` says when
    (the audit log says who). False when there was nothing to erase. Flushes."""
    if contact.name is None and contact.note is None:
        return False
    contact.name = contact.note = None
    contact.anonymised_at = utcnow()
    db.session.flush()
    return True


def delete_contact(contact: Contact) -> None:
    """A contact logged by mistake: gone with its topic links. Flushes."""
    db.session.delete(contact)
    db.session.flush()


def find_case(user: User, reference: str) -> Case | None:
    """The case of ``user``'s centre with this reference, when ``user`` may see it."""
    case = db.session.scalar(
        select(Case).where(Case.centre_id == user.centre_id, Case.reference == reference.strip())
    )
    return case if case is not None and can_view_case(user, case) else None


def contact_with_topics(contact_id: int) -> Contact | None:
    return db.session.scalar(
        select(Contact).where(Contact.id == contact_id).options(selectinload(Contact.topics))
    )


def link_new_case(contact: Contact, case: Case, user: User) -> None:
    """The case made from ``contact`` ("Turn into a case"): linked both ways, and the
    case's help topics taken from the contact's topics. Flushes."""
    if contact.centre_id != case.centre_id or not can_convert_contact(user, contact):
        raise DomainError(_("This contact was already turned into a case."))
    contact.case_id = case.id
    contact.converted_at = utcnow()
    codes = [HELP_TOPIC_OF[t.code].value for t in contact.topics if t.code in HELP_TOPIC_OF]
    if codes and not case.help_topics:
        case.help_topics = codes
    db.session.flush()


# --- privacy -----------------------------------------------------------------------


def anonymise_case_contacts(case_id: int, now: datetime) -> int:
    """Erasure of a case: its contacts lose their name and note; channel, topics, date,
    minutes and the link stay for the statistics. Flushes; returns the count."""
    result = db.session.execute(
        update(Contact)
        .where(
            Contact.case_id == case_id, (Contact.name.is_not(None)) | (Contact.note.is_not(None))
        )
        .values(name=None, note=None, anonymised_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def _old_contacts_clause(centre_id: int, cutoff: datetime):
    return (
        Contact.centre_id == centre_id,
        Contact.created_at < cutoff,
        (Contact.name.is_not(None)) | (Contact.note.is_not(None)),
    )


def old_contacts_due(centre_id: int, cutoff: datetime) -> int:
    return db.session.scalar(
        select(func.count(Contact.id)).where(*_old_contacts_clause(centre_id, cutoff))
    )


def anonymise_old_contacts(centre_id: int, cutoff: datetime, now: datetime) -> int:
    """Retention: names and notes of the centre's contacts logged before ``cutoff``."""
    result = db.session.execute(
        update(Contact)
        .where(*_old_contacts_clause(centre_id, cutoff))
        .values(name=None, note=None, anonymised_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


def raise_gone() -> None:
    raise DomainError(_("This contact no longer exists."))
