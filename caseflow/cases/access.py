"""Loading a case for a request: 404 unless the user may see it, 403 unless allowed."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from caseflow.auth.permissions import can_view_case
from caseflow.cases.models import Case
from caseflow.extensions import db


def load_visible_case(case_id: int) -> Case:
    """The case, if the current user may see it; otherwise 404 (never reveal it exists)."""
    case = db.session.get(Case, case_id)
    if case is None or not can_view_case(current_user, case):
        abort(404)
    return case


def case_access(check: Callable = can_view_case):
    """Route decorator: load ``case_id`` as ``case`` and apply ``check`` (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(case_id: int, **kwargs):
            case = load_visible_case(case_id)
            if not check(current_user, case):
                abort(403)
            return view(case, **kwargs)

        return wrapped

    return decorator
