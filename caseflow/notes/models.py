from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.cases.models import Case
from caseflow.core.time import utcnow
from caseflow.extensions import db


class Note(db.Model):
    """A plain-text note on a case. Edits keep the earlier text as a revision."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(lazy="raise_on_sql")
    author: Mapped[User] = relationship(lazy="raise_on_sql")
    revisions: Mapped[list["NoteRevision"]] = relationship(
        back_populates="note",
        cascade="all, delete-orphan",
        order_by="NoteRevision.id.desc()",
        lazy="raise_on_sql",
    )


class NoteRevision(db.Model):
    """The text a note had before an edit."""

    __tablename__ = "note_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    edited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)

    note: Mapped[Note] = relationship(back_populates="revisions", lazy="raise_on_sql")
    edited_by: Mapped[User] = relationship(lazy="raise_on_sql")
