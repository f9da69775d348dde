import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.cases.models import Case
from caseflow.core.enums import str_enum
from caseflow.core.time import utcnow
from caseflow.extensions import db


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class FollowUp(db.Model):
    """A planned action on a case, due on a date, for one user of the centre."""

    __tablename__ = "followups"
    __table_args__ = (
        Index("ix_followups_assignee_status_due", "assignee_id", "status", "due_date"),
        # A case's follow-ups with what the team overview counts (from the index alone).
        Index("ix_followups_case_status_due", "case_id", "status", "due_date", "assignee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    details: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date]
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[FollowUpStatus] = mapped_column(
        str_enum(FollowUpStatus), default=FollowUpStatus.OPEN
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(lazy="raise_on_sql")
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id], lazy="raise_on_sql")
    completed_by: Mapped[User | None] = relationship(
        foreign_keys=[completed_by_id], lazy="raise_on_sql"
    )

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN
