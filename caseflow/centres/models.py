from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.core.time import utcnow
from caseflow.extensions import db


class Centre(db.Model):
    """A welcome centre (e.g. Expat Centre Limburg). Data never crosses centres."""

    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # Prefix of case references, e.g. LIM in LIM-2026-0042.
    code: Mapped[str] = mapped_column(String(8), unique=True)
    # When on, an advisor's "close" becomes "closing requested" until a team lead approves.
    closing_needs_approval: Mapped[bool] = mapped_column(default=False, server_default=false())
    # When on, team leads and admins must use a second factor (they enrol at next login).
    leads_need_second_factor: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Retention: closed cases are anonymised this many months after closing (unless on
    # legal hold); see caseflow/privacy/retention.py.
    retention_months: Mapped[int] = mapped_column(default=24, server_default="24")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Centre {self.code}>"


class PrivacyNoticeVersion(db.Model):
    """One published version of a centre's privacy notice, in the client languages.

    Publishing an edit adds a new version; earlier versions are never changed, because
    cases record the version their client agreed to (``Case.privacy_notice_version``).
    """

    __tablename__ = "privacy_notice_versions"
    __table_args__ = (UniqueConstraint("centre_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    number: Mapped[int]
    text_en: Mapped[str] = mapped_column(Text)
    text_nl: Mapped[str] = mapped_column(Text)
    text_fr: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    # None: version 1 made by the migration or when the centre was created.
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    published_by = relationship("User", lazy="raise_on_sql")

    def text(self, locale: str) -> str:
        return {"nl": self.text_nl, "fr": self.text_fr}.get(locale, self.text_en)

    def __repr__(self) -> str:
        return f"<PrivacyNoticeVersion centre={self.centre_id} v{self.number}>"
