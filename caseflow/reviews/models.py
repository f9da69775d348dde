import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.cases.models import Case, ClosingReason
from caseflow.core.enums import str_enum
from caseflow.core.time import utcnow
from caseflow.extensions import db


class ReviewKind(enum.StrEnum):
    REVIEW = "review"  # "please look at this case"
    CLOSING = "closing"  # "please approve closing it" (centre setting)


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SENT_BACK = "sent_back"


class ReviewRequest(db.Model):
    """An advisor's request to a team lead, and the answer."""

    __tablename__ = "review_requests"
    __table_args__ = (Index("ix_review_requests_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReviewKind] = mapped_column(str_enum(ReviewKind, 16))
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus, 16), default=ReviewStatus.PENDING
    )
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    # For a closing request: how the advisor wants the case closed.
    closing_reason: Mapped[ClosingReason | None] = mapped_column(str_enum(ClosingReason))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(lazy="raise_on_sql")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="raise_on_sql")
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id], lazy="raise_on_sql")
