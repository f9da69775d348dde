"""Loading a case for a request: 404 unless the user may see it, 403 unless allowed."""

from collections.abc import Callable, Sequence
from functools import wraps

from flask import abort, request
from flask_login import current_user

from caseflow.auth.permissions import can_view_case
from caseflow.cases.models import Case
from caseflow.extensions import db


def load_visible_case(case_id: int, load: Callable[[int], Case | None] | None = None) -> Case:
    """The case, if the current user may see it; otherwise 404 (never reveal it exists).
    ``load`` reads it instead of a plain get (e.g. with everything a page shows)."""
    case = load(case_id) if load is not None else db.session.get(Case, case_id)
    if case is None or not can_view_case(current_user, case):
        abort(404)
    return case


def case_access(
    check: Callable = can_view_case,
    *,
    post: Callable | None = None,
    load: Callable[[int], Case | None] | None = None,
):
    """Route decorator: load ``case_id`` as ``case`` and apply ``check`` (else 403).

    ``post``: a further check for POST requests, for a page that whoever may see the
    case reads but only some may change (e.g. a checklist step). ``load``: how to read
    the case (see ``load_visible_case``).
    """

    def decorator(view):
        @wraps(view)
        def wrapped(case_id: int, **kwargs):
            case = load_visible_case(case_id, load)
            if not check(current_user, case):
                abort(403)
            if post is not None and request.method == "POST" and not post(current_user, case):
                abort(403)
            return view(case, **kwargs)

        return wrapped

    return decorator


def case_record(model: type, id_arg: str, check: Callable | None = None, options: Sequence = ()):
    """Route decorator under ``case_access``: load the URL's ``id_arg`` as a ``model`` row
    of that case (else 404) and apply ``check(current_user, row)`` (else 403).

    The view receives ``(case, row, **other_url_args)``.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(case: Case, **kwargs):
            record = db.session.get(model, kwargs.pop(id_arg), options=list(options))
            if record is None or record.case_id != case.id:
                abort(404)
            if check is not None and not check(current_user, record):
                abort(403)
            return view(case, record, **kwargs)

        return wrapped

    return decorator
