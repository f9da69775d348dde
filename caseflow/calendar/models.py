from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.core.time import utcnow
from caseflow.extensions import db


class CalendarFeed(db.Model):
    """A user's secret feed address (at most one; regenerating replaces it).

    ``token_hash`` (SHA-256) finds the feed; ``token_sealed`` is the token encrypted with
    the SECRET_KEY (caseflow/auth/crypto.py) so the profile page can show the address
    again: it is typed into a phone and a desktop calendar at different times. A copy of
    the database alone reveals no usable address.
    """

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_sealed: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
