from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.core.time import utcnow
from caseflow.extensions import db


class Attachment(db.Model):
    """A file attached to a case, or to one of its checklist steps.

    The bytes live in ``UPLOAD_FOLDER`` under ``stored_name`` (random, sharded:
    ``ab/ab12...``), never in the database; ``original_name`` is the sanitised name the
    uploader's file had (personal data: exported, erased). ``sha256`` and ``size`` are of
    the stored bytes (images are re-encoded, so they differ from what was sent).
    """

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    # A step that goes away (the household changed) leaves its files on the case.
    checklist_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("checklist_items.id", ondelete="SET NULL"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    uploaded_by_client: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped[User | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (Index("ix_attachments_case_created", "case_id", "created_at"),)
