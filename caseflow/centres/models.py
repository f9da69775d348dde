from datetime import datetime

from sqlalchemy import String, false
from sqlalchemy.orm import Mapped, mapped_column

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
