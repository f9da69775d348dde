"""User services: accounts, logins and sessions. None of them commit."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from caseflow.auth.models import Role, User, new_session_token
from caseflow.auth.passwords import hash_password, needs_rehash, verify_password
from caseflow.centres.models import Centre
from caseflow.core.errors import DomainError
from caseflow.core.time import utcnow
from caseflow.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    centre: Centre, email: str, full_name: str, role: Role, password: str, locale: str | None = None
) -> User:
    """Add a user to ``centre``. Raises DomainError when the email is taken. Flushes."""
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise DomainError(_("A user with this email address already exists."))
    user = User(
        centre_id=centre.id,
        email=email,
        full_name=full_name.strip(),
        role=Role(role),
        locale=locale,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, else None (same cost either way).

    Upgrades the stored hash when the argon2 parameters changed. Does not log in.
    """
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active_account:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def end_sessions(user: User) -> None:
    """Invalidate every login cookie of ``user`` (logout everywhere)."""
    user.session_token = new_session_token()


def set_password(user: User, password: str) -> None:
    """Store a new password and end the user's other sessions."""
    user.password_hash = hash_password(password)
    end_sessions(user)


def update_user(actor: User, user: User, *, full_name: str, role: Role, is_active: bool) -> None:
    """Change name, role or active flag. An admin cannot demote or deactivate themself."""
    if user.id == actor.id and (role != Role.ADMIN or not is_active):
        raise DomainError(
            _("You cannot remove your own administrator rights or deactivate yourself.")
        )
    user.full_name = full_name.strip()
    user.role = Role(role)
    if user.is_active_account and not is_active:
        end_sessions(user)
    user.is_active_account = is_active


def centre_users(centre_id: int, *, active_only: bool = True) -> list[User]:
    query = select(User).where(User.centre_id == centre_id)
    if active_only:
        query = query.where(User.is_active_account.is_(True))
    return list(db.session.scalars(query.order_by(func.lower(User.full_name))))
