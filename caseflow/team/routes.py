"""Team lead pages: overview per advisor, intake queue, bulk reassign, review queue."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from caseflow.auth.access import requires
from caseflow.auth.permissions import can_assign_case, can_review
from caseflow.auth.services import centre_users
from caseflow.cases import services as cases
from caseflow.cases.access import case_access
from caseflow.cases.forms import AssignForm
from caseflow.cases.models import Case, CaseStatus
from caseflow.cases.queries import WAITING_TOO_LONG_DAYS
from caseflow.core.audit import audited, record
from caseflow.core.forms import parse_id
from caseflow.core.transactions import unit_of_work
from caseflow.core.web import page_number
from caseflow.extensions import db
from caseflow.reviews.forms import DecisionForm
from caseflow.reviews.models import ReviewRequest, ReviewStatus
from caseflow.team import figures
from caseflow.team.queries import assignable_advisors, tab_counts, team_overview, team_totals

bp = Blueprint("team", __name__, url_prefix="/team")


@bp.context_processor
def _tabs():
    """The team tabs show how many cases wait in intake and how many reviews are open
    (a function: counted only when a team page's tabs are drawn)."""
    return {"tab_counts": lambda: tab_counts(current_user.centre_id)}


@bp.get("")
@requires(can_review)
def overview():
    loads, counted_at = figures.overview(current_user.centre_id)
    return render_template(
        "team/overview.html",
        loads=[load for load in loads if load.has_work],
        totals=team_totals(loads),
        waiting_days=WAITING_TOO_LONG_DAYS,
        counted_at=counted_at,
    )


def _render_intake(status: int = 200, *, refused: Case | None = None, error: str = ""):
    pagination = db.paginate(
        select(Case)
        .where(
            Case.centre_id == current_user.centre_id,
            Case.advisor_id.is_(None),
            Case.status != CaseStatus.CLOSED,
        )
        .options(joinedload(Case.case_type), selectinload(Case.persons))
        .order_by(Case.created_at, Case.id),
        page=page_number(),
        per_page=current_app.config["CASES_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "team/intake.html",
        pagination=pagination,
        advisors=assignable_advisors(current_user.centre_id),
        refused_id=refused.id if refused else None,
        error=error,
    ), status


@bp.get("/intake")
@requires(can_review)
def intake():
    """Unassigned cases, oldest first, each assignable in one action."""
    return _render_intake()


@bp.post("/intake/<id:case_id>/assign")
@audited("case.assign", object_type="case", id_arg="case_id")
@case_access(can_assign_case)
def intake_assign(case: Case):
    """Give a case of the queue to an active advisor; without a choice nothing changes
    and the queue is shown again with the reason next to that case."""
    form = AssignForm()
    advisors = {str(user.id) for user, _count in assignable_advisors(current_user.centre_id)}
    form.advisor_id.choices = [("", "")] + [(value, value) for value in sorted(advisors)]
    if not form.validate() or form.advisor_id.data not in advisors:
        if form.version.errors:
            message = " ".join(str(error) for error in form.version.errors)
        else:
            message = _("Choose an advisor to assign %(reference)s to.", reference=case.reference)
        flash(message, "danger")
        return _render_intake(400, refused=case, error=message)
    with unit_of_work() as work:
        cases.assign_case(case, current_user, int(form.advisor_id.data), form.version.data)
    if work.failed:
        return _render_intake(work.status, refused=case, error=str(work.error))
    flash(_("%(reference)s assigned.", reference=case.reference), "success")
    return redirect(url_for("team.intake", page=request.args.get("page") or None))


def _sources():
    """Whose cases can be moved: everyone holding open cases, deactivated staff too."""
    return [load.user for load in team_overview(current_user.centre_id) if load.open_cases]


@bp.route("/reassign", methods=["GET", "POST"])
@audited("case.assign", view_action=None)
@requires(can_review)
def reassign():
    """Move all or some open cases of one advisor to another (e.g. during leave)."""
    staff = centre_users(current_user.centre_id)
    staff_ids = {u.id for u in staff}
    source = parse_id(request.values.get("from", ""))
    if source is not None and source not in {
        u.id for u in centre_users(current_user.centre_id, active_only=False)
    }:
        abort(404)
    open_cases = []
    if source is not None:
        open_cases = db.session.scalars(
            select(Case)
            .where(
                Case.centre_id == current_user.centre_id,
                Case.advisor_id == source,
                Case.status != CaseStatus.CLOSED,
            )
            .order_by(Case.reference)
        ).all()
    if request.method == "POST":
        target = parse_id(request.form.get("to", ""))
        chosen = {parse_id(v) for v in request.form.getlist("case_ids")}
        selected = [c for c in open_cases if request.form.get("all") or c.id in chosen]
        if target is None or target not in staff_ids or target == source:
            flash(_("Choose another advisor to give the cases to."), "danger")
        elif not selected:
            flash(_("Select at least one case."), "danger")
        else:
            with unit_of_work() as work:
                for case in selected:
                    cases.assign_case(case, current_user, target)
            if not work.failed:
                for case in selected:  # one row per case, for each case's access log
                    record(
                        "case.assign",
                        object_type="case",
                        object_id=case.id,
                        case_id=case.id,
                        details={"advisor_id": target, "bulk": True},
                    )
                flash(
                    ngettext(
                        "%(num)d case reassigned.", "%(num)d cases reassigned.", len(selected)
                    ),
                    "success",
                )
                return redirect(url_for("team.reassign", **{"from": source}))
        return render_template(
            "team/reassign.html",
            staff=staff,
            sources=[
                load.user for load in team_overview(current_user.centre_id) if load.open_cases
            ],
            source=source,
            open_cases=open_cases,
        ), 400
    return render_template(
        "team/reassign.html",
        staff=staff,
        sources=_sources(),
        source=source,
        open_cases=open_cases,
    )


@bp.get("/reviews")
@requires(can_review)
def reviews():
    pending = db.session.scalars(
        select(ReviewRequest)
        .join(Case, Case.id == ReviewRequest.case_id)
        .where(
            Case.centre_id == current_user.centre_id,
            ReviewRequest.status == ReviewStatus.PENDING,
        )
        .options(joinedload(ReviewRequest.case), joinedload(ReviewRequest.requested_by))
        .order_by(ReviewRequest.created_at, ReviewRequest.id)
        .limit(200)
    ).all()
    return render_template("team/reviews.html", pending=pending, form=DecisionForm(formdata=None))
