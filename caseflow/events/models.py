import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.cases.models import Case
from caseflow.core.enums import str_enum
from caseflow.core.time import utcnow
from caseflow.extensions import db

# The languages an event's texts and audience can be in (the client-facing languages).
EVENT_LANGUAGES = ("nl", "en", "fr")


class EventType(enum.StrEnum):
    INFO_SESSION = "info_session"
    LANGUAGE_CAFE = "language_cafe"
    NETWORKING = "networking"
    FAMILY = "family"
    OTHER = "other"


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Event(db.Model):
    """An event of the centre's welcome community (an info session, a language café...).

    Its title and description exist in up to three languages (at least one title);
    ``starts_at`` / ``ends_at`` are naive UTC like every ``*_at`` column (entered and
    shown in Brussels time). ``audience_languages`` is a comma-separated list of codes.
    ``partner_id``: a partner of the centre's directory (optional); ``partner_name``
    stays as free text for a partner not in the directory.
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_centre_starts", "centre_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    title_nl: Mapped[str | None] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    title_fr: Mapped[str | None] = mapped_column(String(200))
    description_nl: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    description_fr: Mapped[str | None] = mapped_column(Text)
    event_type: Mapped[EventType] = mapped_column(str_enum(EventType))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None]
    audience_languages: Mapped[str] = mapped_column(String(20), default="")
    organiser: Mapped[str] = mapped_column(String(200))
    partner_name: Mapped[str | None] = mapped_column(String(200))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, length=16), default=EventStatus.DRAFT
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    created_by: Mapped[User | None] = relationship(lazy="raise_on_sql")

    def _language_for(self, locale: str) -> str:
        """``locale`` when the event has a title in it, else the first language it has."""
        if locale in EVENT_LANGUAGES and getattr(self, f"title_{locale}"):
            return locale
        return next((c for c in EVENT_LANGUAGES if getattr(self, f"title_{c}")), "en")

    def title_in(self, locale: str) -> str:
        """The title in ``locale``, else in the first language written (nl, en, fr)."""
        return getattr(self, f"title_{self._language_for(locale)}") or ""

    def description_in(self, locale: str) -> str | None:
        """The description in the same language as ``title_in`` shows."""
        return getattr(self, f"description_{self._language_for(locale)}")

    @property
    def languages(self) -> list[str]:
        return [code for code in self.audience_languages.split(",") if code]


class ConsentChannel(enum.StrEnum):
    STAFF = "staff"  # recorded or withdrawn by a staff member on the case
    CLIENT_LINK = "client_link"  # the client's one-click "no more invitations" link


class InvitationConsent(db.Model):
    """The household's consent to receive event invitations (issue 15): separate from
    the service's own legal basis, off until recorded, withdrawable at any time.

    One row per case at most: ``given_at`` / ``given_by`` say when and by whom it was
    recorded (the last time), ``withdrawn_at`` / ``withdrawn_by`` / ``withdrawn_via``
    when it was withdrawn and how (a staff member, or the client's own link). Invitations
    go only to cases whose row has ``withdrawn_at`` empty. Erasure deletes the row.
    """

    __tablename__ = "event_invitation_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_via: Mapped[ConsentChannel | None] = mapped_column(str_enum(ConsentChannel, 16))

    case: Mapped[Case] = relationship(lazy="raise_on_sql")
    given_by: Mapped[User | None] = relationship(foreign_keys=[given_by_id], lazy="raise_on_sql")
    withdrawn_by: Mapped[User | None] = relationship(
        foreign_keys=[withdrawn_by_id], lazy="raise_on_sql"
    )

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class InvitationStatus(enum.StrEnum):
    INVITED = "invited"  # no answer yet
    REGISTERED = "registered"
    WAITING = "waiting"  # registered while the event was full: the waiting list
    DECLINED = "declined"


class EventInvitation(db.Model):
    """One household invited to one event (at most once), and its answer.

    The personal link's token is ``secrets.token_urlsafe(32)`` (256 bits), like the
    client page's; only its SHA-256 is stored (``token_hash``; emptied by erasure).
    ``people``: how many come (registered or waiting). ``attended_at``: ticked at the
    door, with ``attended_people``.
    """

    __tablename__ = "event_invitations"
    __table_args__ = (
        UniqueConstraint("event_id", "case_id"),
        Index("ix_event_invitations_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(2))
    status: Mapped[InvitationStatus] = mapped_column(
        str_enum(InvitationStatus, 16), default=InvitationStatus.INVITED
    )
    people: Mapped[int | None]
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]
    attended_people: Mapped[int | None]

    event: Mapped[Event] = relationship(lazy="raise_on_sql")
    case: Mapped[Case] = relationship(lazy="raise_on_sql")

    @property
    def is_coming(self) -> bool:
        return self.status == InvitationStatus.REGISTERED


class WalkIn(db.Model):
    """Someone who came to an event without registering, added at the door by name."""

    __tablename__ = "event_walk_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    people: Mapped[int] = mapped_column(default=1)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
