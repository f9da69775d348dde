"""User services: accounts, logins and sessions. None of them commit."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from caseflow.auth.models import Role, User, new_session_token
from caseflow.auth.passwords import (
    hash_password,
    needs_rehash,
    password_problems,
    verify_password,
)
from caseflow.centres.models import Centre
from caseflow.core.errors import DomainError
from caseflow.core.time import utcnow
from caseflow.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    centre: Centre,
    email: str,
    full_name: str,
    role: Role,
    password: str,
    *,
    locale: str | None = None,
    is_active: bool = True,
) -> User:
    """Add a user to ``centre``. Flushes.

    Raises DomainError when the email is taken, PasswordRejected when the password
    does not meet the policy.
    """
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise DomainError(_("A user with this email address already exists."))
    check_password(password, [email, full_name])
    user = User(
        centre_id=centre.id,
        email=email,
        full_name=full_name.strip(),
        role=Role(role),
        locale=locale,
        is_active_account=is_active,
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


class PasswordRejected(DomainError):
    """The password does not meet the policy; ``problems`` says why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


def check_password(password: str, user_inputs: list[str]) -> None:
    """Raise PasswordRejected unless ``password`` meets the policy."""
    problems = password_problems(password, user_inputs)
    if problems:
        raise PasswordRejected(problems)


def set_password(user: User, password: str) -> None:
    """Store a new password (checked against the policy) and end the user's sessions."""
    check_password(password, [user.email, user.full_name])
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
