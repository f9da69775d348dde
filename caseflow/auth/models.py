import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, String, false
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
    # Second factor (TOTP): the secret, encrypted (auth.crypto); None when not enrolled.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    # The last time step whose code was accepted: no code is accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    second_factor_enabled_at: Mapped[datetime | None]

    centre: Mapped[Centre] = relationship(lazy="joined", innerjoin=True)

    # The raw key of the login session this object was loaded for (not a column): part
    # of the login cookie, set at login and by the user loader.
    login_session_key = None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}:{self.login_session_key or ''}"

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None and self.second_factor_enabled_at is not None

    @property
    def must_enrol_second_factor(self) -> bool:
        """The centre requires a second factor of team leads and admins, and this one has none."""
        return self.is_lead and self.centre.leads_need_second_factor and not self.has_second_factor

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


class RecoveryCode(db.Model):
    """A one-time code that replaces the app's code once (stored hashed)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class UserSession(db.Model):
    """One login: the cookie holds a random key, this row its hash.

    Ending the row (logout, password change, "log out everywhere") makes the cookie
    worthless, even a copy of it.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Updated at most once a minute.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # A short summary of the User-Agent ("Firefox", "Linux"), never the whole string.
    browser: Mapped[str] = mapped_column(String(40), default="")
    platform: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
