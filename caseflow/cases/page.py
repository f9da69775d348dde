"""The case page as a read model: everything ``cases/detail.html`` shows, in a fixed
number of queries.

The routes of every area that re-render the case page (cases, notes, follow-ups) call
``render_case_page``; forms that hold a failed post's errors replace the empty ones.
"""

from collections.abc import Callable

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow.attachments.forms import UploadForm
from caseflow.attachments.services import case_attachments
from caseflow.auth.permissions import (
    can_assign_case,
    can_edit_case,
    can_hold_case,
    can_take_case,
)
from caseflow.auth.services import centre_users
from caseflow.cases.forms import AssignForm, LegalHoldForm, LiftLegalHoldForm, StatusForm
from caseflow.cases.models import Activity, Case
from caseflow.checklists.views import group_checklist, load_items, progress_of_groups
from caseflow.core.i18n import current_locale
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.followups.forms import FollowUpForm
from caseflow.followups.models import FollowUp
from caseflow.mail.models import OutboxMessage
from caseflow.notes.forms import NoteForm
from caseflow.notes.queries import case_notes
from caseflow.reviews.forms import DecisionForm, ReviewRequestForm
from caseflow.reviews.models import ReviewRequest

TIMELINE_LIMIT = 100

# Feature packages that add a panel to the case page register a loader here (at app
# set-up): ``loader(case) -> dict`` merged into the page's context, in a fixed number
# of queries. The case page then shows that area without cases importing it (e.g. the
# client page panel, caseflow/portal/staff_routes.py).
PAGE_EXTENSIONS: list[Callable[[Case], dict]] = []


def register_page_extension(loader: Callable[[Case], dict]) -> None:
    if loader not in PAGE_EXTENSIONS:
        PAGE_EXTENSIONS.append(loader)


def advisor_choices(include_queue_label: str | None = None) -> list[tuple[str, str]]:
    """The centre's active staff as select choices, optionally after an intake queue."""
    staff = centre_users(current_user.centre_id)
    queue = [("", include_queue_label)] if include_queue_label else []
    return queue + [(str(u.id), u.full_name) for u in staff]


# Everything of the case itself the page shows, in one query (persons joined too: a
# household is a handful of rows).
CASE_PAGE_OPTIONS = (
    joinedload(Case.advisor),
    joinedload(Case.case_type),
    joinedload(Case.consent_recorded_by),
    joinedload(Case.privacy_notice_version),
    joinedload(Case.legal_hold_by),
    joinedload(Case.persons),
)


def load_case_for_page(case_id: int) -> Case | None:
    """The case with what its page shows, read afresh (one query)."""
    return (
        db.session.scalars(
            select(Case)
            .where(Case.id == case_id)
            .options(*CASE_PAGE_OPTIONS)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one_or_none()
    )


def case_page_context(case: Case, *, loaded: bool = False, **forms) -> dict:
    """What the case page shows, loaded afresh, with ``forms`` in place of empty ones.

    ``loaded``: ``case`` was just read by ``load_case_for_page`` in this request (the
    page's own GET), so it is not read again.

    ``forms`` may hold ``status_form``, ``assign_form``, ``followup_form``,
    ``note_form``, ``hold_form``, ``upload_form`` and ``blocking_items`` (the steps that
    stopped a close).
    """
    if not loaded:
        case = load_case_for_page(case.id)
    followups = db.session.scalars(
        select(FollowUp)
        .where(FollowUp.case_id == case.id)
        .options(joinedload(FollowUp.assignee), joinedload(FollowUp.completed_by))
        .order_by(FollowUp.status, FollowUp.due_date, FollowUp.id)
    ).all()
    notes = case_notes(case.id)
    attachments = case_attachments(case.id)
    activities = db.session.scalars(
        select(Activity)
        .where(Activity.case_id == case.id)
        .options(joinedload(Activity.actor))
        .order_by(Activity.id.desc())
        .limit(TIMELINE_LIMIT + 1)
    ).all()
    checklist = group_checklist(case.persons, load_items(case), today())
    case_reviews = db.session.scalars(
        select(ReviewRequest)
        .where(ReviewRequest.case_id == case.id)
        .options(joinedload(ReviewRequest.requested_by), joinedload(ReviewRequest.reviewer))
        .order_by(ReviewRequest.id.desc())
        .limit(5)
    ).all()
    emails = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.case_id == case.id)
        .order_by(OutboxMessage.id.desc())
        .limit(20)
    ).all()
    staff_choices = advisor_choices()
    status_form = forms.get("status_form") or StatusForm(formdata=None, status=case.status.value)
    status_form.version.data = case.version
    assign_form = forms.get("assign_form") or AssignForm(
        formdata=None, advisor_id=str(case.advisor_id or "")
    )
    assign_form.version.data = case.version
    assign_form.advisor_id.choices = [("", _("Intake queue (unassigned)")), *staff_choices]
    followup_form = forms.get("followup_form") or FollowUpForm(
        formdata=None, assignee_id=str(case.advisor_id or current_user.id)
    )
    followup_form.assignee_id.choices = staff_choices
    hold_form = forms.get("hold_form") or LegalHoldForm(formdata=None)
    hold_form.version.data = case.version
    lift_hold_form = LiftLegalHoldForm(formdata=None, version=case.version)
    extensions: dict = {}
    for loader in PAGE_EXTENSIONS:
        extensions.update(loader(case))
    return extensions | {
        "case": case,
        "followups": followups,
        "notes": notes,
        "attachments": attachments,
        # The step a file belongs to, by its title (the steps are loaded already).
        "step_titles": {
            item.id: item.template_item.title(current_locale())
            for group in checklist
            for item in group.items
        },
        "upload_form": forms.get("upload_form") or UploadForm(formdata=None),
        "activities": activities[:TIMELINE_LIMIT],
        "timeline_truncated": len(activities) > TIMELINE_LIMIT,
        "status_form": status_form,
        "assign_form": assign_form,
        "followup_form": followup_form,
        "note_form": forms.get("note_form") or NoteForm(formdata=None),
        "checklist": checklist,
        "emails": emails,
        "case_reviews": case_reviews,
        "review_form": ReviewRequestForm(formdata=None),
        "decision_form": DecisionForm(formdata=None),
        "case_progress": progress_of_groups(checklist),
        "blocking_items": forms.get("blocking_items", []),
        "can_edit": can_edit_case(current_user, case),
        "can_assign": can_assign_case(current_user, case),
        "can_take": can_take_case(current_user, case),
        "can_hold": can_hold_case(current_user, case),
        "hold_form": hold_form,
        "lift_hold_form": lift_hold_form,
    }


def render_case_page(case: Case, status: int = 200, *, loaded: bool = False, **forms):
    """The case page as a response, with ``status`` (400/409 when re-shown after a post)."""
    context = case_page_context(case, loaded=loaded, **forms)
    return render_template("cases/detail.html", **context), status
