"""Portal links, client claims ("I have done this") and client messages."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.cases.models import Case
from caseflow.checklists.models import ChecklistItem
from caseflow.core.enums import str_enum
from caseflow.core.time import utcnow
from caseflow.extensions import db


class PortalLink(db.Model):
    """A client's secret address to their page. Only the SHA-256 of the token is stored:
    a copy of the database opens no page. At most one live link per case (a new one
    revokes the old one); a link stops working when it expires, is revoked, or the case
    closes."""

    __tablename__ = "portal_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_opened_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(lazy="raise_on_sql")
    created_by: Mapped[User | None] = relationship(lazy="raise_on_sql")

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


class ClaimStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    SENT_BACK = "sent_back"


class ClientClaim(db.Model):
    """The client says a step is done. It does not tick the step: the advisor confirms
    (ticks it) or sends it back, with an optional short reason the client reads."""

    __tablename__ = "portal_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_items.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ClaimStatus] = mapped_column(
        str_enum(ClaimStatus, length=16), default=ClaimStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Shown to the client when sent back (written by the advisor).
    reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(lazy="raise_on_sql")
    item: Mapped[ChecklistItem] = relationship(lazy="raise_on_sql")
    decided_by: Mapped[User | None] = relationship(lazy="raise_on_sql")


class ClientMessage(db.Model):
    """A question the client asked on their page. Erasure empties ``body``."""

    __tablename__ = "portal_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(lazy="raise_on_sql")
