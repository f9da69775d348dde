"""Home ("My work"), the health check and the language switch."""

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import and_, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from caseflow.auth import permissions
from caseflow.auth.forms import ROLE_LABELS
from caseflow.auth.models import Role
from caseflow.auth.permissions import visible_cases_clause
from caseflow.cases import labels
from caseflow.cases.models import Case, CaseStatus
from caseflow.checklists import labels as checklist_labels
from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.services import overdue_clause, progress_by_case
from caseflow.core.time import today, utcnow
from caseflow.core.urls import safe_next
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus
from caseflow.partners import services as partner_services
from caseflow.portal import services as portal_services
from caseflow.reviews.models import ReviewRequest, ReviewStatus

bp = Blueprint("main", __name__)

MY_WORK_LIMIT = 50


@bp.record_once
def _register_template_globals(state) -> None:
    """Labels and access rules every template may use. They come from several areas,
    so the app level (this blueprint) registers them, not ``core.web``."""
    state.app.jinja_env.globals.update(
        {
            "labels": labels,
            "mail_status": labels.MAIL_STATUS,
            "checklist_labels": checklist_labels,
            "describe_deadline": checklist_labels.describe_deadline,
            "can_manage_checklists": permissions.can_manage_checklists,
            "can_export_cases": permissions.can_export_cases,
            "can_review": permissions.can_review,
            "today": today,
            "role_labels": ROLE_LABELS,
            "can_manage_users": permissions.can_manage_users,
            "can_manage_case_types": permissions.can_manage_case_types,
            "can_complete_followup": permissions.can_complete_followup,
            "can_cancel_followup": permissions.can_cancel_followup,
            "can_edit_note": permissions.can_edit_note,
        }
    )


@bp.get("/")
def home():
    """My work: my open cases, my follow-ups due today or overdue, the intake queue size.

    Every query here goes through ``visible_cases_clause``: what a user asked for or
    held before (a review request, a follow-up) never shows a case they can no longer
    see, e.g. after it was reassigned.

    A team lead's day starts on the team overview (their own My work is mostly empty):
    "/" sends them there; the menu's "My work" (``?view=mine``) still shows this page.
    """
    if current_user.role == Role.TEAM_LEAD and request.args.get("view") != "mine":
        return redirect(url_for("team.overview"))
    my_cases_query = (
        select(Case)
        .where(
            visible_cases_clause(current_user),
            Case.advisor_id == current_user.id,
            Case.status != CaseStatus.CLOSED,
        )
        .options(joinedload(Case.case_type), selectinload(Case.persons))
        .order_by(Case.updated_at.desc(), Case.id.desc())
    )
    my_cases = db.paginate(my_cases_query, page=1, per_page=MY_WORK_LIMIT, error_out=False)
    due_followups = db.paginate(
        select(FollowUp)
        .join(Case, Case.id == FollowUp.case_id)
        .where(
            visible_cases_clause(current_user),
            FollowUp.assignee_id == current_user.id,
            FollowUp.status == FollowUpStatus.OPEN,
            FollowUp.due_date <= today(),
        )
        .options(contains_eager(FollowUp.case))
        .order_by(FollowUp.due_date, FollowUp.id),
        page=1,
        per_page=MY_WORK_LIMIT,
        error_out=False,
    )
    queue_size = db.session.scalar(
        select(func.count(Case.id)).where(
            visible_cases_clause(current_user), permissions.in_intake_queue_clause()
        )
    )
    overdue_steps = db.session.scalar(
        select(func.count(ChecklistItem.id))
        .join(Case, Case.id == ChecklistItem.case_id)
        .where(
            visible_cases_clause(current_user),
            Case.advisor_id == current_user.id,
            Case.status != CaseStatus.CLOSED,
            overdue_clause(today()),
        )
    )
    my_reviews = db.session.scalars(
        select(ReviewRequest)
        .join(Case, Case.id == ReviewRequest.case_id)
        .where(
            visible_cases_clause(current_user),
            ReviewRequest.requested_by_id == current_user.id,
            (ReviewRequest.status == ReviewStatus.PENDING)
            | (ReviewRequest.decided_at >= utcnow() - timedelta(days=14)),
        )
        .options(contains_eager(ReviewRequest.case), joinedload(ReviewRequest.reviewer))
        .order_by(ReviewRequest.id.desc())
        .limit(20)
    ).all()
    return render_template(
        "main/home.html",
        client_updates=_client_updates(),
        referrals_due=partner_services.open_referrals_due(
            and_(
                visible_cases_clause(current_user),
                Case.advisor_id == current_user.id,
                Case.status != CaseStatus.CLOSED,
            ),
            today(),
            MY_WORK_LIMIT,
        ),
        my_reviews=my_reviews,
        my_cases=my_cases,
        due_followups=due_followups,
        queue_size=queue_size,
        overdue_steps=overdue_steps,
        progress=progress_by_case([case.id for case in my_cases.items]),
    )


CLIENT_MESSAGE_DAYS = 14


def _client_updates() -> list:
    """ "Client updates" on My work: what clients reported on their page for my open
    cases (claims waiting for me, questions of the last two weeks). One query."""
    mine = and_(
        visible_cases_clause(current_user),
        Case.advisor_id == current_user.id,
        Case.status != CaseStatus.CLOSED,
    )
    return portal_services.client_updates(mine, CLIENT_MESSAGE_DAYS, MY_WORK_LIMIT)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.post("/language")
def set_language():
    """Switch the interface language (stored on the profile when logged in)."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))
