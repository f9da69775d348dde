"""Case pages: list, intake, detail, edit, status and assignment."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_number
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from caseflow.auth.access import requires
from caseflow.auth.permissions import (
    can_assign_case,
    can_create_case,
    can_edit_case,
    can_hold_case,
    can_take_case,
    must_request_closing,
)
from caseflow.cases import intake_hooks, services
from caseflow.cases.access import case_access
from caseflow.cases.forms import (
    AssignForm,
    EditCaseForm,
    FilterForm,
    LegalHoldForm,
    LiftLegalHoldForm,
    NewCaseForm,
    StatusForm,
    TakeForm,
)
from caseflow.cases.legal_hold import lift_legal_hold, place_legal_hold
from caseflow.cases.models import Case, CaseStatus, ClosingReason
from caseflow.cases.page import advisor_choices, load_case_for_page, render_case_page
from caseflow.cases.queries import case_list_page, centre_case_types
from caseflow.centres import notices
from caseflow.checklists.services import progress_by_case
from caseflow.core.audit import annotate, audited
from caseflow.core.forms import parse_id
from caseflow.core.i18n import current_locale
from caseflow.core.transactions import unit_of_work
from caseflow.extensions import db
from caseflow.reviews import services as reviews

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("")
def index():
    form = FilterForm.for_centre(request.args, current_user.centre_id, current_locale())
    filters = form.to_filters()
    pagination = case_list_page(
        current_user,
        filters,
        per_page=current_app.config["CASES_PER_PAGE"],
        after=request.args.get("after"),
        before=request.args.get("before"),
        last=request.args.get("last") == "1",
    )
    # The top bar's search box ("jump"): exactly one match opens that case directly.
    if request.args.get("jump") and filters.q and pagination.total == 1 and pagination.items:
        return redirect(url_for("cases.detail", case_id=pagination.items[0].id))
    progress = progress_by_case([case.id for case in pagination.items])
    return render_template(
        "cases/index.html",
        form=form,
        filters=filters,
        pagination=pagination,
        progress=progress,
        count_limit=format_number(pagination.count_limit),
    )


def _case_form_choices(form, case=None):
    locale = current_locale()
    case_types = [
        t
        for t in centre_case_types(current_user.centre_id)
        if t.is_active or (case is not None and t.id == case.case_type_id)
    ]
    form.set_case_types(case_types, locale)


def _person_rows_action(form) -> bool:
    """Handle 'add person' / 'remove person' buttons (works without JavaScript).

    Returns True when the post was such an action, so the form is shown again.
    """
    if "add_person" in request.form:
        # The button posts to "#person-<n>", so the page comes back at the new row.
        form.add_person()
        return True
    remove = request.form.get("remove_person")
    if remove is not None:
        index = parse_id(remove) if remove != "0" else 0
        if index is not None and len(form.persons) > 1 and index < len(form.persons):
            del form.persons.entries[index]
        return True
    return False


def _shown_notice(form):
    """The notice the advisor shows the client: the one the form was opened with (a
    GET shows the current one and remembers its number in the form)."""
    shown = parse_id(form.privacy_notice_number.data or "")
    notice = (shown and notices.notice_version(current_user.centre_id, shown)) or (
        notices.current_notice(current_user.centre_id)
    )
    if request.method == "GET":
        form.privacy_notice_number.data = str(notice.number) if notice else ""
    return notice


@bp.route("/new", methods=["GET", "POST"])
@audited("case.create", object_type="case", view_action=None)
@requires(can_create_case)
def new():
    form = NewCaseForm()
    _case_form_choices(form)
    if current_user.is_lead:
        form.advisor_id.choices = advisor_choices(_("Intake queue (unassigned)"))
    else:
        form.advisor_id.choices = [
            (str(current_user.id), _("Me (%(name)s)", name=current_user.full_name)),
            ("", _("Intake queue (unassigned)")),
        ]
    notice = _shown_notice(form)
    if request.method == "GET":
        form.advisor_id.data = "" if current_user.is_lead else str(current_user.id)
        form.client_language.data = "en"
        # "Turn into a case" (a first-line contact...): prefilled from its source.
        source = request.args.get("from")
        form.source.data = source if intake_hooks.prefill(form, source, current_user) else ""
    if request.method == "POST" and not _person_rows_action(form):
        if form.validate():
            with unit_of_work() as work:
                case = services.open_case(
                    current_user.centre,
                    current_user,
                    form.to_data(),
                    int(form.advisor_id.data) if form.advisor_id.data else None,
                )
                intake_hooks.case_created(case, form.source.data, current_user)
            if not work.failed:
                annotate(object_id=case.id, case_id=case.id)
                flash(_("Case %(reference)s created.", reference=case.reference), "success")
                return redirect(url_for("cases.detail", case_id=case.id))
        return render_template("cases/new.html", form=form, notice=notice), 400
    return render_template("cases/new.html", form=form, notice=notice)


@bp.get("/<id:case_id>")
@audited("case.view", object_type="case", id_arg="case_id")
# The case is read once, with everything its page shows.
@case_access(load=load_case_for_page)
def detail(case: Case):
    return render_case_page(case, loaded=True)


@bp.route("/<id:case_id>/edit", methods=["GET", "POST"])
@audited("case.update", object_type="case", id_arg="case_id", view_action="case.view")
@case_access(can_edit_case)
def edit(case: Case):
    if case.is_closed:
        flash(_("A closed case cannot be edited. Reopen it first."), "warning")
        return redirect(url_for("cases.detail", case_id=case.id))
    if request.method == "GET":
        case = db.session.get(
            Case, case.id, options=[selectinload(Case.persons)], populate_existing=True
        )
        form = EditCaseForm(obj=case)
    else:
        form = EditCaseForm()
    _case_form_choices(form, case)
    # A case made without a legal basis records it here (the intake form always does).
    notice = None if services.has_privacy_basis(case) else _shown_notice(form)
    page = {"form": form, "case": case, "notice": notice}
    if request.method == "POST" and not _person_rows_action(form):
        if form.validate():
            with unit_of_work() as work:
                services.update_case(case, current_user, form.to_data(), form.version.data)
            if work.failed:
                return render_template("cases/edit.html", **page), work.status
            flash(_("Case saved."), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
        return render_template("cases/edit.html", **page), 400
    return render_template("cases/edit.html", **page)


@bp.post("/<id:case_id>/status")
@audited("case.status", object_type="case", id_arg="case_id")
@case_access(can_edit_case)
def change_status(case: Case):
    form = StatusForm()
    if not form.validate():
        return render_case_page(case, 400, status_form=form)
    new_status = CaseStatus(form.status.data)
    reason = ClosingReason(form.closing_reason.data) if form.closing_reason.data else None
    # With the centre's approval setting, an advisor's "close" is a request to a lead.
    requesting = new_status == CaseStatus.CLOSED and must_request_closing(current_user)
    with unit_of_work() as work:
        if requesting:
            services.check_version(case.version, form.version.data)
            reviews.request_closing(case, current_user, reason, form.closing_comment.data)
        else:
            services.change_status(
                case,
                current_user,
                new_status,
                reason=reason,
                comment=form.closing_comment.data,
                expected_version=form.version.data,
                close_anyway_reason=(
                    form.close_anyway_reason.data if current_user.is_lead else None
                ),
            )
    if isinstance(work.error, services.ClosingBlockedError):
        return render_case_page(case, 400, status_form=form, blocking_items=work.error.items)
    if work.failed:
        return render_case_page(case, work.status, status_form=form)
    if requesting:
        flash(_("Closing requested: a team lead will approve it."), "success")
    else:
        flash(_("Status changed."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.post("/<id:case_id>/assign")
@audited("case.assign", object_type="case", id_arg="case_id")
@case_access(can_assign_case)
def assign(case: Case):
    form = AssignForm()
    form.advisor_id.choices = [("", ""), *advisor_choices()]
    if not form.validate():
        return render_case_page(case, 400, assign_form=form)
    with unit_of_work() as work:
        services.assign_case(
            case,
            current_user,
            int(form.advisor_id.data) if form.advisor_id.data else None,
            form.version.data,
        )
    if work.failed:
        return render_case_page(case, work.status, assign_form=form)
    flash(_("Advisor changed."), "success")
    if request.form.get("back") == "intake":
        return redirect(url_for("team.intake"))
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.post("/<id:case_id>/take")
@audited("case.take", object_type="case", id_arg="case_id")
@case_access(can_take_case)
def take(case: Case):
    form = TakeForm()
    if not form.validate():
        flash(" ".join(form.version.errors), "danger")
        return redirect(url_for("cases.detail", case_id=case.id))
    with unit_of_work() as work:
        services.take_case(case, current_user, form.version.data)
    if work.failed:
        return redirect(url_for("cases.detail", case_id=case.id))
    flash(_("You are now the advisor of this case."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.post("/<id:case_id>/legal-hold")
@audited("case.legal_hold", object_type="case", id_arg="case_id")
@case_access(can_hold_case)
def legal_hold(case: Case):
    """Put the case on legal hold (team leads and admins): retention leaves it alone."""
    form = LegalHoldForm()
    if not form.validate():
        return render_case_page(case, 400, hold_form=form)
    with unit_of_work() as work:
        place_legal_hold(case, current_user, form.reason.data, form.version.data)
    if work.failed:
        return render_case_page(case, work.status, hold_form=form)
    flash(_("The case is on legal hold: retention will not anonymise it."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.post("/<id:case_id>/legal-hold/lift")
@audited("case.legal_hold_lift", object_type="case", id_arg="case_id")
@case_access(can_hold_case)
def lift_hold(case: Case):
    """Lift the legal hold: the case follows the centre's retention again."""
    form = LiftLegalHoldForm()
    if not form.validate():
        flash(" ".join(str(error) for error in form.version.errors), "danger")
        return render_case_page(case, 400)
    with unit_of_work() as work:
        lift_legal_hold(case, current_user, form.version.data)
    if work.failed:
        return render_case_page(case, work.status)
    flash(_("Legal hold lifted."), "success")
    return redirect(url_for("cases.detail", case_id=case.id))
