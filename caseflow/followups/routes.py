"""Planning and closing follow-ups, and the follow-up lists."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow.auth.permissions import (
    can_cancel_followup,
    can_complete_followup,
    can_edit_case,
    can_view_case,
    visible_cases_clause,
)
from caseflow.auth.services import centre_users
from caseflow.cases.access import case_access, case_record
from caseflow.cases.models import Case
from caseflow.cases.page import render_case_page
from caseflow.core.audit import audited
from caseflow.core.time import today
from caseflow.core.transactions import unit_of_work
from caseflow.core.web import page_number
from caseflow.extensions import db
from caseflow.followups import services
from caseflow.followups.forms import CloseFollowUpForm, FollowUpForm
from caseflow.followups.models import FollowUp, FollowUpStatus

bp = Blueprint("followups", __name__)

PER_PAGE = 50
VIEWS = ("due", "overdue", "today", "upcoming", "all")


@bp.post("/cases/<id:case_id>/followups")
@audited("followup.create", object_type="case", id_arg="case_id")
@case_access(can_edit_case)
def add(case: Case):
    form = FollowUpForm()
    form.assignee_id.choices = [(str(u.id), u.full_name) for u in centre_users(case.centre_id)]
    if not form.validate():
        return render_case_page(case, 400, followup_form=form)
    with unit_of_work() as work:
        services.add_followup(
            case,
            current_user,
            title=form.title.data,
            details=form.details.data,
            due_date=form.due_date.data,
            assignee_id=int(form.assignee_id.data),
        )
    if work.failed:
        return render_case_page(case, 400, followup_form=form)
    flash(_("Follow-up planned."), "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="followups"))


def _close(case: Case, followup: FollowUp, status: FollowUpStatus, message: str):
    form = CloseFollowUpForm()
    if not form.validate():
        abort(400)
    with unit_of_work() as work:
        services.close_followup(followup, current_user, status, form.version.data)
    if work.failed:
        return render_case_page(case, work.status)
    flash(message, "success")
    return redirect(safe_back(case))


def safe_back(case: Case) -> str:
    """Back to the follow-up list when the action came from there (or when closing the
    follow-up ended this user's access to the case), else to the case."""
    view = request.form.get("view")
    if request.form.get("back") == "followups" or not can_view_case(current_user, case):
        return url_for("followups.index", view=view if view in VIEWS else "due")
    return url_for("cases.detail", case_id=case.id, _anchor="followups")


@bp.post("/cases/<id:case_id>/followups/<id:followup_id>/done")
@audited("followup.complete", object_type="followup", id_arg="followup_id")
@case_access()
@case_record(FollowUp, "followup_id", can_complete_followup)
def complete(case: Case, followup: FollowUp):
    return _close(case, followup, FollowUpStatus.DONE, _("Follow-up completed."))


@bp.post("/cases/<id:case_id>/followups/<id:followup_id>/cancel")
@audited("followup.cancel", object_type="followup", id_arg="followup_id")
@case_access()
@case_record(FollowUp, "followup_id", can_cancel_followup)
def cancel(case: Case, followup: FollowUp):
    return _close(case, followup, FollowUpStatus.CANCELLED, _("Follow-up cancelled."))


@bp.get("/followups")
def index():
    """My open follow-ups: due (today or overdue), overdue, today, upcoming or all."""
    view = request.args.get("view", "due")
    if view not in VIEWS:
        view = "due"
    day = today()
    query = (
        select(FollowUp)
        .join(FollowUp.case)
        .where(
            FollowUp.assignee_id == current_user.id,
            FollowUp.status == FollowUpStatus.OPEN,
            visible_cases_clause(current_user),
        )
        .options(joinedload(FollowUp.case))
        .order_by(FollowUp.due_date, FollowUp.id)
    )
    if view == "due":
        query = query.where(FollowUp.due_date <= day)
    elif view == "overdue":
        query = query.where(FollowUp.due_date < day)
    elif view == "today":
        query = query.where(FollowUp.due_date == day)
    elif view == "upcoming":
        query = query.where(FollowUp.due_date > day)
    pagination = db.paginate(
        query,
        page=page_number(),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("followups/index.html", pagination=pagination, view=view)
