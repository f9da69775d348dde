"""Who may read the audit trail (the rules of auth/permissions.py, applied to it)."""

from caseflow.auth.models import User
from caseflow.auth.permissions import can_assign_case, can_manage_users
from caseflow.cases.models import Case


def can_view_access_log(user: User, case: Case) -> bool:
    """A case's access log: the team leads and admins of its centre."""
    return can_assign_case(user, case)


def can_view_user_activity(user: User) -> bool:
    """A user's activity: the admins of their centre (the route checks the centre)."""
    return can_manage_users(user)
