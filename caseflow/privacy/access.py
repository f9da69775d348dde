"""Who may export a data subject's data (the rules of auth/permissions.py, applied)."""

from caseflow.auth.models import User
from caseflow.auth.permissions import can_assign_case
from caseflow.cases.models import Case


def can_export_subject_data(user: User, case: Case) -> bool:
    """Everything held about a household or a person: the team leads and admins of the
    case's centre."""
    return can_assign_case(user, case)
