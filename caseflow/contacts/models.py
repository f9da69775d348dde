import enum
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.cases.models import Case
from caseflow.core.enums import str_enum
from caseflow.core.time import utcnow
from caseflow.extensions import db


class ContactChannel(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    WALK_IN = "walk_in"
    EVENT = "event"
    WEBSITE = "website"
    SOCIAL_MEDIA = "social_media"


NOTE_MAX = 500
NAME_MAX = 120

# Which topics a contact was about (a contact has one or more).
contact_topic_links = Table(
    "contact_topic_links",
    db.metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("contact_topics.id"), primary_key=True, index=True),
)


class ContactTopic(db.Model):
    """What a first-line question is about: an admin-editable list per centre."""

    __tablename__ = "contact_topics"
    __table_args__ = (UniqueConstraint("centre_id", "name_en"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    # The seeded topics' code (a new case's help topic is taken from it); None for
    # topics an admin added.
    code: Mapped[str | None] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(80))
    name_nl: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_nl if locale == "nl" else self.name_en


class Contact(db.Model):
    """One first-line question (a call, an email, a visit...). Anonymous unless a name
    is given; the name and the note are personal data (exported, erased, retained)."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_centre_date", "centre_id", "contact_date", "id"),
        Index("ix_contacts_logged_by_date", "logged_by_id", "contact_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    contact_date: Mapped[date]
    channel: Mapped[ContactChannel] = mapped_column(str_enum(ContactChannel, 16))
    nationality: Mapped[str | None] = mapped_column(String(2))
    municipality: Mapped[str | None] = mapped_column(String(80))
    minutes: Mapped[int] = mapped_column(default=0)
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    name: Mapped[str | None] = mapped_column(String(NAME_MAX))
    # An existing case the question was about, or the case it turned into.
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    # When "Turn into a case" made ``case_id``'s case from this contact.
    converted_at: Mapped[datetime | None]
    # When erasure or retention removed the name and the note.
    anonymised_at: Mapped[datetime | None]

    topics: Mapped[list[ContactTopic]] = relationship(
        secondary=contact_topic_links, lazy="raise_on_sql", order_by=ContactTopic.position
    )
    logged_by: Mapped[User] = relationship(lazy="raise_on_sql")
    case: Mapped[Case | None] = relationship(lazy="raise_on_sql")
