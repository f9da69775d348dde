"""User services: accounts, logins and sessions. None of them commit."""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from caseflow.auth import notifications, sessions
from caseflow.auth.models import Role, User
from caseflow.auth.passwords import (
    hash_password,
    needs_rehash,
    password_inputs,
    password_problems,
    verify_password,
)
from caseflow.centres.models import Centre
from caseflow.core import audit
from caseflow.core.errors import DomainError
from caseflow.core.time import utcnow
from caseflow.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


class EmailUnavailable(DomainError):
    """The address cannot be used for a new account (see create_user)."""


def create_user(
    centre: Centre,
    email: str,
    full_name: str,
    role: Role,
    password: str,
    *,
    locale: str | None = None,
    is_active: bool = True,
    temporary_password: bool = False,
    actor: User | None = None,
) -> User:
    """Add a user to ``centre``. Flushes; records "user.created".

    ``temporary_password``: the password was chosen by someone else (an admin, the CLI);
    the user must choose their own at their first login.

    Raises EmailUnavailable when the email is taken (in any centre: emails are logins,
    unique across the installation), PasswordRejected when the password does not meet
    the policy. The message of EmailUnavailable never says where the address is used.
    """
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise EmailUnavailable(
            _(
                "This email address cannot be used for a new account. "
                "Check it, or ask the person for another address."
            )
        )
    check_password(password, password_inputs(email, full_name, centre.name))
    user = User(
        centre_id=centre.id,
        email=email,
        full_name=full_name.strip(),
        role=Role(role),
        locale=locale,
        is_active_account=is_active,
        password_hash=hash_password(password),
        must_change_password=temporary_password,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", object_type="user", object_id=user.id, actor=actor)
    return user


def check_credentials(email: str, password: str) -> tuple[User | None, bool]:
    """(the user with this email or None, whether the password is theirs and they are active).

    One argon2 verification whether or not the email exists (finding 1).
    """
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    return user, bool(ok and user is not None and user.is_active_account)


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, else None (same cost either way).

    Upgrades the stored hash when the argon2 parameters changed. Does not log in.
    """
    user, ok = check_credentials(email, password)
    if not ok:
        return None
    record_login(user, password)
    return user


def upgrade_hash(user: User, password: str) -> None:
    """Re-hash a correct ``password`` when the argon2 parameters changed."""
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)


def record_login(user: User, password: str | None = None) -> None:
    """A completed login: upgrade an outdated hash, note the time."""
    if password is not None:
        upgrade_hash(user, password)
    user.last_login_at = utcnow()


def note_failed_login(email: str) -> None:
    """Count a wrong password (or code) for ``email``; at FAILED_LOGINS_ALERT, once per
    period, the account's owner gets an email. The count lives in the rate-limit storage
    (shared by workers), keyed by the address typed, so an unknown email costs the same."""
    from limits import parse

    from caseflow.extensions import limiter

    alert = parse(current_app.config["FAILED_LOGINS_ALERT"])
    key = f"failed-login-alert/{normalise_email(email)[:254]}"
    count = limiter.storage.incr(key, alert.get_expiry())
    if count != alert.amount:
        return
    user = find_user_by_email(email)
    if user is not None and user.is_active_account:
        notifications.notify(user, notifications.FAILED_LOGINS)


def end_sessions(user: User) -> int:
    """End every session of ``user``: every login cookie stops working. Flushes."""
    return sessions.end_all(user)


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


def check_user_password(user: User, password: str) -> None:
    """Raise PasswordRejected unless ``password`` meets the policy for ``user``."""
    check_password(password, password_inputs(user.email, user.full_name, user.centre.name))


def set_password(user: User, password: str, *, temporary: bool = False) -> None:
    """Store a new password (checked against the policy) and end the user's sessions.

    ``temporary``: chosen by someone else; the user must choose their own at next login.
    Records nothing: callers use change_own_password or reset_password.
    """
    check_user_password(user, password)
    user.password_hash = hash_password(password)
    user.must_change_password = temporary
    end_sessions(user)


def change_own_password(user: User, password: str) -> None:
    """The user chose a new password (profile, or replacing a temporary one). Flushes.

    Records "auth.password_changed" and emails the user. A temporary password cannot be
    kept: the new one must differ from it.
    """
    if user.must_change_password and verify_password(user.password_hash, password):
        raise PasswordRejected([_("Choose a password other than the one you were given.")])
    set_password(user, password)
    db.session.flush()
    audit.record("auth.password_changed", object_type="user", object_id=user.id, actor=user)
    notifications.notify(user, notifications.PASSWORD_CHANGED)


def reset_password(actor: User, user: User, password: str) -> None:
    """An admin sets ``user``'s password: a temporary one, their sessions end. Flushes.

    Records "auth.password_reset" (the object is the user) and emails the user.
    """
    set_password(user, password, temporary=True)
    db.session.flush()
    audit.record("auth.password_reset", object_type="user", object_id=user.id, actor=actor)
    notifications.notify(user, notifications.PASSWORD_RESET_BY_ADMIN)


def update_user(actor: User, user: User, *, full_name: str, role: Role, is_active: bool) -> None:
    """Change name, role or active flag. An admin cannot demote or deactivate themself.

    Flushes, and records one audit event per kind of change, only for what changed:
    "user.role_changed" (old and new role), "user.activated" / "user.deactivated", and
    "user.updated" (the names of the other fields changed) only when other fields
    changed. A role change and a deactivation saved together are two events.
    """
    if user.id == actor.id and (role != Role.ADMIN or not is_active):
        raise DomainError(
            _("You cannot remove your own administrator rights or deactivate yourself.")
        )
    full_name, role = full_name.strip(), Role(role)
    old_role, was_active = user.role, user.is_active_account
    changed = [name for name, old, new in [("full_name", user.full_name, full_name)] if old != new]
    user.full_name = full_name
    user.role = role
    if was_active and not is_active:
        end_sessions(user)
    user.is_active_account = is_active
    db.session.flush()

    def record(action: str, details: dict | None = None) -> None:
        audit.record(action, object_type="user", object_id=user.id, actor=actor, details=details)

    if role != old_role:
        record("user.role_changed", {"old_role": old_role.value, "new_role": role.value})
    if was_active != is_active:
        record("user.activated" if is_active else "user.deactivated")
    if changed:
        record("user.updated", {"fields": changed})


def centre_users(centre_id: int, *, active_only: bool = True) -> list[User]:
    query = select(User).where(User.centre_id == centre_id)
    if active_only:
        query = query.where(User.is_active_account.is_(True))
    return list(db.session.scalars(query.order_by(func.lower(User.full_name))))
