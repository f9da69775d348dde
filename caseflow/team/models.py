"""The team overview's figures as the worker last counted them (issue 12): ids and
counts only, no personal data. Rows go with their centre or user (ON DELETE CASCADE)
and are recomputed every few minutes (caseflow.team.figures)."""

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import db


class TeamFigure(db.Model):
    """One staff member's row of the team overview, counted at ``computed_at``."""

    __tablename__ = "team_figures"
    __table_args__ = (UniqueConstraint("centre_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    open_cases: Mapped[int] = mapped_column(default=0)
    waiting_too_long: Mapped[int] = mapped_column(default=0)
    overdue_steps: Mapped[int] = mapped_column(default=0)
    overdue_followups: Mapped[int] = mapped_column(default=0)
    open_followups: Mapped[int] = mapped_column(default=0)
    pending_reviews: Mapped[int] = mapped_column(default=0)
    open_referrals: Mapped[int] = mapped_column(default=0)
    oldest_open_since: Mapped[datetime | None]
    computed_at: Mapped[datetime]
