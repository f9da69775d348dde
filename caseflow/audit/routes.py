"""The case access log ("who looked at this file") and a user's activity page."""

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.audit import labels, queries
from caseflow.audit.access import can_view_access_log, can_view_user_activity
from caseflow.audit.cli import prune_command
from caseflow.audit.forms import AuditFilterForm
from caseflow.auth.access import requires
from caseflow.auth.forms import ROLE_LABELS
from caseflow.auth.models import User
from caseflow.auth.services import centre_users
from caseflow.cases.access import case_access
from caseflow.cases.models import Case
from caseflow.core.audit import audited
from caseflow.core.forms import parse_id
from caseflow.core.web import page_number
from caseflow.extensions import db

bp = Blueprint("audit", __name__)
bp.cli.add_command(prune_command)  # flask audit prune

PER_PAGE = 50


@bp.record_once
def _register_template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        {
            "can_view_access_log": can_view_access_log,
            "can_view_user_activity": can_view_user_activity,
        }
    )


def _filters(form: AuditFilterForm, people: list[User] | None) -> dict | None:
    """The form's filters, or None when they are not valid. ``people``: the choices of
    the person filter (None: the page is about one person, no such filter)."""
    if people is None:
        del form.user
    else:
        form.user.choices = [("", _("Anyone")), *((str(u.id), u.full_name) for u in people)]
    if request.args and not form.validate():
        return None
    user = getattr(form, "user", None)
    return {
        "user_id": parse_id(user.data or "") if user is not None else None,
        "kind": form.kind.data or None,
        "outcome": form.outcome.data or None,
        "start": form.start.data,
        "end": form.end.data,
    }


def _page(template: str, query, form, status=200, **context):
    pagination = db.paginate(query, page=page_number(), per_page=PER_PAGE, error_out=False)
    events = pagination.items
    return render_template(
        template,
        form=form,
        pagination=pagination,
        people=queries.people_of(events, current_user.centre_id),
        references=queries.case_references(events, current_user.centre_id),
        action_label=labels.action_label,
        outcome_labels=labels.OUTCOMES,
        object_labels=labels.OBJECT_TYPES,
        role_labels={role.value: label for role, label in ROLE_LABELS.items()},
        **context,
    ), status


@bp.get("/cases/<id:case_id>/access-log")
@audited("case.access_log", object_type="case", id_arg="case_id")
@case_access(can_view_access_log)
def case_log(case: Case):
    """Who looked at this file, and what they did: newest first, filterable."""
    form = AuditFilterForm(request.args)
    filters = _filters(form, centre_users(case.centre_id, active_only=False))
    if filters is None:  # the form shows its errors, over an empty list
        query, status = queries.nothing(), 400
    else:
        query, status = queries.case_events(case.id, **filters), 200
    return _page("audit/case_log.html", query, form, status, case=case)


@bp.get("/admin/users/<id:user_id>/activity")
@audited("user.activity", object_type="user", id_arg="user_id")
@requires(can_view_user_activity)
def user_activity(user_id: int):
    """What one user of the admin's centre did, newest first, filterable."""
    user = db.session.get(User, user_id)
    if user is None or user.centre_id != current_user.centre_id:
        abort(404)
    form = AuditFilterForm(request.args)
    filters = _filters(form, None)
    if filters is None:  # the form shows its errors, over an empty list
        query, status = queries.nothing(), 400
    else:
        query, status = queries.user_events(user.id, **filters), 200
    return _page("audit/user_activity.html", query, form, status, user=user)
