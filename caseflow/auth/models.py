import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.centres.models import Centre
from caseflow.core.time import utcnow
from caseflow.extensions import db


class Role(enum.StrEnum):
    ADVISOR = "advisor"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A staff member of one centre. Clients never log in."""

    __tablename__ = "users"
    # Emails are unique case-insensitively: services store them lower-cased, the
    # check constraint makes sure nothing else does otherwise.
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # None: follow the browser's language.
    locale: Mapped[str | None] = mapped_column(String(8))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Set when an admin or the CLI chose the password: the user must choose their own
    # before reaching any page (auth/routes.py, _require_own_password).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Part of the login cookie; changing it ends every session of this user.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    centre: Mapped[Centre] = relationship(lazy="joined", innerjoin=True)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.is_active_account

    @property
    def is_lead(self) -> bool:
        """Team leads and admins see and manage the whole centre."""
        return self.role in (Role.TEAM_LEAD, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
