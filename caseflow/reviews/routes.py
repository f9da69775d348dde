"""Asking for a review, and a team lead's answer."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.auth.access import requires
from caseflow.auth.permissions import can_edit_case, can_review
from caseflow.cases.access import case_access
from caseflow.cases.models import Case
from caseflow.core.audit import annotate, audited
from caseflow.core.transactions import unit_of_work
from caseflow.extensions import db
from caseflow.reviews import services
from caseflow.reviews.forms import DecisionForm, ReviewRequestForm
from caseflow.reviews.models import ReviewRequest

bp = Blueprint("reviews", __name__)


@bp.post("/cases/<id:case_id>/review")
@audited("review.request", object_type="case", id_arg="case_id")
@case_access(can_edit_case)
def ask(case: Case):
    form = ReviewRequestForm()
    if not form.validate():
        flash(" ".join(form.comment.errors), "danger")
        return redirect(url_for("cases.detail", case_id=case.id))
    with unit_of_work("warning") as work:
        services.request_review(case, current_user, form.comment.data)
    if not work.failed:
        flash(_("Review requested. A team lead will answer."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


def _review_of_my_centre(review_id: int) -> ReviewRequest:
    review = db.session.get(ReviewRequest, review_id)
    if review is None:
        abort(404)
    case = db.session.get(Case, review.case_id)
    if case.centre_id != current_user.centre_id:
        abort(404)
    return review


@bp.post("/reviews/<id:review_id>/<any(approve, send_back):decision>")
@audited("review.decide", object_type="review", id_arg="review_id")
@requires(can_review)
def decide(review_id: int, decision: str):
    review = _review_of_my_centre(review_id)
    annotate(case_id=review.case_id)
    form = DecisionForm()
    if not form.validate():
        flash(" ".join(form.response.errors), "danger")
        return redirect(url_for("team.reviews"))
    with unit_of_work() as work:
        if decision == "approve":
            services.approve(review, current_user, form.response.data)
        else:
            services.send_back(review, current_user, form.response.data)
    if work.failed:
        return redirect(url_for("team.reviews"))
    flash(_("Approved.") if decision == "approve" else _("Sent back to the advisor."), "success")
    if request.form.get("back") == "case":
        return redirect(url_for("cases.detail", case_id=review.case_id))
    return redirect(url_for("team.reviews"))
